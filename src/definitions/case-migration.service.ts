import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService, toActor, type CaseRow } from '../cases/cases.service.js';
import { Clock } from '../common/clock.js';
import { CalendarService } from '../deadlines/calendar.service.js';
import type { DeadlineKind } from '../deadlines/deadline.entity.js';
import { replanDeadlines, replanPausedRemaining, type Replanned } from '../deadlines/deadline-plan.js';
import type { WorkingCalendar } from '../deadlines/working-calendar.js';
import { mappingProblems, planMigration, type MigrationPlan, type StepMapping, type StepMove } from '../engine/case-migration.js';
import type { PersistedCaseSnapshot } from '../engine/case-transition.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';
import type { MigratedPayload } from '../engine/history-replay.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { taskReassignedText } from '../notifications/templates.js';
import { DefinitionException, DefinitionExceptionCode } from './definition.exception.js';
import { DefinitionsService, type PublishedDefinition } from './definitions.service.js';

export interface MigrationRequest {
  fromVersion: number;
  toVersion: number;
  mapping?: StepMapping;
  /** Default: every running case on `fromVersion`. */
  caseIds?: string[];
  dryRun?: boolean;
}

/** A step visit's timers before and after, as the report shows them. */
export interface DeadlineChange {
  step: string;
  entry: number;
  before: string | null;
  after: string | null;
  /** Absent when the new version has no deadline for the step: its timers end. */
  spent?: number;
  remaining?: number;
  unit?: Replanned['unit'];
  dueAt?: string;
  /** The timers created, with their due times. */
  timers: { kind: DeadlineKind; rung: number; dueAt: string }[];
  /** Timers that had fired: they stay fired and are not created again. */
  keptFired: { kind: DeadlineKind; rung: number }[];
  /** Pending timers of the old visit cancelled (replaced by `timers`). */
  cancelled: number;
}

export interface CaseMigrationResult {
  caseId: string;
  title: string | null;
  outcome: 'migrated' | 'migratable' | 'skipped';
  reason?: string;
  /** The step visits with a clock: task steps (with what happens to their task) and call steps waiting for their case. */
  steps?: Pick<StepMove, 'from' | 'to' | 'task' | 'role' | 'level' | 'previous'>[];
  deadlines?: DeadlineChange[];
  pausedClocks?: { from: { step: string; entry: number }; to?: { step: string; entry: number }; remaining?: number; dropped?: string }[];
}

/** What a dry run answers: per case what would happen, and the totals. */
export interface MigrationReport {
  workflow: string;
  fromVersion: number;
  toVersion: number;
  dryRun: true;
  mapping: StepMapping;
  totals: { cases: number; migrated: number; migratable: number; skipped: number };
  cases: CaseMigrationResult[];
}

/**
 * What a run did with one case: `migrated`, `refused` (left as it was, with the reason) or
 * `skipped` (already on the target version: nothing to do).
 */
export interface CaseMigrationOutcome {
  outcome: 'migrated' | 'refused' | 'skipped';
  reason: string | null;
}

interface DeadlineRow {
  id: string;
  step: string;
  step_entry: number;
  kind: DeadlineKind;
  rung: number;
  status: 'pending' | 'fired' | 'paused';
  started_at: Date;
  remaining: number | null;
}

interface OpenTask {
  id: string;
  step: string;
  step_entry: number;
  held: boolean;
  signing: boolean;
}

/** Everything one case's migration writes, computed before anything is written. */
interface CasePlan {
  plan: MigrationPlan;
  result: CaseMigrationResult;
  tasks: OpenTask[];
  /** Per step visit moved: the old visit's timer rows and the new plan. */
  visits: { move: StepMove; rows: DeadlineRow[]; replanned?: Replanned }[];
  paused: { rows: DeadlineRow[]; to?: { step: string; entry: number }; remaining?: number; settings?: unknown }[];
}

/** A case that is not moved: why, and whether it already is where the run takes it. */
interface NotPlanned {
  skip: CaseMigrationResult;
  onTarget?: true;
}

/** The two versions of a migration and its mapping, checked against each other. */
export interface MigrationVersions {
  from: PublishedDefinition;
  to: PublishedDefinition;
  mapping: StepMapping;
}

/**
 * Moving one running case from one version of a workflow to a newer one (issue 5): the
 * pure plan (src/engine/case-migration.ts), the deadlines recomputed with the time already
 * spent (src/deadlines/deadline-plan.ts replanDeadlines), and the writes. A dry run
 * computes the same report for every case and writes nothing. A real run is a job
 * (MigrationRunsService): each case is one transaction under its row lock, re-checked
 * there (still on the old version, still running, nothing held on its tasks): the case row
 * (version + 1), one `definition`/`migrated` history event, its tasks, its timers —
 * cancelled and recreated, never dropped — the notification of the people a reassigned
 * task is newly offered to, and a `case.migrated` audit row. A case that cannot be moved
 * is reported with the reason and left as it was.
 */
@Injectable()
export class CaseMigrationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly cases: CasesService,
    private readonly calendars: CalendarService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** What a migration would do to each case (the given ones, else every running case on `fromVersion`); writes nothing. */
  async dryRun(key: string, request: MigrationRequest): Promise<MigrationReport> {
    const versions = await this.versions(key, request);
    const ids = request.caseIds ? [...new Set(request.caseIds)] : await this.runningCaseIds(versions.from.id);
    const results: CaseMigrationResult[] = [];
    for (const id of ids) results.push(await this.dryRunCase(key, id, versions));
    const count = (outcome: CaseMigrationResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
    return {
      workflow: key,
      fromVersion: versions.from.version,
      toVersion: versions.to.version,
      dryRun: true,
      mapping: versions.mapping,
      totals: { cases: results.length, migrated: 0, migratable: count('migratable'), skipped: count('skipped') },
      cases: results,
    };
  }

  /** Both versions exist, the newer is the target and takes cases, and the mapping names real steps (else 404/422, nothing done). */
  async versions(key: string, request: Pick<MigrationRequest, 'fromVersion' | 'toVersion' | 'mapping'>): Promise<MigrationVersions> {
    const refuse = (message: string, details: Record<string, unknown> = {}) =>
      new DefinitionException(message, DefinitionExceptionCode.INVALID_MIGRATION, { workflow: key, ...details });
    if (request.toVersion <= request.fromVersion) throw refuse('Cases move to a newer version: toVersion must be greater than fromVersion');
    const from = await this.definitions.version(key, request.fromVersion);
    const to = await this.definitions.stored(key, request.toVersion);
    if (to.status === 'deprecated') throw refuse(`Version ${to.version} is deprecated: no case moves onto it`);
    const target = await this.definitions.version(key, request.toVersion);
    const mapping = request.mapping ?? {};
    const problems = mappingProblems(from.compiled, target.compiled, mapping);
    if (problems.length > 0) throw refuse(`The mapping does not fit the versions: ${problems.join('; ')}`, { problems });
    return { from, to: target, mapping };
  }

  private async runningCaseIds(definitionId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM cases WHERE definition_id = $1 AND snapshot->>'status' = 'active' ORDER BY created_at, id`,
      [definitionId],
    );
    return rows.map((r) => r.id);
  }

  private async dryRunCase(key: string, id: string, versions: MigrationVersions): Promise<CaseMigrationResult> {
    const manager = this.dataSource.manager;
    const [row]: CaseRow[] = await manager.query(
      `SELECT id, definition_id, snapshot, title, jurisdiction_code, version FROM cases WHERE id = $1`,
      [id],
    );
    const planned = await this.planCase(manager, key, id, row, versions);
    return 'skip' in planned ? planned.skip : { ...planned.result, outcome: 'migratable' };
  }

  /**
   * Migrates one case inside the caller's transaction, taking its row lock first; every
   * check is made again under it. The caller records the outcome in the same transaction,
   * so the case moves and its outcome is recorded together or not at all.
   */
  async migrateCase(manager: EntityManager, user: AuthUser, key: string, id: string, versions: MigrationVersions, runId: string): Promise<CaseMigrationOutcome> {
    const row = await this.cases.lockForSystem(manager, id);
    const planned = await this.planCase(manager, key, id, row, versions);
    if ('skip' in planned) return { outcome: planned.onTarget ? 'skipped' : 'refused', reason: planned.skip.reason ?? null };
    await this.write(manager, row!, planned, versions, user, runId);
    return { outcome: 'migrated', reason: null };
  }

  private async planCase(
    manager: EntityManager,
    key: string,
    id: string,
    row: CaseRow | undefined,
    versions: MigrationVersions,
  ): Promise<CasePlan | NotPlanned> {
    const skip = (reason: string, onTarget = false): NotPlanned => ({
      skip: { caseId: id, title: row?.title ?? null, outcome: 'skipped' as const, reason },
      ...(onTarget ? { onTarget: true as const } : {}),
    });
    if (!row) return skip('no such case');
    // A run resumed after its worker died, or a case named twice: it already moved.
    if (row.definition_id === versions.to.id) return skip(`the case is already on version ${versions.to.version}`, true);
    if (row.definition_id !== versions.from.id) {
      const current = await this.definitions.byId(row.definition_id, manager);
      return skip(current.key !== key ? `the case is of workflow '${current.key}'` : `the case runs on version ${current.version}, not ${versions.from.version}`);
    }
    if (row.snapshot.status !== 'active') return skip('the case has finished');
    const tasks: OpenTask[] = await manager.query(
      `SELECT t.id, t.step, t.step_entry, t.pending_action IS NOT NULL AS held,
              EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.status = 'pending' AND s.kind <> 'countersign') AS signing
         FROM tasks t WHERE t.case_id = $1 AND t.status = 'open'`,
      [id],
    );
    const waiting = tasks.find((t) => t.held || t.signing);
    if (waiting) {
      return skip(`the task of step '${waiting.step}' waits for signers (加签)${waiting.held ? ' with an action held' : ''}: let them sign first`);
    }
    const verdict = planMigration(versions.from.compiled, versions.to.compiled, row.snapshot, versions.mapping);
    if (!verdict.ok) return skip(verdict.reason);
    const { plan } = verdict;

    const rows: DeadlineRow[] = await manager.query(
      `SELECT id, step, step_entry, kind, rung, status, started_at, remaining FROM deadlines
        WHERE case_id = $1 AND status IN ('pending', 'fired', 'paused') ORDER BY id`,
      [id],
    );
    const now = this.clock.now();
    const calendar = await this.calendars.current(manager);
    const visits = plan.steps.map((move) => {
      const of = rows.filter((r) => r.step === move.from.step && r.step_entry === move.from.entry && r.status !== 'paused');
      return { move, rows: of, replanned: move.deadline.after ? this.replan(move, of, now, calendar) : undefined };
    });
    const paused = plan.pausedClocks.map((clock) => {
      const of = rows.filter((r) => r.step === clock.from.step && r.step_entry === clock.from.entry && r.status === 'paused');
      const remaining = clock.to && clock.deadline.after ? replanPausedRemaining(clock.deadline.before, clock.deadline.after, of[0]?.remaining ?? null) : undefined;
      return { rows: of, to: clock.to, remaining, settings: clock.deadline.after };
    });
    const result: CaseMigrationResult = {
      caseId: id,
      title: row.title,
      outcome: 'migratable',
      steps: plan.steps.map((m) => ({ from: m.from, to: m.to, ...(m.task ? { task: m.task, role: m.role, level: m.level } : {}), ...(m.previous ? { previous: m.previous } : {}) })),
      deadlines: visits.map(({ move, rows: of, replanned }) => ({
        step: move.to.step,
        entry: move.to.entry,
        before: move.deadline.before?.duration ?? null,
        after: move.deadline.after?.duration ?? null,
        ...(replanned
          ? { spent: replanned.spent, remaining: replanned.remaining, unit: replanned.unit, dueAt: replanned.dueAt.toISOString() }
          : {}),
        timers: (replanned?.planned ?? []).map((p) => ({ kind: p.kind, rung: p.rung, dueAt: p.dueAt.toISOString() })),
        keptFired: of.filter((r) => r.status === 'fired').map((r) => ({ kind: r.kind, rung: r.rung })),
        cancelled: of.filter((r) => r.status === 'pending').length,
      })),
      pausedClocks: plan.pausedClocks.map((clock, index) => ({
        from: clock.from,
        ...(clock.to ? { to: clock.to, remaining: paused[index].remaining } : {}),
        ...(clock.dropped ? { dropped: clock.dropped } : {}),
      })),
    };
    return { plan, result, tasks, visits, paused };
  }

  /** The new timers of a moved visit: the clock started when its due timer did (or when the visit began). */
  private replan(move: StepMove, rows: DeadlineRow[], now: Date, calendar: WorkingCalendar): Replanned {
    const due = rows.find((r) => r.kind === 'due');
    return replanDeadlines(
      move.deadline.after!,
      {
        startedAt: due ? new Date(due.started_at) : new Date(move.enteredAt),
        before: move.deadline.before,
        pausedRemaining: due?.remaining ?? null,
        fired: rows.filter((r) => r.status === 'fired').map((r) => ({ kind: r.kind, rung: r.rung })),
      },
      now,
      calendar,
    );
  }

  private async write(manager: EntityManager, row: CaseRow, planned: CasePlan, versions: MigrationVersions, user: AuthUser, runId: string): Promise<void> {
    const now = this.clock.now();
    const { plan } = planned;
    for (const { move, rows, replanned } of planned.visits) {
      const dueAt = replanned?.dueAt ?? null;
      const task = planned.tasks.find((t) => t.step === move.from.step && t.step_entry === move.from.entry);
      if (move.task === undefined) {
        // A call step: no task of its own, only its clock.
      } else if (move.task === 'reassigned') {
        if (task) {
          await manager.query(`UPDATE tasks SET status = 'cancelled', outcome = 'migrated', closed_at = $2 WHERE id = $1`, [task.id, now]);
          await manager.query(`UPDATE task_signers SET status = 'cancelled' WHERE task_id = $1 AND status = 'pending'`, [task.id]);
        }
        const [opened]: { id: string }[] = await manager.query(
          `INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id`,
          [row.id, move.to.step, move.to.entry, move.role, move.level, jurisdictionAt(row.jurisdiction_code, move.level!), now, dueAt],
        );
        await this.notifyNewlyOffered(manager, row, move, opened.id, versions.to, now);
      } else if (task) {
        await manager.query(`UPDATE tasks SET step = $2, step_entry = $3, due_at = $4 WHERE id = $1`, [task.id, move.to.step, move.to.entry, dueAt]);
      }
      // Every pending timer of the old visit is cancelled and, where the new version has a
      // deadline, recreated with the new due times; fired ones stay fired, with the visit.
      const pending = rows.filter((r) => r.status === 'pending').map((r) => r.id);
      if (pending.length > 0) await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $2 WHERE id = ANY($1::bigint[])`, [pending, now]);
      const fired = rows.filter((r) => r.status === 'fired').map((r) => r.id);
      if (fired.length > 0) await manager.query(`UPDATE deadlines SET step = $2, step_entry = $3 WHERE id = ANY($1::bigint[])`, [fired, move.to.step, move.to.entry]);
      if (replanned && replanned.planned.length > 0) {
        // Started now with what remains: how a resumed clock is stored, so a later pause,
        // calendar change or migration counts on from here.
        await manager.query(
          `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, remaining, status, generation)
           SELECT $1, $2, $3, p.kind, p.rung, p.due_at, p.provisional, $4, $5, $6, 'pending', 1
             FROM jsonb_to_recordset($7::jsonb) AS p(kind text, rung int, due_at timestamptz, provisional boolean)`,
          [
            row.id,
            move.to.step,
            move.to.entry,
            now,
            move.deadline.after,
            replanned.remaining,
            JSON.stringify(replanned.planned.map((p) => ({ kind: p.kind, rung: p.rung, due_at: p.dueAt.toISOString(), provisional: p.provisional }))),
          ],
        );
      }
    }
    for (const clock of planned.paused) {
      const ids = clock.rows.map((r) => r.id);
      if (ids.length === 0) continue;
      if (clock.to) {
        await manager.query(`UPDATE deadlines SET step = $2, step_entry = $3, settings = $4, remaining = $5 WHERE id = ANY($1::bigint[])`, [
          ids,
          clock.to.step,
          clock.to.entry,
          clock.settings,
          clock.remaining,
        ]);
      } else {
        await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $2 WHERE id = ANY($1::bigint[])`, [ids, now]);
      }
    }
    const [{ moved }]: { moved: number }[] = await manager.query(
      `WITH moved AS (
         UPDATE cases SET definition_id = $2, workflow_version = $3, snapshot = $4, status = $5, version = version + 1, updated_at = $6
          WHERE id = $1 AND version = $7 RETURNING id)
       SELECT count(*)::int AS moved FROM moved`,
      [row.id, versions.to.id, versions.to.version, JSON.stringify(plan.snapshot), plan.status, now, row.version],
    );
    if (moved !== 1) throw new Error(`case ${row.id} changed under its row lock`);
    const payload: MigratedPayload = {
      from: { definitionId: versions.from.id, version: versions.from.version },
      to: { definitionId: versions.to.id, version: versions.to.version },
      mapping: versions.mapping,
      runId,
      steps: planned.result.steps,
      deadlines: planned.result.deadlines,
      pausedClocks: planned.result.pausedClocks,
    };
    await this.cases.appendEvent(manager, row, 'definition', 'migrated', toActor(user), payload, now);
    row.snapshot = plan.snapshot as PersistedCaseSnapshot;
    await this.audit.record(
      {
        kind: 'case.migrated',
        actor: user,
        targetType: 'case',
        targetId: row.id,
        jurisdictionCode: row.jurisdiction_code,
        details: { runId, workflow: versions.from.key, fromVersion: versions.from.version, toVersion: versions.to.version },
      },
      manager,
    );
  }

  /**
   * A reassigned task is new work for people who could not act on the old one: the users
   * it is now offered to (the new role at the new node) who were not offered the old task
   * are notified — in the app and by mail through the outbox — in the case's transaction,
   * so they hear of it exactly when the move commits. The new task's id keys the
   * notification: delivering the same cause twice writes nothing new.
   */
  private async notifyNewlyOffered(manager: EntityManager, row: CaseRow, move: StepMove, taskId: string, target: PublishedDefinition, now: Date): Promise<void> {
    const node = jurisdictionAt(row.jurisdiction_code, move.level!);
    if (!node) return;
    const offered = await this.notifications.usersToNotify(manager, move.role!, node);
    const before = move.previous ? jurisdictionAt(row.jurisdiction_code, move.previous.level) : undefined;
    const already = new Set(before ? await this.notifications.usersToNotify(manager, move.previous!.role, before) : []);
    const definition = target.compiled.definition;
    await this.notifications.notify(manager, {
      recipients: offered.filter((id) => !already.has(id)),
      caseId: row.id,
      kind: 'task-reassigned',
      ...taskReassignedText({
        title: row.title,
        workflowLabel: definition.label,
        step: target.compiled.steps.get(move.to.step)?.definition.label ?? move.to.step,
        version: target.version,
      }),
      dedupKey: `task-offered-${taskId}`,
      now,
    });
  }
}
