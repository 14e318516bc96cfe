import type { MessageKey } from '../../i18n/messages';

/** The API's limits of an objection (src/public/dto): text 1–2,000 characters, contact ≤ 100, name ≤ 50. */
export const OBJECTION_LIMITS = { text: 2000, contact: 100, name: 50 } as const;

export interface ObjectionInput {
  text?: string;
  contact?: string;
  name?: string;
}

export type ObjectionProblems = Partial<Record<keyof ObjectionInput, { key: MessageKey; vars?: Record<string, number> }>>;

/** What is wrong with the form before anything is sent (the API refuses the same with 400). */
export function checkObjection(input: ObjectionInput): ObjectionProblems {
  const problems: ObjectionProblems = {};
  const text = input.text?.trim() ?? '';
  if (text.length === 0) problems.text = { key: 'public.textRequired' };
  else if (text.length > OBJECTION_LIMITS.text) problems.text = { key: 'form.tooLong', vars: { max: OBJECTION_LIMITS.text } };
  if ((input.contact?.trim().length ?? 0) > OBJECTION_LIMITS.contact) problems.contact = { key: 'form.tooLong', vars: { max: OBJECTION_LIMITS.contact } };
  if ((input.name?.trim().length ?? 0) > OBJECTION_LIMITS.name) problems.name = { key: 'form.tooLong', vars: { max: OBJECTION_LIMITS.name } };
  return problems;
}

/** The body the API takes: trimmed, empty optional fields left out. */
export function objectionBody(input: ObjectionInput, formToken: string, website: string) {
  const contact = input.contact?.trim();
  const name = input.name?.trim();
  return {
    text: input.text?.trim() ?? '',
    ...(contact ? { contact } : {}),
    ...(name ? { name } : {}),
    formToken,
    // The honeypot: a person never sees it, so it is sent only when a robot filled it in.
    ...(website ? { website } : {}),
  };
}

/** How long to wait before sending so that the token is old enough (the API refuses tokens under 3 s). */
export function waitBeforeSending(notBefore: string, now: number): number {
  return Math.min(5000, Math.max(0, new Date(notBefore).getTime() - now));
}
