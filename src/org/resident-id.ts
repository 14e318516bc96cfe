/**
 * Resident ID numbers (居民身份证号, GB 11643-1999): validation, normalisation and masking.
 * Pure functions, no Nest. An ID is 18 characters: a 6-digit division code, the birth
 * date YYYYMMDD, a 3-digit sequence and a check character computed with ISO 7064
 * MOD 11-2 over the first 17 digits.
 *
 * An ID number is personal data: it is stored encrypted (resident-id-cipher.ts), shown
 * masked (`4407**********123X`) and never written to a log (masking-logger.ts).
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
/** The oldest birth year accepted as plausible. */
const MIN_BIRTH_YEAR = 1850;
const ID_SHAPE = /^\d{17}[\dX]$/;
/**
 * An ID-like run in free text: 17 digits and a digit or X, not preceded or followed by
 * another digit (a 19-digit run, e.g. a bank card, is not an ID). Checksums are not
 * checked: a mistyped ID is still personal data and is masked all the same.
 */
const ID_IN_TEXT = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/g;

const SHANGHAI_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Trims and upper-cases the check character ('…002x' → '…002X'). */
export function normalizeResidentId(value: string): string {
  return value.trim().toUpperCase();
}

/** The MOD 11-2 check character of the first 17 digits ('11010519491231002' → 'X'). */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('residentIdCheckCharacter needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Whether `value` is a valid 18-character resident ID: shape, a real calendar birth date
 * from 1850 up to `today` (taken in Asia/Shanghai, the date officers see), and the
 * MOD 11-2 check character. A lower-case x is accepted (see normalizeResidentId).
 */
export function isValidResidentId(value: unknown, today: Date = new Date()): value is string {
  if (typeof value !== 'string') return false;
  const id = normalizeResidentId(value);
  if (!ID_SHAPE.test(id)) return false;

  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  const todayYmd = SHANGHAI_DATE.format(today).replaceAll('-', '');
  if (id.slice(6, 14) > todayYmd) return false;

  return residentIdCheckCharacter(id.slice(0, 17)) === id[17];
}

/**
 * `440781199001011234` → `4407**********1234`: the first 4 and last 4 characters around
 * 10 asterisks. Anything that is not 18 characters after normalisation is masked whole
 * (one asterisk per character), so a malformed value never leaks either.
 */
export function maskResidentId(value: string): string {
  const id = normalizeResidentId(value);
  if (id.length !== 18) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(10)}${id.slice(14)}`;
}

/** Replaces every ID-like run in `text` with its mask (for log lines, messages, exports). */
export function maskResidentIdsInText(text: string): string {
  return text.replace(ID_IN_TEXT, (match) => maskResidentId(match));
}

/**
 * A resident ID as case data holds it once the shell sealed it: the masked form for
 * display and the AES-256-GCM token of src/org/resident-id-cipher.ts. The plain ID never
 * reaches the snapshot, the history or any response; revealing it is audited.
 */
export interface SealedResidentId {
  masked: string;
  token: string;
}

const MASKED_SHAPE = /^\d{4}\*{10}\d{3}[\dX]$/;
const TOKEN_SHAPE = /^v1\.[A-Za-z0-9_-]+$/;

export function isSealedResidentId(value: unknown): value is SealedResidentId {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const { masked, token } = value as Record<string, unknown>;
  return keys.length === 2 && typeof masked === 'string' && MASKED_SHAPE.test(masked) && typeof token === 'string' && TOKEN_SHAPE.test(token);
}
