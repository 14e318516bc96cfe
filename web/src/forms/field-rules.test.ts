import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../api/types';
import { checkField } from './field-rules';
import { isValidResidentId, residentIdCheckCharacter } from './resident-id';

const TODAY = new Date('2026-03-15T04:00:00Z');
const check = (field: FieldDefinition, value: unknown) => checkField(field, value, TODAY);

describe('checkField mirrors the API form rules (src/engine/form-input.ts)', () => {
  it('asks for required fields, and lets optional ones be empty; an empty list is a value', () => {
    expect(check({ type: 'string', label: 'x', required: true }, '')).toEqual({ key: 'form.required' });
    expect(check({ type: 'integer', label: 'x', required: true }, null)).toEqual({ key: 'form.required' });
    expect(check({ type: 'boolean', label: 'x', required: true }, undefined)).toEqual({ key: 'form.required' });
    expect(check({ type: 'string', label: 'x' }, undefined)).toBeUndefined();
    expect(check({ type: 'list', label: 'x', required: true, options: ['a'] }, [])).toBeUndefined();
  });

  it('limits strings to maxLength, or 200 (string) and 10,000 (text) characters', () => {
    expect(check({ type: 'string', label: 'x', maxLength: 3 }, 'abcd')).toEqual({ key: 'form.tooLong', vars: { max: 3 } });
    expect(check({ type: 'string', label: 'x', maxLength: 3 }, 'abc')).toBeUndefined();
    expect(check({ type: 'string', label: 'x' }, 'a'.repeat(201))).toEqual({ key: 'form.tooLong', vars: { max: 200 } });
    expect(check({ type: 'text', label: 'x' }, 'a'.repeat(10_000))).toBeUndefined();
    expect(check({ type: 'text', label: 'x' }, 'a'.repeat(10_001))).toEqual({ key: 'form.tooLong', vars: { max: 10_000 } });
  });

  it('keeps numbers within their inclusive bounds and integers whole', () => {
    const age: FieldDefinition = { type: 'integer', label: 'age', min: 0, max: 130 };
    expect(check(age, 0)).toBeUndefined();
    expect(check(age, 130)).toBeUndefined();
    expect(check(age, -1)).toEqual({ key: 'form.tooSmall', vars: { min: 0 } });
    expect(check(age, 131)).toEqual({ key: 'form.tooLarge', vars: { max: 130 } });
    expect(check(age, 4.5)).toEqual({ key: 'form.notInteger' });
    expect(check({ type: 'number', label: 'income', min: 0 }, 4.5)).toBeUndefined();
    expect(check({ type: 'number', label: 'income' }, Number.NaN)).toEqual({ key: 'form.notNumber' });
  });

  it('takes dates as YYYY-MM-DD, enums and lists from their options, and counts list items', () => {
    expect(check({ type: 'date', label: 'd' }, '2026-03-10')).toBeUndefined();
    expect(check({ type: 'date', label: 'd' }, '10/03/2026')).toEqual({ key: 'form.notDate' });
    expect(check({ type: 'enum', label: 'e', options: ['a', 'b'] }, 'b')).toBeUndefined();
    expect(check({ type: 'enum', label: 'e', options: ['a', 'b'] }, 'c')).toEqual({ key: 'form.notAnOption' });
    expect(check({ type: 'list', label: 'l', options: ['a', 'b'], maxItems: 1 }, ['a', 'b'])).toEqual({ key: 'form.tooManyItems', vars: { max: 1 } });
    expect(check({ type: 'list', label: 'l', options: ['a', 'b'] }, ['a', 'z'])).toEqual({ key: 'form.notAnOption' });
    expect(check({ type: 'boolean', label: 'b' }, 'yes')).toEqual({ key: 'form.notBoolean' });
  });

  it('counts table rows against maxItems (500 by default)', () => {
    expect(check({ type: 'table', label: 't', maxItems: 2, columns: {} }, [{}, {}, {}])).toEqual({ key: 'form.tooManyRows', vars: { max: 2 } });
    expect(check({ type: 'table', label: 't', columns: {} }, Array.from({ length: 500 }, () => ({})))).toBeUndefined();
    expect(check({ type: 'table', label: 't', columns: {} }, Array.from({ length: 501 }, () => ({})))).toEqual({ key: 'form.tooManyRows', vars: { max: 500 } });
  });
});

describe('resident ID numbers (GB 11643)', () => {
  it('computes the MOD 11-2 check character', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44078119900101123')).toBe('8');
  });

  it('accepts a valid ID, also with a lower-case x, and refuses a wrong check character, an impossible or future birth date', () => {
    expect(isValidResidentId('11010519491231002X', TODAY)).toBe(true);
    expect(isValidResidentId('11010519491231002x', TODAY)).toBe(true);
    expect(isValidResidentId('110105194912310021', TODAY)).toBe(false);
    expect(isValidResidentId('110105194902300027', TODAY)).toBe(false); // 30 February
    const future = `11010520260316001`;
    expect(isValidResidentId(future + residentIdCheckCharacter(future), TODAY)).toBe(false);
    const today = `11010520260315001`;
    expect(isValidResidentId(today + residentIdCheckCharacter(today), TODAY)).toBe(true);
    expect(check({ type: 'residentId', label: 'id' }, '110105194912310021')).toEqual({ key: 'form.residentId' });
  });
});
