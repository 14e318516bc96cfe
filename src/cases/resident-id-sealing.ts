import { offeringStep, type PersistedCaseSnapshot } from '../engine/case-transition.js';
import type { FieldDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import type { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { isSealedResidentId, isValidResidentId, maskResidentId, normalizeResidentId, type SealedResidentId } from '../org/resident-id.js';
import { freeTextOf, isSealedText, maskedText, residentIdsInText, sealedIdsOf, type FreeText, type SealedText } from '../org/resident-id-text.js';

/**
 * Resident ID numbers in case data (fields of type `residentId`, and valid IDs typed into
 * free text: `string`/`text` fields, comments, objections), in the shell around the engine.
 * Pure functions; the cipher is passed in.
 *
 * - sealResidentIds / sealText: on the way in, before the engine, each plain ID becomes
 *   `{ masked, token }` (src/org/resident-id.ts) — a text becomes `{ sealedText: [...] }`
 *   with the IDs in their places (src/org/resident-id-text.ts) — so the plain number never
 *   reaches the snapshot, the history, the hash chain, the outbox or a response.
 * - presentResidentIds: on the way out, every sealed value is shown as its masked text;
 *   tokens never leave the server.
 */
export type ResidentIdSealer = Pick<ResidentIdCipher, 'encrypt' | 'decrypt'>;

/**
 * A copy of `input` with the value of every `residentId` field (at the top level and in
 * the cells of `table` columns) sealed when it is a valid plain ID, and every valid ID in
 * the value of a `string` or `text` field sealed in its place (sealText). A value already sealed
 * stays when its token opens with this server's key to an ID with the same mask; otherwise
 * (a forged or foreign token) it is reduced to its masked text, which the engine refuses
 * like any other invalid value. Anything else is left for the engine's form check to
 * refuse (without repeating it). `input` itself is not changed.
 */
export function sealResidentIds(
  fields: Record<string, FieldDefinition> | undefined,
  input: Record<string, unknown>,
  cipher: ResidentIdSealer,
): Record<string, unknown> {
  if (!fields || !isPlainObject(input)) return input;
  let copy: Record<string, unknown> | undefined;
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(input, name)) continue;
    const value = input[name];
    const sealed =
      field.type === 'residentId'
        ? sealValue(value, cipher)
        : field.type === 'table'
          ? sealRows(field.columns, value, cipher)
          : field.type === 'string' || field.type === 'text'
            ? sealFreeText(value, cipher)
            : value;
    if (sealed !== value) (copy ??= { ...input })[name] = sealed;
  }
  return copy ?? input;
}

function sealRows(columns: Record<string, FieldDefinition> | undefined, value: unknown, cipher: ResidentIdSealer): unknown {
  if (!Array.isArray(value)) return value;
  const rows = value.map((row) => (isPlainObject(row) ? sealResidentIds(columns, row, cipher) : row));
  return rows.some((row, i) => row !== value[i]) ? rows : value;
}

function sealValue(value: unknown, cipher: ResidentIdSealer): unknown {
  if (isValidResidentId(value)) return { masked: maskResidentId(value), token: cipher.encrypt(normalizeResidentId(value)) } satisfies SealedResidentId;
  if (isSealedResidentId(value)) return opensTo(value, cipher) ? value : value.masked;
  return value;
}

/**
 * Free text with every valid resident ID in it sealed in its place; the string itself when it
 * holds none (residentIdsInText: the checksum decides, so other long numbers stay as typed).
 */
export function sealText(text: string, cipher: ResidentIdSealer): FreeText {
  return resealText(text, [], cipher);
}

/** A mask as maskResidentId writes it, not touching another digit. */
const MASK_IN_TEXT = /(?<![0-9])[0-9]{4}\*{10}[0-9]{3}[0-9X](?![0-9])/g;

/**
 * Free text on its way into a record whose earlier value held the sealed IDs `kept` (a
 * household file's address edited, its plan replaced): sealed like sealText, except that an
 * ID of `kept` is put back where the text shows its mask — the text came back as the API
 * showed it, and the number behind the mask is not lost — and reused, token and all, where
 * the text holds the same number in full. So a text sent back unchanged, masked or in
 * full, is stored unchanged (no spurious change in a version log). Each kept ID is used
 * once, in the order the text shows them; a mask that matches none stays as typed.
 */
export function resealText(text: string, kept: readonly SealedResidentId[], cipher: ResidentIdSealer): FreeText {
  const found = residentIdsInText(text);
  if (found.length === 0 && kept.length === 0) return text;
  const unused = [...kept];
  const take = (fits: (sealed: SealedResidentId) => boolean): SealedResidentId | undefined => {
    const at = unused.findIndex(fits);
    return at < 0 ? undefined : unused.splice(at, 1)[0];
  };
  const unmask = (plain: string): (string | SealedResidentId)[] => {
    if (unused.length === 0) return [plain];
    const segments: (string | SealedResidentId)[] = [];
    let at = 0;
    for (const match of plain.matchAll(MASK_IN_TEXT)) {
      const sealed = take((s) => s.masked === match[0]);
      if (!sealed) continue;
      segments.push(plain.slice(at, match.index), sealed);
      at = match.index + match[0].length;
    }
    segments.push(plain.slice(at));
    return segments;
  };
  const segments: (string | SealedResidentId)[] = [];
  let at = 0;
  for (const { start, end, id } of found) {
    const masked = maskResidentId(id);
    segments.push(...unmask(text.slice(at, start)), take((s) => s.masked === masked && opensAs(s, id, cipher)) ?? { masked, token: cipher.encrypt(id) });
    at = end;
  }
  segments.push(...unmask(text.slice(at)));
  return freeTextOf(segments);
}

/**
 * A free-text value on its way in: a string is sealed (sealText); a sealed text keeps the
 * IDs whose tokens open with this server's key to their mask — a forged or foreign one is
 * reduced to its masked text — and its strings are sealed again (they came from outside).
 * Anything else is left for the form check.
 */
export function sealFreeText(value: unknown, cipher: ResidentIdSealer): unknown {
  if (typeof value === 'string') return sealText(value, cipher);
  if (!isSealedText(value)) return value;
  const segments = value.sealedText.flatMap((segment) => {
    if (typeof segment !== 'string') return [opensTo(segment, cipher) ? segment : segment.masked];
    const sealed = sealText(segment, cipher);
    return typeof sealed === 'string' ? [sealed] : sealed.sealedText;
  });
  const sealed = freeTextOf(segments);
  return JSON.stringify(sealed) === JSON.stringify(value) ? value : sealed;
}

function opensTo(sealed: SealedResidentId, cipher: ResidentIdSealer): boolean {
  try {
    return maskResidentId(cipher.decrypt(sealed.token)) === sealed.masked;
  } catch {
    return false;
  }
}

function opensAs(sealed: SealedResidentId, id: string, cipher: ResidentIdSealer): boolean {
  try {
    return cipher.decrypt(sealed.token) === id;
  } catch {
    return false;
  }
}

/**
 * Free text kept in text columns (a household file's, a disaster's description) is stored in
 * two parts. Each column holds the text as shown — every ID masked, exactly as long as typed —
 * so every read, list, sort, search and export shows it masked without knowing about IDs; a
 * jsonb column beside them (`sealed_text`) holds the sealed part: the sealed texts of the values
 * that hold IDs, in their places (sealedPart), for the reveal and for what passes the text on (a
 * case started from a household file). withSealedPart lays it back over the columns' values.
 */
export type WithFreeText<T> = T extends string
  ? FreeText
  : T extends SealedText
    ? T
    : T extends readonly (infer U)[]
      ? WithFreeText<U>[]
      : T extends object
        ? { [K in keyof T]: WithFreeText<T[K]> }
        : T;

/** `value` with every string in it (in plain objects and arrays, however deep) sealed by resealText against `kept`; sealed texts in it stay as they are. */
export function sealStrings<T>(value: T, kept: readonly SealedResidentId[], cipher: ResidentIdSealer): WithFreeText<T> {
  const seal = (item: unknown): unknown => {
    if (typeof item === 'string') return resealText(item, kept, cipher);
    if (isSealedText(item) || isSealedResidentId(item)) return item;
    if (Array.isArray(item)) return item.map(seal);
    if (!isPlainObject(item)) return item;
    return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, seal(inner)]));
  };
  return seal(value) as WithFreeText<T>;
}

/** Only the sealed texts of `value`, in their places (arrays keep their length, null where nothing is sealed); null when it holds none. */
export function sealedPart(value: unknown): unknown {
  if (isSealedText(value)) return value;
  if (Array.isArray(value)) {
    const items = value.map(sealedPart);
    return items.some((item) => item !== null) ? items : null;
  }
  if (!isPlainObject(value)) return null;
  const entries = Object.entries(value).flatMap(([key, item]) => {
    const part = sealedPart(item);
    return part === null ? [] : [[key, part] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/**
 * `shown` (the columns' values) with the sealed texts of `sealed` (a sealedPart) laid back in
 * their places — each only where its masked text is the column's value, so a column changed
 * behind its back keeps what it says.
 */
export function withSealedPart<T>(shown: T, sealed: unknown): WithFreeText<T> {
  const lay = (value: unknown, part: unknown): unknown => {
    if (part === null || part === undefined) return value;
    if (typeof value === 'string') return isSealedText(part) && maskedText(part) === value ? part : value;
    if (Array.isArray(value)) return Array.isArray(part) ? value.map((item, i) => lay(item, part[i])) : value;
    if (!isPlainObject(value) || !isPlainObject(part)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, lay(item, Object.hasOwn(part, key) ? part[key] : undefined)]));
  };
  return lay(shown, sealed) as WithFreeText<T>;
}

/** Every sealed ID held in `value` (sealed texts and sealed fields, however deep), in order. */
export function sealedIdsIn(value: unknown): SealedResidentId[] {
  if (isSealedResidentId(value)) return [value];
  if (isSealedText(value)) return sealedIdsOf(value);
  if (Array.isArray(value)) return value.flatMap(sealedIdsIn);
  return isPlainObject(value) ? Object.values(value).flatMap(sealedIdsIn) : [];
}

/** A copy of `value` with every sealed resident ID (however deep, in objects and arrays) replaced by its masked text. */
export function presentResidentIds<T>(value: T): T {
  if (isSealedResidentId(value)) return value.masked as T;
  if (isSealedText(value)) return maskedText(value) as T;
  if (Array.isArray(value)) return value.map((item) => presentResidentIds(item)) as T;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = presentResidentIds(item);
  return copy as T;
}

/**
 * The fields of the action a command names, found among the case's active steps as the
 * engine finds it; undefined when no step or several offer it (the engine refuses that).
 */
export function actionFields(
  compiled: CompiledWorkflow,
  snapshot: Pick<PersistedCaseSnapshot, 'value'>,
  command: { step?: string; action: string },
): Record<string, FieldDefinition> | undefined {
  const step = offeringStep(compiled, snapshot, command);
  return step === undefined ? undefined : compiled.steps.get(step)!.definition.actions![command.action].fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
