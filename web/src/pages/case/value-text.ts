import type { FieldDefinition } from '../../api/types';
import { hasKey, type Locale, type Translate } from '../../i18n/i18n';

export function optionText(field: FieldDefinition | undefined, option: string, locale: Locale): string {
  if (!field) return option;
  return (locale === 'en-US' ? (field.optionLabelsEn?.[option] ?? field.optionLabels?.[option]) : field.optionLabels?.[option]) ?? option;
}

/**
 * A case data value as text: yes/no, option labels, a list joined, a table as its row count
 * (the summary shows tables as tables). Resident IDs arrive masked from the API.
 */
export function valueText(field: FieldDefinition | undefined, value: unknown, t: Translate, locale: Locale): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (field?.type === 'table' && Array.isArray(value)) return t('case.rows', { count: value.length });
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? optionText(field, item, locale) : JSON.stringify(item))).join('、');
  if (typeof value === 'string') return field?.type === 'enum' ? optionText(field, value, locale) : value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** A case status in words; one a definition introduced (caseStatus) that the table does not know shows as itself. */
export function statusText(status: string, tx: (key: string) => string): string {
  const key = `caseStatus.${status}`;
  return hasKey(key) ? tx(key) : status;
}
