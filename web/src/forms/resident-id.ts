/**
 * Resident ID numbers (GB 11643-1999), checked in the browser exactly as the API checks them
 * (src/org/resident-id.ts): 18 characters, a real birth date from 1850 up to today in
 * Beijing, and the ISO 7064 MOD 11-2 check character. A lower-case x is accepted.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const MIN_BIRTH_YEAR = 1850;
const ID_SHAPE = /^\d{17}[\dX]$/;

const SHANGHAI_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export function normalizeResidentId(value: string): string {
  return value.trim().toUpperCase();
}

/** The MOD 11-2 check character of the first 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

export function isValidResidentId(value: unknown, today: Date = new Date()): value is string {
  if (typeof value !== 'string') return false;
  const id = normalizeResidentId(value);
  if (!ID_SHAPE.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  if (id.slice(6, 14) > SHANGHAI_DATE.format(today).replaceAll('-', '')) return false;
  return residentIdCheckCharacter(id.slice(0, 17)) === id[17];
}
