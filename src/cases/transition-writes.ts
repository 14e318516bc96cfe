/**
 * The writes of one transition as ONE statement of data-modifying CTEs — the version-checked
 * case update (or, for a new case, its insert), the chained history row, the task rows, the
 * deadline rows and the outbox rows — so an action costs one round trip for all of its
 * writes instead of one per table. Every write selects FROM the first CTE (`gate`): when
 * the version check matches no row, the gate returns nothing and nothing at all is written.
 * Rows are found by `case_id = $1` (not by joining the gate's id), so each table is reached
 * through an index on the case whatever the planner estimates for the CTE.
 *
 * The statement also answers what the caller needs next without another query: how many
 * case rows the gate touched (must be 1) and the case's open tasks after the change. CTEs
 * all see the database as it was when the statement began, not each other's writes, so
 * the open tasks are computed as (open before − closed now, from `closed`'s RETURNING) +
 * (opened now, from `opened`'s RETURNING).
 *
 * The case row also carries the head of its history chain (history_seq, history_hash), set
 * with the history row: a read locked FOR UPDATE sees it fresh even after waiting for the
 * lock, and a history that lost its last rows no longer ends where the case says it does.
 *
 * The texts are constants, run as named prepared statements (src/database/prepared-query.ts):
 * effects that a transition does not have are empty JSON arrays, never a different text.
 * Every parameter carries an explicit cast, so the prepared statement's parameter types
 * never depend on inference.
 *
 * Parameters shared by both statements:
 *   $1 case id · $2 now · $3 actor id (history actor, task closer)
 *   $4–$10 the history row: seq, event_type, action, actor (jsonb), payload (jsonb), prev_hash, hash
 *   $11 tasks to open · $12 deadline timers to start · $13 outbox messages (JSON arrays)
 */
import type { DeadlineWrites } from '../deadlines/deadlines.service.js';
import type { Effect } from '../engine/effects.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';

/** A task as the case view shows it; `opened_at` as the statement returns it (JSON). */
export interface OpenTaskRow {
  id: string;
  step: string;
  role: string;
  level: string;
  jurisdiction_code: string;
  assignee_id: string | null;
  opened_at: string | Date;
  /** The due time of the visit's 'due' timer; null without a deadline (or while a resumed clock is being set). */
  due_at: string | Date | null;
}

/** The chained history row of the transition, hashed before the statement. */
export interface HistoryRowParams {
  seq: number;
  eventType: string;
  action: string | null;
  actor: unknown;
  payload: unknown;
  prevHash: string;
  hash: string;
}

/** The writes every transition may make after its gate: history, opened tasks, new timers, outbox. */
const COMMON_WRITES = `
  -- The chained history row (seq, prev_hash and hash computed under the case row lock).
  history AS (
    INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
    SELECT $1::uuid, $4::int, $5::text, $6::text, $3::uuid, $7::jsonb, $8::jsonb, $2::timestamptz, $9::text, $10::text
      FROM gate
  ),
  -- Tasks of the steps entered, with the due time of the visit's 'due' timer (null without
  -- a deadline; a resumed clock's task gets it from DeadlinesService.resume).
  opened AS (
    INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at, due_at)
    SELECT $1::uuid, e.step, e.entry, e.role, e.level, e.jurisdiction, 'open', $2::timestamptz,
           (SELECT p.due_at FROM jsonb_to_recordset($12::jsonb) AS p(step text, entry int, kind text, due_at timestamptz)
             WHERE p.step = e.step AND p.entry = e.entry AND p.kind = 'due' LIMIT 1)
      FROM gate, jsonb_to_recordset($11::jsonb) AS e(step text, entry int, role text, level text, jurisdiction text)
    RETURNING id, step, role, level, jurisdiction_code, assignee_id, opened_at, due_at
  ),
  -- Timers of the step visits whose clock starts afresh (a resumed clock is not here:
  -- DeadlinesService.resume runs after this statement).
  deadlines_started AS (
    INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
    SELECT $1::uuid, p.step, p.entry, p.kind, p.rung, p.due_at, p.provisional, p.started_at, p.settings, 'pending', 1
      FROM gate,
           jsonb_to_recordset($12::jsonb)
             AS p(step text, entry int, kind text, rung int, due_at timestamptz, provisional boolean, started_at timestamptz, settings jsonb)
  ),
  -- Everything meant for later delivery (notifications, the end of a case), relayed after the commit.
  outbox_messages AS (
    INSERT INTO outbox (case_id, kind, payload, created_at, available_at)
    SELECT $1::uuid, e->>'type', e, $2::timestamptz, $2::timestamptz
      FROM gate, jsonb_array_elements($13::jsonb) AS e
  )`;

/**
 * A person's action goes through at once only when the task of its step is theirs to act on
 * and nothing is waiting on it: unclaimed or claimed by the actor (not delegated), no held
 * action, no signer pending. Anything else closes the gate, and the caller reads the task to
 * say why — or to take the slower way (a delegation, signers added after the assignee). So
 * the common action costs no query of its own for its task. The case row is locked by then:
 * every change to a case's tasks holds that lock, so the statement's snapshot is current.
 */
const TASK_GATE = `
       AND ($21::text IS NULL OR NOT EXISTS (
         SELECT 1 FROM tasks t
          WHERE t.case_id = $1::uuid AND t.step = $21::text AND t.status = 'open'
            AND ((t.assignee_id IS NOT NULL AND (t.assignee_id <> $3::uuid OR t.owner_id IS NOT NULL))
                 OR t.pending_action IS NOT NULL
                 OR EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.status = 'pending' AND s.kind <> 'countersign'))))`;

/**
 * An action on an existing case. Act-only parameters:
 *   $14 expected version · $15 snapshot · $16 data · $17 status
 *   $18 tasks to close · $19 deadline timers to stop (cancel or pause) · $20 cancel every timer (the case finished)
 *   $21 the step whose open task must be free for the actor ($3), or null (see TASK_GATE)
 */
export const ACT_WRITE_SQL = `
WITH
  -- The gate: the conditional version update. 0 rows → nothing below writes, the caller answers 409.
  gate AS (
    UPDATE cases
       SET snapshot = $15::jsonb, data = $16::jsonb, status = $17::text, version = version + 1, updated_at = $2::timestamptz,
           history_seq = $4::int, history_hash = $10::text
     WHERE id = $1::uuid AND version = $14::int${TASK_GATE}
    RETURNING id
  ),${COMMON_WRITES},
  -- Tasks of the steps left: completed by the action taken, or cancelled when the case moved on.
  closed AS (
    UPDATE tasks t
       SET status = CASE WHEN e.outcome = 'cancelled' THEN 'cancelled' ELSE 'completed' END,
           outcome = e.outcome, closed_at = $2::timestamptz,
           closed_by = CASE WHEN e.outcome = 'cancelled' THEN NULL ELSE $3::uuid END,
           assignee_id = CASE WHEN e.outcome = 'cancelled' THEN t.assignee_id ELSE coalesce(t.assignee_id, $3::uuid) END
      FROM gate, jsonb_to_recordset($18::jsonb) AS e(step text, entry int, outcome text)
     WHERE t.case_id = $1::uuid AND t.step = e.step AND t.step_entry = e.entry AND t.status = 'open'
    RETURNING t.id
  ),
  -- Timers of the step visits left: cancelled, or paused by a return for correction with
  -- what was left of the due time (computed before the statement: it needs the calendar).
  deadlines_stopped AS (
    UPDATE deadlines d
       SET status = CASE WHEN s.pause THEN 'paused' ELSE 'cancelled' END,
           remaining = CASE WHEN s.pause THEN s.remaining ELSE d.remaining END,
           closed_at = $2::timestamptz
      FROM gate, jsonb_to_recordset($19::jsonb) AS s(step text, entry int, pause boolean, remaining int)
     WHERE d.case_id = $1::uuid AND d.step = s.step AND d.step_entry = s.entry AND d.status = 'pending'
  ),
  -- A finished case has no timers left, paused ones included ($19 is empty then, so no row
  -- is updated twice in this statement).
  deadlines_ended AS (
    UPDATE deadlines d SET status = 'cancelled', closed_at = $2::timestamptz
      FROM gate
     WHERE $20::boolean AND d.case_id = $1::uuid AND d.status IN ('pending', 'paused')
  )
SELECT (SELECT count(*) FROM gate)::int AS affected,
       (SELECT coalesce(json_agg(o ORDER BY o.opened_at, o.step), '[]'::json)
          FROM (SELECT t.id, t.step, t.role, t.level, t.jurisdiction_code, t.assignee_id, t.opened_at, t.due_at
                  FROM tasks t, gate
                 WHERE t.case_id = $1::uuid AND t.status = 'open' AND t.id NOT IN (SELECT id FROM closed)
                UNION ALL
                SELECT id, step, role, level, jurisdiction_code, assignee_id, opened_at, due_at FROM opened) o) AS open_tasks`;

/**
 * A new case: the gate inserts the case row at version 0. Start-only parameters:
 *   $14 workflow key · $15 workflow version · $16 definition id · $17 status · $18 snapshot
 *   $19 data · $20 title · $21 jurisdiction code
 *   $22–$24 the calling case, step and step visit of a case started by a call step (else null)
 */
export const START_WRITE_SQL = `
WITH
  gate AS (
    INSERT INTO cases (id, workflow_key, workflow_version, definition_id, status, snapshot, data, title, jurisdiction_code, version, created_by, created_at, updated_at, history_seq, history_hash,
                       parent_case_id, parent_step, parent_step_entry)
    VALUES ($1::uuid, $14::text, $15::int, $16::uuid, $17::text, $18::jsonb, $19::jsonb, $20::text, $21::text, 0, $3::uuid, $2::timestamptz, $2::timestamptz, $4::int, $10::text,
            $22::uuid, $23::text, $24::int)
    RETURNING id
  ),${COMMON_WRITES}
SELECT (SELECT count(*) FROM gate)::int AS affected,
       (SELECT coalesce(json_agg(o ORDER BY o.opened_at, o.step), '[]'::json) FROM opened o) AS open_tasks`;

/** What the statements return: the gate's row count and the open tasks after the change. */
export interface WriteResult {
  affected: number;
  open_tasks: OpenTaskRow[];
}

/** The parameters $1–$13 shared by both statements. */
function commonParams(caseId: string, jurisdiction: string, effects: Effect[], deadlines: DeadlineWrites, actorId: string | null, history: HistoryRowParams, now: Date): unknown[] {
  const opens = effects.flatMap((e) =>
    e.type === 'openTask' ? [{ step: e.step, entry: e.entry, role: e.role, level: e.level, jurisdiction: jurisdictionAt(jurisdiction, e.level) }] : [],
  );
  const deliveries = effects.filter((e) => e.type === 'notify' || e.type === 'caseFinished');
  return [
    caseId,
    now,
    actorId,
    history.seq,
    history.eventType,
    history.action,
    JSON.stringify(history.actor),
    JSON.stringify(history.payload),
    history.prevHash,
    history.hash,
    JSON.stringify(opens),
    JSON.stringify(deadlines.starts),
    JSON.stringify(deliveries),
  ];
}

export function actWriteParams(input: {
  caseId: string;
  jurisdiction: string;
  expectedVersion: number;
  snapshot: unknown;
  data: unknown;
  status: string;
  effects: Effect[];
  deadlines: DeadlineWrites;
  actorId: string | null;
  history: HistoryRowParams;
  now: Date;
  /** The step whose task must be free for the actor; undefined: no task gate (the system, a held action, a vote). */
  taskGateStep?: string;
}): unknown[] {
  const closes = input.effects.flatMap((e) => (e.type === 'closeTask' ? [{ step: e.step, entry: e.entry, outcome: e.outcome }] : []));
  return [
    ...commonParams(input.caseId, input.jurisdiction, input.effects, input.deadlines, input.actorId, input.history, input.now),
    input.expectedVersion,
    JSON.stringify(input.snapshot),
    JSON.stringify(input.data),
    input.status,
    JSON.stringify(closes),
    JSON.stringify(input.deadlines.cancelAll ? [] : input.deadlines.stops),
    input.deadlines.cancelAll,
    input.taskGateStep ?? null,
  ];
}

export function startWriteParams(input: {
  caseId: string;
  jurisdiction: string;
  workflowKey: string;
  workflowVersion: number;
  definitionId: string;
  title: string | null;
  snapshot: unknown;
  data: unknown;
  status: string;
  effects: Effect[];
  deadlines: DeadlineWrites;
  actorId: string | null;
  history: HistoryRowParams;
  now: Date;
  /** A case started by a call step: the calling case and the step visit waiting for it. */
  calledBy?: CallLink;
}): unknown[] {
  return [
    ...commonParams(input.caseId, input.jurisdiction, input.effects, input.deadlines, input.actorId, input.history, input.now),
    input.workflowKey,
    input.workflowVersion,
    input.definitionId,
    input.status,
    JSON.stringify(input.snapshot),
    JSON.stringify(input.data),
    input.title,
    input.jurisdiction,
    input.calledBy?.caseId ?? null,
    input.calledBy?.step ?? null,
    input.calledBy?.entry ?? null,
  ];
}

/** The call step visit (of case `caseId`) that started a case and waits for its outcome. */
export interface CallLink {
  caseId: string;
  step: string;
  entry: number;
}
