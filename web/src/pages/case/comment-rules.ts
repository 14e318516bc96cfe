import type { MessageKey } from '../../i18n/messages';

/** The longest comment the API takes (src/cases/dto/case-comment.dto.ts). */
export const COMMENT_MAX_LENGTH = 2000;

/**
 * A text's length as the API's @MaxLength counts it (validator.js isLength): a character
 * outside the BMP (an emoji, a rare 汉字) counts once, a variation selector not at all.
 */
export function commentLength(text: string): number {
  const selectors = text.match(/[\uFE0E\uFE0F]/g)?.length ?? 0;
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return text.length - selectors - pairs;
}

/** Why a comment cannot be sent as typed, as the API would refuse it: blank, or over the limit. */
export function commentProblem(text: string): { key: MessageKey; vars?: Record<string, number> } | null {
  if (text.trim() === '') return { key: 'comments.empty' };
  if (commentLength(text) > COMMENT_MAX_LENGTH) return { key: 'comments.tooLong', vars: { max: COMMENT_MAX_LENGTH } };
  return null;
}
