import { readFileSync } from 'node:fs';
import { canonicalJson } from '../../../src/common/canonical-json.js';
import { compareJsonbKeys, inJsonbKeyOrder, keyOrderVerdict } from '../../../src/definitions/definition-key-order.js';
import { loadDefinition } from '../../../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';

function povertyEntry(): WorkflowDefinition {
  return loadDefinition(readFileSync('workflows/poverty-entry.yaml', 'utf8'), 'poverty-entry.yaml').definition!;
}

/** A value as a jsonb column gives it back: every object's keys in jsonb's order. */
function asJsonb<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(asJsonb) as T;
  const keys = Object.keys(value).sort(compareJsonbKeys);
  return Object.fromEntries(keys.map((key) => [key, asJsonb((value as Record<string, unknown>)[key])])) as T;
}

describe('jsonb key order', () => {
  it('is shorter keys first, then byte by byte (UTF-8, not UTF-16)', () => {
    expect(['householdName', 'age', 'village', 'bank', 'name'].sort(compareJsonbKeys)).toEqual(['age', 'bank', 'name', 'village', 'householdName']);
    // 甲 is three bytes: after every two-byte key, before a four-byte one, after an ASCII three-byte one.
    expect(['abcd', '甲', 'ab', 'abc'].sort(compareJsonbKeys)).toEqual(['ab', 'abc', '甲', 'abcd']);
  });

  it('is recognised in every object of a value, arrays included', () => {
    const file = povertyEntry();
    expect(inJsonbKeyOrder(file)).toBe(false);
    expect(inJsonbKeyOrder(asJsonb(file))).toBe(true);
    expect(inJsonbKeyOrder({ a: 1, bb: [{ cc: 1, d: 2 }] })).toBe(false);
    expect(inJsonbKeyOrder({ a: 1, bb: [{ d: 2, cc: 1 }] })).toBe(true);
    expect(inJsonbKeyOrder('text')).toBe(true);
  });
});

describe('keyOrderVerdict: may the definition read again from a version’s source replace the stored one?', () => {
  it('yes, when the content is the same and only the order differs: the source’s order, every level of it', () => {
    const file = povertyEntry();
    const stored = asJsonb(file);
    const verdict = keyOrderVerdict(stored, file, file.version);
    expect(verdict.restore).toBe(true);
    if (!verdict.restore) return;
    expect(JSON.stringify(verdict.definition)).toBe(JSON.stringify(file));
    expect(Object.keys(verdict.definition.steps.propose.actions!.submit.fields!)).toEqual(['perCapitaIncome', 'hasLabourAbility', 'dibao', 'consent', 'members']);
    expect(canonicalJson(verdict.definition)).toBe(canonicalJson(stored));
  });

  it('with the stored version number, which publishing a draft gave it, in the place the source has it', () => {
    const file = povertyEntry();
    const stored = asJsonb({ ...file, version: 7 });
    const verdict = keyOrderVerdict(stored, file, 7);
    expect(verdict.restore && JSON.stringify(verdict.definition)).toBe(JSON.stringify({ ...file, version: 7 }));
  });

  it('no, when already in the source’s order', () => {
    expect(keyOrderVerdict(povertyEntry(), povertyEntry(), povertyEntry().version)).toEqual({ restore: false, reason: 'same-order' });
  });

  it('no, when the source reads as other content (another label, another field): the stored row stays as it is', () => {
    const file = povertyEntry();
    const stored = asJsonb(file);
    const relabelled = structuredClone(file);
    relabelled.steps.propose.label = '拟选对象（改）';
    expect(keyOrderVerdict(stored, relabelled, file.version)).toEqual({ restore: false, reason: 'different-content' });
    const extra = structuredClone(file);
    extra.steps.propose.actions!.submit.fields!.note = { type: 'text', label: '备注' };
    expect(keyOrderVerdict(stored, extra, file.version)).toEqual({ restore: false, reason: 'different-content' });
  });
});
