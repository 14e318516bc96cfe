import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Level, Role } from '../engine/workflow-definition.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { divisionName } from '../org/division-names.js';
import { beijingDateTime, durationText } from './time-text.js';
import { WorkflowLabels } from './workflow-labels.js';

export interface OverdueTask {
  /**
   * `task`: an open task past its due time. `call`: a call step past its due time, waiting
   * for the case it called (no task: nobody acts on the step, the called case's people work).
   */
  kind: 'task' | 'call';
  /** The task; null for a call step. */
  taskId: string | null;
  caseId: string;
  title: string | null;
  workflow: { key: string; label: string };
  step: { key: string; label: string | null; entry: number };
  /** The task's role and level; null for a call step. */
  role: Role | null;
  level: Level | null;
  /**
   * The node that owns the overdue work: the task's node; for a call step, the calling
   * case's town (its own node when the case lies above town level).
   */
  jurisdictionCode: string;
  jurisdictionName: string | null;
  assigneeId: string | null;
  /** When the task opened, or the call step was entered (its called case started). */
  openedAt: Date;
  dueAt: Date;
  /** `dueAt` in Beijing time, `YYYY-MM-DD HH:MM`. */
  dueAtText: string;
  overdue: { seconds: number; days: number; text: string };
  /** A call step: the case it waits for (open it with GET /api/cases/:id). Null for a task. */
  waitingFor: WaitedCase | null;
}

/** The called case a call step waits for: its workflow, status and the steps it is at now. */
export interface WaitedCase {
  caseId: string;
  title: string | null;
  workflow: { key: string; label: string };
  status: string;
  steps: { key: string; label: string | null }[];
}

export interface OverdueCount {
  code: string;
  name: string | null;
  count: number;
}

export interface OverdueReport {
  now: Date;
  jurisdictionCode: string;
  /** Every overdue task and call step in the subtree; `items` holds the first `limit` of them. */
  total: number;
  items: OverdueTask[];
  summary: {
    /** By the first 6 digits of the owning node (`jurisdictionCode`); work of the city itself counts under its code (440700). */
    byCounty: OverdueCount[];
    /** By the first 9 digits, for work owned by a town or a village (county and city work has no town). */
    byTown: OverdueCount[];
  };
}

export const DEFAULT_OVERDUE_LIMIT = 200;

/**
 * The overdue work of one jurisdiction subtree: the open tasks whose step visit is past its
 * due time, and the call steps past theirs. The one read behind GET /api/alerts/overdue, the
 * dashboard's counts and the supervisors' daily digest, so they can never disagree.
 *
 * A task is overdue when it is open and its `due_at` — the due time of its visit's `due`
 * deadline, kept on the task when the task opens, when a paused clock resumes and when a
 * calendar change moves it — lies before `now`. idx_tasks_open_due serves it: the page walks
 * open tasks from the most overdue on, the counts read the index only.
 *
 * A call step has no task: it waits for the case it called. It is overdue when its visit's
 * `due` deadline (pending, or fired) lies before `now` while the calling case is still in
 * that visit and the called case still runs. It counts once, for the calling case's town,
 * labelled with the step and naming the called case. The called case's own tasks count on
 * their own only when they are overdue themselves (each is a time limit of its own unit):
 * a late investigation can show both the town's late task and the late call step.
 */
@Injectable()
export class OverdueAlertsService {
  constructor(private readonly labels: WorkflowLabels) {}

  async find(manager: EntityManager, jurisdictionCode: string, now: Date, limit = DEFAULT_OVERDUE_LIMIT): Promise<OverdueReport> {
    // Codes nest by prefix, so "inside my jurisdiction" is one LIKE (digits only: no escaping).
    const prefix = subtreePrefix(jurisdictionCode);
    // Both statements find the overdue tasks in idx_tasks_open_due alone (due time, node,
    // id): the page reads the rows of its `limit` ids only, the counts read no row at all.
    // Joining first and limiting after would read every overdue task of the subtree.
    const overdue = `
      SELECT t.id, t.jurisdiction_code, t.due_at
        FROM tasks t
       WHERE t.status = 'open' AND t.due_at < $2 AND t.jurisdiction_code LIKE $1 || '%'`;

    const rows: OverdueRow[] = await manager.query(
      `WITH page AS (${overdue} ORDER BY t.due_at, t.id LIMIT $3)
       SELECT t.id, t.case_id, t.step, t.step_entry, t.role, t.level, t.jurisdiction_code, t.assignee_id, t.opened_at, t.due_at,
              c.title, c.workflow_key, c.definition_id
         FROM page p JOIN tasks t ON t.id = p.id JOIN cases c ON c.id = t.case_id
        ORDER BY t.due_at, t.id`,
      [prefix, now, limit],
    );
    const groups: { county: string; town: string | null; count: number }[] = await manager.query(
      `SELECT left(o.jurisdiction_code, 6) AS county,
              CASE WHEN length(o.jurisdiction_code) >= 9 THEN left(o.jurisdiction_code, 9) END AS town,
              count(*)::int AS count
         FROM (${overdue}) o GROUP BY 1, 2`,
      [prefix, now],
    );
    // Few call steps wait at any time (a called case per visit): all of them, not a page.
    const calls: OverdueCallRow[] = await manager.query(OVERDUE_CALLS_SQL, [prefix, now]);
    for (const call of calls) {
      groups.push({ county: call.jurisdiction_code.slice(0, 6), town: call.jurisdiction_code.length >= 9 ? call.jurisdiction_code.slice(0, 9) : null, count: 1 });
    }

    const items: OverdueTask[] = [];
    for (const row of rows) {
      const labels = await this.labels.forDefinition(manager, row.definition_id);
      items.push({
        kind: 'task',
        taskId: row.id,
        caseId: row.case_id,
        title: row.title,
        workflow: { key: row.workflow_key, label: labels.workflow },
        step: { key: row.step, label: labels.step(row.step) ?? null, entry: row.step_entry },
        role: row.role,
        level: row.level,
        ...owner(row.jurisdiction_code),
        assigneeId: row.assignee_id,
        openedAt: row.opened_at,
        ...lateness(row.due_at, now),
        waitingFor: null,
      });
    }
    for (const call of calls) {
      const labels = await this.labels.forDefinition(manager, call.definition_id);
      const called = await this.labels.forDefinition(manager, call.child_definition_id);
      items.push({
        kind: 'call',
        taskId: null,
        caseId: call.case_id,
        title: call.title,
        workflow: { key: call.workflow_key, label: labels.workflow },
        step: { key: call.step, label: labels.step(call.step) ?? null, entry: call.step_entry },
        role: null,
        level: null,
        ...owner(call.jurisdiction_code),
        assigneeId: null,
        openedAt: call.entered_at,
        ...lateness(call.due_at, now),
        waitingFor: {
          caseId: call.child_id,
          title: call.child_title,
          workflow: { key: call.child_workflow_key, label: called.workflow },
          status: call.child_status,
          steps: call.child_steps.map((key) => ({ key, label: called.step(key) ?? null })),
        },
      });
    }
    // Most overdue first; the sort is stable, so tasks keep their (due_at, id) order and a
    // call step due at the same time comes after them. The tasks beyond the page are later
    // than every task in it, so the first `limit` of the merge are the first of all.
    items.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    return {
      now,
      jurisdictionCode,
      total: groups.reduce((sum, g) => sum + g.count, 0),
      items: items.slice(0, limit),
      summary: { byCounty: tally(groups, (g) => g.county), byTown: tally(groups, (g) => g.town) },
    };
  }
}

/**
 * The call steps of a subtree past their due time that still wait for the case they called.
 * Read from the called cases that still run (few: found through idx_cases_parent_case_id,
 * which holds called cases only), each joined to its calling case and to the `due` deadline
 * of the calling step visit. A fired `due` row stays `fired` after its visit ends, so the
 * calling case must still be in that visit: running, the step's latest entry, and the step
 * a leaf of its state value (a parallel region may have left it). The owner is the calling
 * case's town — a call step has no role or level — or the case's own node above town level.
 */
const OVERDUE_CALLS_SQL = `
  SELECT o.*
    FROM (SELECT d.case_id, d.step, d.step_entry, d.due_at, k.created_at AS entered_at,
                 c.title, c.workflow_key, c.definition_id,
                 CASE WHEN length(c.jurisdiction_code) >= 9 THEN left(c.jurisdiction_code, 9) ELSE c.jurisdiction_code END AS jurisdiction_code,
                 k.id AS child_id, k.title AS child_title, k.workflow_key AS child_workflow_key, k.definition_id AS child_definition_id,
                 k.status AS child_status,
                 jsonb_path_query_array(k.snapshot -> 'value', 'strict $.** ? (@.type() == "string")') AS child_steps
            FROM cases k
            JOIN cases c ON c.id = k.parent_case_id
            JOIN deadlines d ON d.case_id = k.parent_case_id AND d.step = k.parent_step AND d.step_entry = k.parent_step_entry
           WHERE k.parent_case_id IS NOT NULL AND k.snapshot ->> 'status' = 'active'
             AND d.kind = 'due' AND d.status IN ('pending', 'fired') AND d.due_at < $2
             AND c.snapshot ->> 'status' = 'active'
             AND (c.snapshot -> 'context' -> 'entries' ->> d.step)::int = d.step_entry
             AND jsonb_path_exists(c.snapshot -> 'value', 'strict $.** ? (@ == $step)', jsonb_build_object('step', d.step))) o
   WHERE o.jurisdiction_code LIKE $1 || '%'
   ORDER BY o.due_at, o.case_id, o.step`;

/** The owning node and its name. */
function owner(code: string): Pick<OverdueTask, 'jurisdictionCode' | 'jurisdictionName'> {
  return { jurisdictionCode: code, jurisdictionName: divisionName(code) };
}

/** The due time and how long ago it passed. */
function lateness(dueAt: Date, now: Date): Pick<OverdueTask, 'dueAt' | 'dueAtText' | 'overdue'> {
  const ms = now.getTime() - new Date(dueAt).getTime();
  return { dueAt, dueAtText: beijingDateTime(dueAt), overdue: { seconds: Math.floor(ms / 1000), days: Math.floor(ms / 86_400_000), text: durationText(ms) } };
}

interface OverdueRow {
  id: string;
  case_id: string;
  step: string;
  step_entry: number;
  role: Role;
  level: Level;
  jurisdiction_code: string;
  assignee_id: string | null;
  opened_at: Date;
  due_at: Date;
  title: string | null;
  workflow_key: string;
  definition_id: string;
}

interface OverdueCallRow {
  case_id: string;
  step: string;
  step_entry: number;
  due_at: Date;
  /** When the step was entered: the called case started in the same transaction. */
  entered_at: Date;
  title: string | null;
  workflow_key: string;
  definition_id: string;
  /** The owning node: the calling case's town, or its own node above town level. */
  jurisdiction_code: string;
  child_id: string;
  child_title: string | null;
  child_workflow_key: string;
  child_definition_id: string;
  child_status: string;
  /** The called case's current steps (the leaves of its state value). */
  child_steps: string[];
}

/** Sums the groups by a key, most overdue first (then by code, for a stable order). */
function tally<T extends { count: number }>(groups: T[], key: (g: T) => string | null): OverdueCount[] {
  const counts = new Map<string, number>();
  for (const group of groups) {
    const code = key(group);
    if (code !== null) counts.set(code, (counts.get(code) ?? 0) + group.count);
  }
  return [...counts]
    .map(([code, count]) => ({ code, name: divisionName(code), count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
