import { canonicalJson } from '../common/canonical-json.js';
import type { WorkflowDefinition } from '../engine/workflow-definition.js';

/**
 * The order of a definition's keys is the author's: forms show their fields (and a table its
 * columns) in it. Until workflow_definitions.definition became `json` it was stored as jsonb,
 * which keeps keys sorted its own way — shorter keys first, equal lengths by their bytes — so
 * those rows came back in an order nobody wrote. This file recognises such a row and decides
 * whether the definition read again from the version's stored source may replace it.
 */

/** jsonb's key order: by length in bytes, then byte by byte. */
export function compareJsonbKeys(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length - right.length || Buffer.compare(left, right);
}

/**
 * Every object in the value has its keys in jsonb's order: what a definition stored as jsonb
 * looks like. A definition stored since keeps the author's order, which is almost never
 * this one, so the start-up check (DefinitionsService.restoreKeyOrder) reads the source of
 * these rows only.
 */
export function inJsonbKeyOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(inJsonbKeyOrder);
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) if (compareJsonbKeys(keys[i - 1], keys[i]) > 0) return false;
  return Object.values(value).every(inJsonbKeyOrder);
}

export type KeyOrderVerdict =
  /** The source gives the same content in another key order: store `definition`. */
  | { restore: true; definition: WorkflowDefinition }
  /** Already in the source's order. */
  | { restore: false; reason: 'same-order' }
  /** The source no longer reads as this content (the reader changed since): keep the row as it is. */
  | { restore: false; reason: 'different-content' };

/**
 * Whether `fromSource` (the version's stored text read again) may replace `stored`: only when
 * the content is the same — the canonical JSON the checksum hashes — so the checksum, every
 * recorded hash and what a case does stay exactly as they are; only the order changes.
 * `version` is the stored one: publishing a draft numbers it (DefinitionsService.publishNext).
 */
export function keyOrderVerdict(stored: WorkflowDefinition, fromSource: WorkflowDefinition, version: number): KeyOrderVerdict {
  const definition = { ...fromSource, version };
  if (canonicalJson(definition) !== canonicalJson(stored)) return { restore: false, reason: 'different-content' };
  if (JSON.stringify(definition) === JSON.stringify(stored)) return { restore: false, reason: 'same-order' };
  return { restore: true, definition };
}
