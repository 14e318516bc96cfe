import { isSealedResidentId, isValidResidentId, normalizeResidentId, type SealedResidentId } from './resident-id.js';

/**
 * Resident ID numbers typed into free text (a comment, a form's text field, an objection):
 * found, and held sealed like a structured `residentId` field (resident-id.ts). Pure
 * functions, no Nest; the sealing itself (it needs the key) is in
 * src/cases/resident-id-sealing.ts.
 *
 * What counts as an ID in text: 18 characters — 17 digits and a digit or X — not touching
 * another digit, that pass isValidResidentId (a real birth date, the MOD 11-2 check
 * character). So phone numbers (11 digits), bank cards (16 or 19), case numbers and 18-digit
 * numbers with a wrong check character stay as typed. Full-width digits (４４０７…, what a
 * Chinese input method may give) count too. The 15-digit first-generation IDs are not
 * detected: they have no check character, so any 15 digits with a date-like middle (an
 * IMEI, an old business registration number) would match, and they stopped being valid in
 * 2013, before the procedures this system runs.
 */

const DIGITS = '0-9\uFF10-\uFF19';
const ID_CANDIDATE = new RegExp(`(?<![${DIGITS}])[${DIGITS}]{17}[${DIGITS}Xx\uFF38\uFF58](?![${DIGITS}])`, 'g');
const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58]/g;

/** A valid resident ID found in text: where it is (UTF-16 offsets, end exclusive) and the number, normalised to ASCII. */
export interface ResidentIdInText {
  start: number;
  end: number;
  id: string;
}

/** Every valid resident ID in `text`, in order. `today`: the latest birth date accepted (isValidResidentId). */
export function residentIdsInText(text: string, today?: Date): ResidentIdInText[] {
  const found: ResidentIdInText[] = [];
  for (const match of text.matchAll(ID_CANDIDATE)) {
    const id = normalizeResidentId(match[0].replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
    if (isValidResidentId(id, today)) found.push({ start: match.index, end: match.index + match[0].length, id });
  }
  return found;
}

/**
 * Free text holding resident IDs, as case data and history hold it: the text cut at each ID,
 * the IDs sealed (`{masked, token}`) in their places. Shown, it is the text with each ID
 * masked — exactly as long as the text typed (a mask has the ID's 18 characters), so a
 * field's maxLength means the same. A text without an ID stays a plain string.
 */
export interface SealedText {
  sealedText: (string | SealedResidentId)[];
}

/** A free-text value as stored: a plain string, or a text with sealed IDs. */
export type FreeText = string | SealedText;

export function isSealedText(value: unknown): value is SealedText {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const { sealedText } = value as Record<string, unknown>;
  return (
    keys.length === 1 &&
    Array.isArray(sealedText) &&
    sealedText.every((segment) => typeof segment === 'string' || isSealedResidentId(segment)) &&
    sealedText.some((segment) => typeof segment !== 'string')
  );
}

/** The text with each sealed ID as its mask: what every reader sees. */
export function maskedText(value: SealedText): string {
  return value.sealedText.map((segment) => (typeof segment === 'string' ? segment : segment.masked)).join('');
}

/** The sealed IDs of a text, in order: `reason/0` in a reveal path is the first. */
export function sealedIdsOf(value: SealedText): SealedResidentId[] {
  return value.sealedText.filter((segment): segment is SealedResidentId => typeof segment !== 'string');
}

/** A sealed text shown (its masked text); anything else unchanged. */
export function shownText(value: FreeText): string;
export function shownText<T>(value: T): T | string;
export function shownText(value: unknown): unknown {
  return isSealedText(value) ? maskedText(value) : value;
}

/**
 * Segments joined into a free-text value: adjacent strings merged, empty ones dropped, and a
 * plain string when no sealed ID is left.
 */
export function freeTextOf(segments: readonly (string | SealedResidentId)[]): FreeText {
  const merged: (string | SealedResidentId)[] = [];
  for (const segment of segments) {
    if (segment === '') continue;
    const last = merged.at(-1);
    if (typeof segment === 'string' && typeof last === 'string') merged[merged.length - 1] = last + segment;
    else merged.push(segment);
  }
  return merged.some((segment) => typeof segment !== 'string') ? { sealedText: merged } : merged.join('');
}

/**
 * The first `max` characters (code points) of a free text. A sealed ID cut by the end is
 * kept as the part of its mask that fits, never as digits of the number.
 */
export function clipFreeText(value: FreeText, max: number | undefined): FreeText {
  const segments = typeof value === 'string' ? [value] : value.sealedText;
  if (max === undefined) return value;
  const kept: (string | SealedResidentId)[] = [];
  let room = max;
  for (const segment of segments) {
    const chars = Array.from(typeof segment === 'string' ? segment : segment.masked);
    if (chars.length <= room) {
      kept.push(segment);
      room -= chars.length;
      continue;
    }
    if (room > 0) kept.push(chars.slice(0, room).join(''));
    return freeTextOf(kept);
  }
  return value;
}
