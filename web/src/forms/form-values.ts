import type { FieldDefinition } from '../api/types';
import { isEmptyValue } from './field-rules';

/**
 * The form's values as the API takes them. The inputs already hold API-shaped values
 * (dates as YYYY-MM-DD, numbers as numbers); left out are the fields nobody filled in, so
 * that an optional field is absent rather than null. Table rows are cleaned the same way.
 */
export function toApiData(fields: Record<string, FieldDefinition>, values: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = values[name];
    if (isEmptyValue(value)) continue;
    if (field.type === 'table' && Array.isArray(value)) {
      data[name] = value.map((row) => toApiData(field.columns ?? {}, (row ?? {}) as Record<string, unknown>));
    } else if (field.type === 'residentId' && typeof value === 'string') {
      data[name] = value.trim().toUpperCase();
    } else {
      data[name] = value;
    }
  }
  return data;
}

/**
 * The form item an API issue's path (`householdName`, `members.0.age`) names, with the field's
 * definition: a top-level field or a table cell. Undefined for anything else (a whole row, a
 * field the form does not have), which the page shows above the form instead.
 */
export function issueTarget(fields: Record<string, FieldDefinition>, path: string): { name: (string | number)[]; field: FieldDefinition } | undefined {
  const [key, row, column, ...rest] = path.split('.');
  const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
  if (!field || rest.length > 0) return undefined;
  if (row === undefined) return { name: [key], field };
  const columns = field.columns ?? {};
  if (field.type !== 'table' || !/^\d+$/.test(row) || column === undefined || !Object.hasOwn(columns, column)) return undefined;
  return { name: [key, Number(row), column], field: columns[column] };
}
