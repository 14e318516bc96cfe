import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Level, Role } from '../engine/workflow-definition.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { divisionName } from '../org/division-names.js';
import { beijingDateTime, durationText } from './time-text.js';
import { WorkflowLabels } from './workflow-labels.js';

export interface OverdueTask {
  taskId: string;
  caseId: string;
  title: string | null;
  workflow: { key: string; label: string };
  step: { key: string; label: string | null; entry: number };
  role: Role;
  level: Level;
  /** The node that owns the task (and so the overdue work). */
  jurisdictionCode: string;
  jurisdictionName: string | null;
  assigneeId: string | null;
  openedAt: Date;
  dueAt: Date;
  /** `dueAt` in Beijing time, `YYYY-MM-DD HH:MM`. */
  dueAtText: string;
  overdue: { seconds: number; days: number; text: string };
}

export interface OverdueCount {
  code: string;
  name: string | null;
  count: number;
}

export interface OverdueReport {
  now: Date;
  jurisdictionCode: string;
  /** Every overdue task in the subtree; `items` holds the first `limit` of them. */
  total: number;
  items: OverdueTask[];
  summary: {
    /** By the first 6 digits of the task's node; tasks of the city itself count under its code (440700). */
    byCounty: OverdueCount[];
    /** By the first 9 digits, for tasks owned by a town or a village (county and city tasks have no town). */
    byTown: OverdueCount[];
  };
}

export const DEFAULT_OVERDUE_LIMIT = 200;

/**
 * The tasks of one jurisdiction subtree whose step visit is past its due time. A task is
 * overdue when it is open and its `due_at` — the due time of its visit's `due` deadline,
 * kept on the task when the task opens, when a paused clock resumes and when a calendar
 * change moves it — lies before `now`. The one query behind GET /api/alerts/overdue and the
 * supervisors' daily digest, so the two can never disagree. idx_tasks_open_due serves it:
 * the page walks open tasks from the most overdue on, the counts read the index only.
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

    const items: OverdueTask[] = [];
    for (const row of rows) {
      const labels = await this.labels.forDefinition(manager, row.definition_id);
      const ms = now.getTime() - new Date(row.due_at).getTime();
      items.push({
        taskId: row.id,
        caseId: row.case_id,
        title: row.title,
        workflow: { key: row.workflow_key, label: labels.workflow },
        step: { key: row.step, label: labels.step(row.step) ?? null, entry: row.step_entry },
        role: row.role,
        level: row.level,
        jurisdictionCode: row.jurisdiction_code,
        jurisdictionName: divisionName(row.jurisdiction_code),
        assigneeId: row.assignee_id,
        openedAt: row.opened_at,
        dueAt: row.due_at,
        dueAtText: beijingDateTime(row.due_at),
        overdue: { seconds: Math.floor(ms / 1000), days: Math.floor(ms / 86_400_000), text: durationText(ms) },
      });
    }
    return {
      now,
      jurisdictionCode,
      total: groups.reduce((sum, g) => sum + g.count, 0),
      items,
      summary: { byCounty: tally(groups, (g) => g.county), byTown: tally(groups, (g) => g.town) },
    };
  }
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
