import { canonicalJson } from '../common/canonical-json.js';

/**
 * The household file (一户一档) in plain terms (pure): statuses, the support measures,
 * the per-capita disposable income and the change lists of the version log.
 */
export const REGISTER_STATUSES = ['none', 'registered', 'exited', 'reentered'] as const;
export type RegisterStatus = (typeof REGISTER_STATUSES)[number];

export const REGISTER_STATUS_LABELS: Record<RegisterStatus, { label: string; labelEn: string }> = {
  none: { label: '未建档', labelEn: 'Not registered' },
  registered: { label: '建档立卡', labelEn: 'Registered poor' },
  exited: { label: '已脱贫', labelEn: 'Exited' },
  reentered: { label: '返贫', labelEn: 'Re-entered' },
};

/** The seed's support measures (一户一策), as poverty-entry's `support.submit` lists them. */
export const SUPPORT_MEASURES = ['industry', 'finance', 'entrepreneurship', 'employment', 'education', 'medical', 'relief', 'ecommerce'] as const;
export type SupportMeasure = (typeof SUPPORT_MEASURES)[number];

export const MEASURE_LABELS: Record<SupportMeasure, string> = {
  industry: '产业扶贫',
  finance: '金融扶贫',
  entrepreneurship: '创业扶贫',
  employment: '就业扶贫',
  education: '教育扶贫',
  medical: '医疗扶贫',
  relief: '救助扶贫',
  ecommerce: '电商扶贫',
};

/** Disposable income by source, as the statistics define it: 工资性, 经营净, 财产净, 转移净收入. */
export const INCOME_SOURCES = ['wage', 'business', 'property', 'transfer'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];
/** Net incomes may be negative (a business loss); wages and transfers may not. */
export const NET_INCOME_SOURCES: readonly IncomeSource[] = ['business', 'property'];

export const SCHOOLING = ['none', 'preschool', 'primary', 'junior', 'senior', 'vocational', 'college'] as const;
export type Schooling = (typeof SCHOOLING)[number];

export const ATTACHMENT_KINDS = ['meeting-minutes', 'notice-photo', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** "10+1": ten or more party-member volunteers form the help group of one household. */
export const VOLUNTEER_GROUP_SIZE = 10;
export interface Volunteer {
  name: string;
  partyMember: boolean;
}

/** One line of a version: what changed, from what, to what (null: absent). */
export interface FileChange {
  path: string;
  from: unknown;
  to: unknown;
}

/**
 * Per-capita disposable income of a year = (sum of the year's income records) / (number of
 * members), in yuan rounded to the fen (0.01; halves away from zero). The sum is taken in
 * fen, exactly. The rounded figure is the one compared with the lines, the one shown, and
 * the one a case started from the file is given: one number everywhere. Null when there
 * is no record for the year or no member.
 */
export function perCapitaIncome(amounts: readonly number[], members: number): { total: number; perCapita: number } | null {
  if (amounts.length === 0 || members < 1) return null;
  const totalFen = amounts.reduce((sum, amount) => sum + Math.round(amount * 100), 0);
  const perCapitaFen = Math.sign(totalFen) * Math.round(Math.abs(totalFen) / members);
  return { total: totalFen / 100, perCapita: perCapitaFen / 100 };
}

/**
 * The changes between two flat states of a file (path → value; see flattenFile). Paths in
 * the order of `after` then the removed ones of `before`; values compared as canonical JSON.
 */
export function changesBetween(before: Record<string, unknown>, after: Record<string, unknown>): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, to] of Object.entries(after)) {
    const from = Object.hasOwn(before, path) ? before[path] : null;
    if (canonicalJson(from ?? null) !== canonicalJson(to ?? null)) changes.push({ path, from: from ?? null, to: to ?? null });
  }
  for (const [path, from] of Object.entries(before)) {
    if (!Object.hasOwn(after, path) && from !== null && from !== undefined) changes.push({ path, from, to: null });
  }
  return changes;
}

/**
 * A part of a file as flat paths for changesBetween: an object's fields as `prefix.field`,
 * a list of records with ids as `prefix[id]` → the record without its id.
 */
export function flatten(prefix: string, value: Record<string, unknown> | ReadonlyArray<{ id: string } & Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  if (Array.isArray(value)) {
    for (const { id, ...rest } of value) flat[`${prefix}[${id}]`] = rest;
  } else {
    for (const [key, item] of Object.entries(value)) flat[prefix ? `${prefix}.${key}` : key] = item;
  }
  return flat;
}
