import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WorkflowLabels } from '../alerts/workflow-labels.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import type { Level, Role } from '../engine/workflow-definition.js';
import { DEFAULT_INBOX_LIMIT, type InboxQueryDto } from './dto/inbox-query.dto.js';
import { TaskException, TaskExceptionCode } from './task.exception.js';

export type Assignment = 'assigned' | 'offered' | 'signer' | 'delegated-away';

export interface InboxItem {
  taskId: string;
  caseId: string;
  caseVersion: number;
  workflow: { key: string; version: number; label: string };
  step: { key: string; label: string | null };
  role: Role;
  level: Level;
  jurisdictionCode: string;
  caseJurisdictionCode: string;
  title: string | null;
  dueAt: Date | null;
  overdue: boolean;
  openedAt: Date;
  assignment: Assignment;
  assigneeId: string | null;
  ownerId: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
}

const MIN_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The parameters of INBOX_SQL. The keyset runs on (due_at NULLS LAST, id); tasks with a due
 * time and tasks without one are read by separate index scans, so every bound is an index
 * condition rather than a filter:
 *   $1 user id · $2 roles · $3 the user's node · $4 rows per branch (page size + 1)
 *   $5, $6   tasks with a due time come after (due_at, id) > ($5, $6); $5 NULL: none of them
 *   $7       tasks without a due time come after id > $7; NULL: none of them
 *   $8       due_at < $8 ('infinity' when unbounded: dueBefore, overdue)
 *   $9 workflow key · $10 step · $11 case jurisdiction LIKE pattern · $12 title ILIKE pattern
 *   $13 any case filter ($9, $11, $12) at all · $14 include delegated-away tasks
 */
export type InboxParams = [
  userId: string,
  roles: string[],
  jurisdiction: string,
  rows: number,
  dueAfter: string | null,
  dueAfterId: string,
  undueAfterId: string | null,
  dueBefore: string,
  workflow: string | null,
  step: string | null,
  caseJurisdiction: string | null,
  title: string | null,
  caseFilter: boolean,
  delegated: boolean,
];

/** The case filters ($9, $11, $12) as conditions on the case row `c`. */
const CASE_CONDITIONS = `($9::text IS NULL OR c.workflow_key = $9::text)
           AND ($11::text IS NULL OR c.jurisdiction_code LIKE $11::text)
           AND ($12::text IS NULL OR c.title ILIKE $12::text)`;

/**
 * The conditions every branch applies to its task rows `t` (beyond who the task is for).
 * Without case filters ($13 false) the case is not read at all; with them, the branch joins
 * its case (`c`), so the planner may also start from the cases — a village's cases through
 * idx_cases_jurisdiction_code (text_pattern_ops) — rather than walk the whole inbox.
 */
function taskFilters(scope: CaseScope): string {
  const cases = {
    none: `NOT $13::boolean AND $9::text IS NULL AND $11::text IS NULL AND $12::text IS NULL`,
    join: `$13::boolean AND ${CASE_CONDITIONS}`,
    village: `$13::boolean`, // applied in `scoped`
  }[scope];
  return `t.status = 'open'
           AND ($10::text IS NULL OR t.step = $10::text)
           AND ${cases}
           AND NOT EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.user_id = $1::uuid AND s.status = 'signed')`;
}

/**
 * One keyset branch: the rows of `who` (an index prefix) with a due time after the cursor,
 * then those without, each an ordered index scan that stops at $4 rows.
 */
function branch(scope: CaseScope, assignment: Assignment, from: string, who: string): string {
  const columns = `t.id, t.due_at, '${assignment}'::text AS assignment`;
  return `(SELECT ${columns} FROM ${from}
           WHERE ${who} AND (t.due_at, t.id) > ($5::timestamptz, $6::uuid) AND t.due_at < $8::timestamptz
           AND ${taskFilters(scope)}
           ORDER BY t.due_at, t.id LIMIT $4)
         UNION ALL
         (SELECT ${columns} FROM ${from}
           WHERE ${who} AND t.due_at IS NULL AND t.id > $7::uuid
           AND ${taskFilters(scope)}
           ORDER BY t.due_at, t.id LIMIT $4)`;
}

/**
 * A user's inbox, one page. Each way a task reaches a user is its own branch of a UNION ALL,
 * read through its own index in (due_at, id) order and cut at the page size:
 *  (a) assigned to me: idx_tasks_assigned (assignee_id, due_at, id);
 *  (b) offered to a role of mine at my node, unassigned: idx_tasks_offered
 *      (jurisdiction_code, role, due_at, id), one scan per role (LATERAL over my roles, so
 *      each scan is in index order: PostgreSQL 15 does not keep the order of `role = ANY`);
 *  (c) a pending signature of mine: idx_task_signers_pending_user, then the tasks by id;
 *  (d) with ?include=delegated, tasks I delegated away (owner_id = me, someone else assigned).
 * Every branch drops tasks I already signed. The branches' rows are merged (a task reached
 * twice keeps the first way in the order above), sorted and cut again; only then are the
 * page's rows joined to their cases. A deactivated user's inbox is empty.
 *
 * Three texts with the same parameters (InboxParams), by the case filters (workflow,
 * jurisdiction, q): without them no branch reads a case ('none'); with them every branch
 * joins its case ('join'); filtered to one village, the village's cases (a couple of
 * thousand at most, through idx_cases_jurisdiction_code) and their open tasks (through
 * idx_tasks_open_by_case) are read once, first, and the branches pick from those rows
 * ('village'): walking a county's or the city's whole inbox to find a village's few tasks
 * costs a case look-up per task, and the planner, which underestimates how many tasks a
 * node holds, would otherwise choose that.
 */
function inboxSql(scope: CaseScope): string {
  const tasks = { none: 'tasks t', join: 'tasks t JOIN cases c ON c.id = t.case_id', village: 'scoped t' }[scope];
  const scoped =
    scope === 'village'
      ? `scoped AS MATERIALIZED (
  SELECT t.* FROM cases c CROSS JOIN LATERAL (SELECT * FROM tasks t0 WHERE t0.case_id = c.id AND t0.status = 'open' OFFSET 0) t
   WHERE ${CASE_CONDITIONS}),`
      : '';
  return `
WITH me AS (SELECT 1 FROM users WHERE id = $1::uuid AND active),
${scoped}
branches AS (
  ${branch(scope, 'assigned', tasks, 't.assignee_id = $1::uuid')}
  UNION ALL
  SELECT o.* FROM unnest($2::text[]) AS r(role) CROSS JOIN LATERAL (
    ${branch(scope, 'offered', tasks, 't.jurisdiction_code = $3::text AND t.role = r.role AND t.assignee_id IS NULL')}
  ) o
  UNION ALL
  (SELECT x.id, x.due_at, 'signer'::text AS assignment
     FROM task_signers sg CROSS JOIN LATERAL (
          -- One task look-up per pending signature (OFFSET 0 keeps it so: joined, the planner
          -- may walk every task in id order to merge with a user's few signatures).
          SELECT t.id, t.due_at FROM ${tasks}
           WHERE t.id = sg.task_id
             AND (((t.due_at, t.id) > ($5::timestamptz, $6::uuid) AND t.due_at < $8::timestamptz) OR (t.due_at IS NULL AND t.id > $7::uuid))
             AND ${taskFilters(scope)}
          OFFSET 0) x
    WHERE sg.user_id = $1::uuid AND sg.status = 'pending'
    ORDER BY x.due_at, x.id LIMIT $4)
  UNION ALL
  (SELECT t.id, t.due_at, 'delegated-away'::text AS assignment
     FROM ${tasks}
    WHERE $14::boolean AND t.owner_id = $1::uuid AND t.assignee_id IS DISTINCT FROM $1::uuid
      AND (((t.due_at, t.id) > ($5::timestamptz, $6::uuid) AND t.due_at < $8::timestamptz) OR (t.due_at IS NULL AND t.id > $7::uuid))
      AND ${taskFilters(scope)}
    ORDER BY t.due_at, t.id LIMIT $4)
),
page AS (
  SELECT DISTINCT ON (b.id) b.id, b.due_at, b.assignment
    FROM branches b, me
   ORDER BY b.id, array_position(ARRAY['assigned', 'signer', 'offered', 'delegated-away'], b.assignment)
),
first AS (SELECT * FROM page ORDER BY due_at NULLS LAST, id LIMIT $4)
SELECT t.id, t.case_id, t.step, t.role, t.level, t.jurisdiction_code, t.assignee_id, t.owner_id, t.opened_at,
       t.due_at, to_char(p.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS due_key, p.assignment,
       c.version AS case_version, c.workflow_key, c.workflow_version, c.definition_id, c.jurisdiction_code AS case_jurisdiction_code, c.title
  FROM first p
  JOIN tasks t ON t.id = p.id
  JOIN cases c ON c.id = t.case_id
 ORDER BY p.due_at NULLS LAST, p.id`;
}

type CaseScope = 'none' | 'join' | 'village';

/** The inbox statements (see inboxSql). */
export const INBOX_SQL = inboxSql('none');
export const INBOX_SQL_CASE_FILTERED = inboxSql('join');
export const INBOX_SQL_VILLAGE = inboxSql('village');

/** The statement for these parameters: by $13 (any case filter) and $11 (a village's 12 digits and '%'). */
export function inboxStatement(params: InboxParams): string {
  if (!params[12]) return INBOX_SQL;
  return params[10]?.length === 13 ? INBOX_SQL_VILLAGE : INBOX_SQL_CASE_FILTERED;
}

export interface InboxRow {
  id: string;
  case_id: string;
  step: string;
  role: Role;
  level: Level;
  jurisdiction_code: string;
  assignee_id: string | null;
  owner_id: string | null;
  opened_at: Date;
  due_at: Date | null;
  due_key: string | null;
  assignment: Assignment;
  case_version: number;
  workflow_key: string;
  workflow_version: number;
  definition_id: string;
  case_jurisdiction_code: string;
  title: string | null;
}

/** Where the previous page ended: its last task's due time (exact text) and id. */
interface Cursor {
  d: string | null;
  i: string;
}

/** A due time as the cursor carries it: UTC with microseconds (timestamptz's precision). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(row: InboxRow): string {
  return Buffer.from(JSON.stringify({ d: row.due_key, i: row.id } satisfies Cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const invalid = () => new TaskException('cursor is not a cursor this inbox returned', TaskExceptionCode.INVALID_CURSOR);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const cursor = parsed as Partial<Cursor> | null;
  if (!cursor || typeof cursor !== 'object' || typeof cursor.i !== 'string' || !UUID.test(cursor.i)) throw invalid();
  if (cursor.d !== null && (typeof cursor.d !== 'string' || !CURSOR_TIME.test(cursor.d))) throw invalid();
  return { d: cursor.d, i: cursor.i };
}

/** `%` and `_` (and the escape character itself) match literally in a LIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Which inbox, which page: the input of `inboxParams`. */
export interface InboxRequest {
  user: Pick<AuthUser, 'id' | 'roles' | 'jurisdictionCode'>;
  query: InboxQueryDto;
  now: Date;
}

/** The parameters of INBOX_SQL for one request; exported for the benchmark (scripts/bench-inbox.ts). */
export function inboxParams({ user, query, now }: InboxRequest): InboxParams {
  const limit = query.limit ?? DEFAULT_INBOX_LIMIT;
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const dueAfter = query.dueAfter === undefined ? undefined : new Date(query.dueAfter);
  const uppers = [query.dueBefore === undefined ? undefined : new Date(query.dueBefore), query.overdue ? now : undefined].filter((d): d is Date => d !== undefined);
  const dueBefore = uppers.length > 0 ? new Date(Math.min(...uppers.map((d) => d.getTime()))) : undefined;

  // Tasks with a due time: after the cursor (none when the cursor is already among those without).
  let lower: { due: string | null; id: string } = cursor ? { due: cursor.d, id: cursor.i } : { due: '-infinity', id: MIN_UUID };
  if (dueAfter && lower.due !== null && (lower.due === '-infinity' || new Date(lower.due) <= dueAfter)) {
    // Strictly after dueAfter: (due_at, id) > (dueAfter, the greatest uuid).
    lower = { due: dueAfter.toISOString(), id: MAX_UUID };
  }
  // Tasks without a due time come last, unless a due-time bound leaves them out.
  const bounded = dueAfter !== undefined || dueBefore !== undefined;
  const undueAfter = bounded ? null : cursor?.d === null ? cursor.i : MIN_UUID;

  const q = query.q?.trim();
  const caseJurisdiction = query.jurisdiction === undefined ? null : `${subtreePrefix(query.jurisdiction)}%`;
  const title = q ? `%${likeLiteral(q)}%` : null;
  const workflow = query.workflow ?? null;
  return [
    user.id,
    user.roles,
    user.jurisdictionCode,
    limit + 1,
    lower.due,
    lower.id,
    undueAfter,
    dueBefore?.toISOString() ?? 'infinity',
    workflow,
    query.step ?? null,
    caseJurisdiction,
    title,
    workflow !== null || caseJurisdiction !== null || title !== null,
    query.include === 'delegated',
  ];
}

/**
 * GET /api/tasks: the caller's open tasks in due order, keyset-paged (INBOX_SQL). Also
 * answers whether one task is the caller's to act on (`actionable`), for batch actions.
 */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly labels: WorkflowLabels,
    private readonly clock: Clock,
  ) {}

  async list(user: AuthUser, query: InboxQueryDto): Promise<InboxPage> {
    if (query.dueAfter !== undefined && query.dueBefore !== undefined && Date.parse(query.dueAfter) >= Date.parse(query.dueBefore)) {
      throw new TaskException('dueAfter must be before dueBefore', TaskExceptionCode.INVALID_QUERY);
    }
    const now = this.clock.now();
    const params = inboxParams({ user, query, now });
    const limit = params[3] - 1;
    const manager = this.dataSource.manager;
    const rows: InboxRow[] = await manager.query(inboxStatement(params), params);
    const items: InboxItem[] = [];
    for (const row of rows.slice(0, limit)) items.push(await this.item(manager, row, now));
    return { items, nextCursor: rows.length > limit ? encodeCursor(rows[limit - 1]) : null };
  }

  private async item(manager: EntityManager, row: InboxRow, now: Date): Promise<InboxItem> {
    const labels = await this.labels.forDefinition(manager, row.definition_id);
    return {
      taskId: row.id,
      caseId: row.case_id,
      caseVersion: row.case_version,
      workflow: { key: row.workflow_key, version: row.workflow_version, label: labels.workflow },
      step: { key: row.step, label: labels.step(row.step) ?? null },
      role: row.role,
      level: row.level,
      jurisdictionCode: row.jurisdiction_code,
      caseJurisdictionCode: row.case_jurisdiction_code,
      title: row.title,
      dueAt: row.due_at,
      overdue: row.due_at !== null && row.due_at.getTime() < now.getTime(),
      openedAt: row.opened_at,
      assignment: row.assignment,
      assigneeId: row.assignee_id,
      ownerId: row.owner_id,
    };
  }

  /**
   * The open task `taskId` if the caller may act on it: assigned to them, offered to a role
   * of theirs at their node, or awaiting their signature — the inbox's (a)–(c), not tasks
   * delegated away — and not already signed by them. Undefined otherwise.
   */
  async actionable(manager: EntityManager, user: AuthUser, taskId: string): Promise<{ id: string; caseId: string; step: string } | undefined> {
    const [row] = await manager.query(
      `SELECT t.id, t.case_id, t.step FROM tasks t
        WHERE t.id = $1 AND t.status = 'open'
          AND EXISTS (SELECT 1 FROM users WHERE id = $2 AND active)
          AND (t.assignee_id = $2
               OR (t.assignee_id IS NULL AND t.role = ANY($3::text[]) AND t.jurisdiction_code = $4)
               OR EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.user_id = $2 AND s.status = 'pending'))
          AND NOT EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.user_id = $2 AND s.status = 'signed')`,
      [taskId, user.id, user.roles, user.jurisdictionCode],
    );
    return row ? { id: row.id, caseId: row.case_id, step: row.step } : undefined;
  }
}
