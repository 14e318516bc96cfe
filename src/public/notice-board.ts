import { BEIJING_OFFSET_MINUTES } from '../deadlines/deadline-duration.js';
import type { ActionDefinition, FieldDefinition, WorkflowDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import { clipFreeText, type FreeText } from '../org/resident-id-text.js';

/**
 * The public board's pure core: which steps are public notices (公示公告), what a notice
 * proposes, and the projection of a notice onto the few fields the public may see.
 */

/** A notice step of a definition and the action by which the public objects. */
export interface NoticeStep {
  step: string;
  objectAction: string;
}

/**
 * The notice steps of a definition: task steps (parallel branches' included) that offer an
 * action of kind `object`. Derived, never listed: a new workflow with a notice step, or a
 * renamed step, appears on the board without code changes.
 */
export function noticeSteps(compiled: Pick<CompiledWorkflow, 'steps'>): NoticeStep[] {
  const found: NoticeStep[] = [];
  for (const [key, { definition: step }] of compiled.steps) {
    if ((step.type ?? 'task') !== 'task') continue;
    const object = Object.entries(step.actions ?? {}).find(([, action]) => action.kind === 'object');
    if (object) found.push({ step: key, objectAction: object[0] });
  }
  return found;
}

/**
 * What the notice proposes, in the words of a paper notice board. The known procedures say
 * it as a notice would; any other workflow with a notice step says its own label.
 */
const PROPOSALS: Record<string, string> = {
  'poverty-entry': '拟纳入建档立卡贫困户',
  'poverty-exit': '拟退出贫困户',
  'disaster-reentry': '因灾返贫，拟重新纳入帮扶',
};

export function proposalOf(definition: Pick<WorkflowDefinition, 'key' | 'label'>): string {
  return PROPOSALS[definition.key] ?? `拟办理：${definition.label}`;
}

/**
 * The input of the notice step's `object` action from a citizen's objection: the text goes
 * to the action's first text field (required ones first), the name — when given and when
 * the action has a field for it — to its first string field, cut to that field's length.
 * Either may hold sealed resident IDs (src/org/resident-id-text.ts): an ID cut by the end
 * keeps only the part of its mask that fits.
 */
export function objectionInput(action: ActionDefinition, objection: { text: FreeText; name?: FreeText }): Record<string, unknown> {
  const fields = Object.entries(action.fields ?? {});
  const byRequired = (a: [string, FieldDefinition], b: [string, FieldDefinition]) => Number(b[1].required === true) - Number(a[1].required === true);
  const textField = fields.filter(([, f]) => f.type === 'text').sort(byRequired)[0];
  const nameField = fields.filter(([, f]) => f.type === 'string').sort(byRequired)[0];
  const input: Record<string, unknown> = {};
  if (textField) input[textField[0]] = clipFreeText(objection.text, textField[1].maxLength);
  if (nameField && objection.name) input[nameField[0]] = clipFreeText(objection.name, nameField[1].maxLength);
  return input;
}

/** `2026-03-02`: the calendar date in Beijing of an instant. */
export function beijingDate(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/**
 * Everything the board shows of a notice — the allow-list. Whatever else a case holds (ID
 * numbers, incomes, phones, officers, votes) cannot reach the board: the projection below
 * builds each item from these keys alone, never by copying or filtering case data.
 */
export const PUBLIC_NOTICE_FIELDS = ['id', 'householdName', 'town', 'village', 'proposal', 'period'] as const;

export interface PublicNotice {
  /** Opaque (src/public/public-ids.ts NoticeIdCodec), not the case id. */
  id: string;
  householdName: string;
  /** County and town or street, as a notice names them ('台山市端芬镇'). */
  town: string | null;
  village: string | null;
  proposal: string;
  /** Dates in Beijing; `end` is null when the step has no deadline. */
  period: { start: string; end: string | null };
}

/** What the board query reads of one notice (src/public/public-notices.service.ts). */
export interface NoticeSource {
  id: string;
  title: string | null;
  countyName: string | null;
  townName: string | null;
  villageName: string | null;
  proposal: string;
  openedAt: Date;
  dueAt: Date | null;
}

export function toPublicNotice(source: NoticeSource): PublicNotice {
  return {
    id: source.id,
    householdName: source.title ?? '',
    town: source.townName === null ? null : `${source.countyName ?? ''}${source.townName}`,
    village: source.villageName,
    proposal: source.proposal,
    period: { start: beijingDate(source.openedAt), end: source.dueAt ? beijingDate(source.dueAt) : null },
  };
}
