import { isSealedResidentId, isValidResidentId } from '../org/resident-id.js';
import { shownText } from '../org/resident-id-text.js';
import type { FieldDefinition } from './workflow-definition.js';

export interface InputIssue {
  field: string;
  message: string;
}

export interface FormInputOptions {
  /**
   * The day a resident ID's birth date may not be after: the time of the request, so the
   * answer depends on the request alone. Defaults to the clock.
   */
  today?: Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DEFAULT_MAX_LENGTH = { string: 200, text: 10_000 } as const;
const DEFAULT_MAX_ITEMS = 500;

/**
 * Checks an action's input against the form fields the definition declares: types,
 * required fields, bounds, and no field the form does not have. Returns every problem,
 * so a user can correct the whole form at once.
 */
export function validateFormInput(
  fields: Record<string, FieldDefinition> | undefined,
  input: Record<string, unknown>,
  options: FormInputOptions = {},
): InputIssue[] {
  const issues: InputIssue[] = [];
  checkForm(fields, input, '', options.today ?? new Date(), issues);
  return issues;
}

function checkForm(
  fields: Record<string, FieldDefinition> | undefined,
  input: Record<string, unknown>,
  prefix: string,
  today: Date,
  issues: InputIssue[],
): void {
  const declared = fields ?? {};
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(declared, name)) issues.push({ field: prefix + name, message: 'is not a field of this form' });
  }
  for (const [name, field] of Object.entries(declared)) {
    const value = Object.hasOwn(input, name) ? input[name] : undefined;
    if (value === undefined || value === null || value === '') {
      if (field.required) issues.push({ field: prefix + name, message: `is required (${field.label})` });
      continue;
    }
    const problem = checkValue(field, value, prefix + name, today, issues);
    if (problem) issues.push({ field: prefix + name, message: problem });
  }
}

function checkValue(field: FieldDefinition, value: unknown, path: string, today: Date, issues: InputIssue[]): string | undefined {
  switch (field.type) {
    case 'string':
    case 'text': {
      // A text whose resident IDs the shell sealed is checked as it reads: its masked text,
      // as long as the text typed.
      const text = shownText(value);
      if (typeof text !== 'string') return 'must be a string';
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH[field.type];
      return text.length > max ? `must be at most ${max} characters` : undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'must be a date written YYYY-MM-DD';
    case 'enum':
      return typeof value === 'string' && (field.options ?? []).includes(value)
        ? undefined
        : `must be one of ${(field.options ?? []).join(', ')}`;
    case 'residentId':
      // Plain (the shell seals it before the case data is stored) or already sealed. The
      // message never repeats the value: a mistyped ID is still someone's personal data.
      return isValidResidentId(value, today) || isSealedResidentId(value)
        ? undefined
        : 'must be a valid 18-character resident ID number (GB 11643: birth date and check character)';
    case 'list': {
      if (!Array.isArray(value)) return 'must be a list';
      if (value.length > (field.maxItems ?? DEFAULT_MAX_ITEMS)) return `must have at most ${field.maxItems ?? DEFAULT_MAX_ITEMS} items`;
      const bad = value.filter((item) => typeof item !== 'string' || !(field.options ?? []).includes(item));
      return bad.length ? `contains values that are not allowed: ${bad.map(String).join(', ')}` : undefined;
    }
    case 'table': {
      if (!Array.isArray(value)) return 'must be a list of rows';
      if (value.length > (field.maxItems ?? DEFAULT_MAX_ITEMS)) return `must have at most ${field.maxItems ?? DEFAULT_MAX_ITEMS} rows`;
      value.forEach((row, index) => {
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
          issues.push({ field: `${path}.${index}`, message: 'must be an object' });
        } else {
          checkForm(field.columns, row as Record<string, unknown>, `${path}.${index}.`, today, issues);
        }
      });
      return undefined;
    }
  }
}
