import { ApiError } from '../api/client';
import type { FieldIssue } from '../api/types';
import { hasKey, type Translate } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

export interface ErrorText {
  title: string;
  /** Why, in the user's words: the translated code, else the API's own message. */
  description: string;
  /** The API's message when the description is a translation of its code (kept: it names specifics). */
  detail?: string;
}

const TITLE_BY_STATUS: Record<number, MessageKey> = {
  0: 'error.network',
  400: 'error.badInput',
  401: 'error.signedOut',
  403: 'error.forbidden',
  404: 'error.notFound',
  409: 'error.conflict',
  413: 'error.badInput',
  415: 'error.badInput',
  422: 'error.notAllowed',
  429: 'error.tooMany',
};

/**
 * What to tell a person about a failed call. A 422 says why the action is not allowed: a
 * failed condition in the definition's own words (its guardMessage, which the API returns
 * as the message), other refusals through the table of codes, with the API's message beside.
 */
export function describeError(error: unknown, t: Translate): ErrorText {
  if (!(error instanceof ApiError)) return { title: t('error.unexpected'), description: error instanceof Error ? error.message : String(error) };
  const title = t(TITLE_BY_STATUS[error.status] ?? 'error.unexpected');
  const code = error.code;
  if (code === 'GUARD_FAILED') return { title, description: error.body.message };
  const key = code ? `apiCode.${code}` : '';
  if (key && hasKey(key)) return { title, description: t(key), detail: error.body.message };
  if (error.status >= 500) return { title, description: t('error.tryLater') };
  return { title, description: error.body.message };
}

/** The form problems a refused call names (`details.issues`: a start form's, 400 INVALID_INPUT), for the fields they belong to. */
export function issuesOf(error: unknown): FieldIssue[] | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const issues = error.body.details?.issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.filter((issue): issue is FieldIssue => typeof issue?.field === 'string' && typeof issue?.message === 'string');
}
