import { LEVELS, type FieldDefinition, type Level, type Role } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import { levelOf } from '../engine/jurisdiction-code.js';
import { mayStart, placementLevel, type Starter } from './case-start-rule.js';

export interface WorkflowName {
  key: string;
  label: string;
  labelEn: string | null;
}

/** A workflow the user may start, with its start form (`GET /api/workflows/startable`). */
export interface StartableWorkflow extends WorkflowName {
  /** The version a case started now is pinned to. */
  version: number;
  start: { role: Role; level: Level; fields: Record<string, FieldDefinition> };
  /**
   * Where the case may be placed: a node at `level` or below inside the user's subtree.
   * `required` when the user's own node (the default) is above that level — a city supervisor
   * places an accountability interview in a county.
   */
  jurisdiction: { level: Level; required: boolean };
  /**
   * Set when the workflow's cases start from a household file (`POST /api/households/:id/cases`):
   * the file statuses it starts from and the start fields the file fills.
   */
  household: { statuses: readonly string[]; fromFile: readonly string[] } | null;
  /** The workflows whose call steps start this one: a case started by hand reports to none of them. */
  calledBy: WorkflowName[];
}

export interface PublishedWorkflow {
  version: number;
  compiled: CompiledWorkflow;
}

/**
 * The workflows `user` may start, from the versions new cases start on (pure): those whose
 * `start` the user fills (the rule of `POST /api/cases`, case-start-rule.ts), in key order,
 * each start form's fields in the author's order (the stored definition keeps it).
 */
export function startableWorkflows(
  newest: readonly PublishedWorkflow[],
  user: Starter,
  householdStart: (workflow: string) => { statuses: readonly string[]; fromFile: readonly string[] } | undefined,
): StartableWorkflow[] {
  const userDepth = LEVELS.indexOf(levelOf(user.jurisdictionCode) ?? 'city');
  const callers = new Map<string, WorkflowName[]>();
  for (const { compiled } of newest) {
    const { definition } = compiled;
    for (const { definition: step } of compiled.steps.values()) {
      if (step.type !== 'call' || !step.call) continue;
      const list = callers.get(step.call.workflow) ?? [];
      if (!list.some((caller) => caller.key === definition.key)) list.push(nameOf(compiled));
      callers.set(step.call.workflow, list);
    }
  }
  return newest
    .filter(({ compiled }) => mayStart(compiled.definition.start, user))
    .map(({ version, compiled }) => {
      const { start } = compiled.definition;
      const level = placementLevel(compiled);
      const household = householdStart(compiled.definition.key);
      return {
        ...nameOf(compiled),
        version,
        start: { role: start.role, level: start.level, fields: start.fields ?? {} },
        jurisdiction: { level, required: LEVELS.indexOf(level) > userDepth },
        household: household ? { statuses: household.statuses, fromFile: household.fromFile } : null,
        calledBy: callers.get(compiled.definition.key) ?? [],
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

function nameOf({ definition }: CompiledWorkflow): WorkflowName {
  return { key: definition.key, label: definition.label, labelEn: definition.labelEn ?? null };
}
