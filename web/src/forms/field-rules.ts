import type { FieldDefinition } from '../api/types';
import type { MessageKey } from '../i18n/messages';
import { isValidResidentId } from './resident-id';

/**
 * What the API would say about one form value (src/engine/form-input.ts), as a message of
 * this app's table: the same types, required fields, bounds, lengths, options and item
 * counts, and the same GB 11643 check of resident IDs. The browser checks first so that the
 * officer corrects the whole form at once; the API checks again and has the last word.
 */
export interface FieldProblem {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The API's limits when a definition sets none. */
export const DEFAULT_MAX_LENGTH = { string: 200, text: 10_000 } as const;
export const DEFAULT_MAX_ITEMS = 500;

/** Empty as the API counts it: absent, null or ''. An empty list is a value. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function maxLengthOf(field: FieldDefinition): number {
  return field.maxLength ?? (field.type === 'text' ? DEFAULT_MAX_LENGTH.text : DEFAULT_MAX_LENGTH.string);
}

export function maxItemsOf(field: FieldDefinition): number {
  return field.maxItems ?? DEFAULT_MAX_ITEMS;
}

/**
 * The problem with a value in its API form (dates as YYYY-MM-DD, numbers as numbers), or
 * undefined. Table rows are checked column by column through the columns' own fields, so
 * only a row's shape and count are checked here.
 */
export function checkField(field: FieldDefinition, value: unknown, today: Date = new Date()): FieldProblem | undefined {
  if (isEmptyValue(value)) return field.required ? { key: 'form.required' } : undefined;
  switch (field.type) {
    case 'string':
    case 'text': {
      if (typeof value !== 'string') return { key: 'form.notText' };
      const max = maxLengthOf(field);
      return value.length > max ? { key: 'form.tooLong', vars: { max } } : undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { key: 'form.notNumber' };
      if (field.type === 'integer' && !Number.isInteger(value)) return { key: 'form.notInteger' };
      if (field.min !== undefined && value < field.min) return { key: 'form.tooSmall', vars: { min: field.min } };
      if (field.max !== undefined && value > field.max) return { key: 'form.tooLarge', vars: { max: field.max } };
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { key: 'form.notBoolean' };
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : { key: 'form.notDate' };
    case 'enum':
      return typeof value === 'string' && (field.options ?? []).includes(value) ? undefined : { key: 'form.notAnOption' };
    case 'residentId':
      return isValidResidentId(value, today) ? undefined : { key: 'form.residentId' };
    case 'list': {
      if (!Array.isArray(value)) return { key: 'form.notAList' };
      if (value.length > maxItemsOf(field)) return { key: 'form.tooManyItems', vars: { max: maxItemsOf(field) } };
      const allowed = field.options ?? [];
      return value.every((item) => typeof item === 'string' && allowed.includes(item)) ? undefined : { key: 'form.notAnOption' };
    }
    case 'table': {
      if (!Array.isArray(value)) return { key: 'form.notAList' };
      return value.length > maxItemsOf(field) ? { key: 'form.tooManyRows', vars: { max: maxItemsOf(field) } } : undefined;
    }
  }
}
