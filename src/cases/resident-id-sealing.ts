import { offeringStep, type PersistedCaseSnapshot } from '../engine/case-transition.js';
import type { FieldDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import type { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { isSealedResidentId, isValidResidentId, maskResidentId, normalizeResidentId, type SealedResidentId } from '../org/resident-id.js';
import { freeTextOf, isSealedText, maskedText, residentIdsInText, type FreeText } from '../org/resident-id-text.js';

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
  const found = residentIdsInText(text);
  if (found.length === 0) return text;
  const segments: (string | SealedResidentId)[] = [];
  let at = 0;
  for (const { start, end, id } of found) {
    segments.push(text.slice(at, start), { masked: maskResidentId(id), token: cipher.encrypt(id) });
    at = end;
  }
  segments.push(text.slice(at));
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
