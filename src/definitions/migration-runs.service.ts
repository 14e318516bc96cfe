import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { InjectQueue, JobName, migrationJobId, QueueName, queueRunJob, settleRunJob, type TypedQueue } from '../common/queues.js';
import { CaseMigrationService, type CaseMigrationOutcome, type MigrationRequest, type MigrationVersions } from './case-migration.service.js';
import { DefinitionException, DefinitionExceptionCode } from './definition.exception.js';
import { DefinitionsService } from './definitions.service.js';
import type { MigrationCaseOutcome } from './migration-run.entity.js';
import { REFUSALS_SHOWN, runView, type MigrationRunCaseView, type MigrationRunRow, type MigrationRunView } from './migration-run.js';

/** Cases a run reads at a time; each is still its own transaction. */
export const MIGRATION_BATCH_SIZE = 50;
/** Runs the list shows, newest first. */
const RUNS_LISTED = 50;

const RUN_SELECT = `SELECT r.id, r.workflow_key, r.from_version, r.to_version, r.mapping, r.requested_by, u.username AS requested_by_username,
                           r.status, r.total, r.migrated, r.refused, r.skipped, r.failed, r.created_at, r.started_at, r.finished_at, r.error
                      FROM migration_runs r LEFT JOIN users u ON u.id = r.requested_by`;

/** The counter of each recorded outcome (a constant column name, never input). */
const COUNTER: Record<Exclude<MigrationCaseOutcome, 'pending'>, string> = {
  migrated: 'migrated',
  refused: 'refused',
  skipped: 'skipped',
  failed: 'failed',
};

/**
 * Migrations of running cases as BullMQ jobs. The route checks the request (versions,
 * mapping: 4xx and nothing queued), then in one transaction records the run, the cases it
 * takes (in order) and its audit row; the job carries the run's id only.
 *
 * The job takes the pending cases in batches, each case in its own transaction under its
 * row lock: the case moves and its outcome (and the run's count) is recorded in the same
 * transaction, so a run whose worker died is redelivered by BullMQ and continues with the
 * cases still pending — no case is taken twice, and a case already on the target version
 * is recorded as skipped. A case whose transaction fails rolls back alone and is recorded
 * as failed (a later run takes it again). One run per workflow key is queued or running at
 * a time (a partial unique index); the run ends with a `definition.migrated` audit row.
 */
@Injectable()
export class MigrationRunsService {
  private readonly logger = new Logger(MigrationRunsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly migrations: CaseMigrationService,
    private readonly definitions: DefinitionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Runs) private readonly queue: TypedQueue<QueueName.Runs>,
  ) {}

  /** Records a run and queues its job; 409 while another run of the workflow is queued or running. */
  async start(user: AuthUser, key: string, request: MigrationRequest): Promise<MigrationRunView> {
    const versions = await this.migrations.versions(key, request);
    const active = await this.settleActiveRun(key);
    if (active) throw running(key, active);
    const now = this.clock.now();
    const runId = await this.dataSource.transaction(async (manager) => {
      const [inserted]: { id: string }[] = await manager.query(
        `INSERT INTO migration_runs (workflow_key, from_version, to_version, mapping, requested_by, status, total, created_at)
         VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6)
         ON CONFLICT (workflow_key) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
        [key, versions.from.version, versions.to.version, JSON.stringify(versions.mapping), user.id, now],
      );
      // A request racing this one recorded its run first.
      if (!inserted) throw running(key, (await this.activeRun(manager, key))!);
      const total = await this.selectCases(manager, inserted.id, versions, request.caseIds);
      await manager.query(`UPDATE migration_runs SET total = $2 WHERE id = $1`, [inserted.id, total]);
      await this.audit.record(
        {
          kind: 'definition.migration-queued',
          actor: user,
          targetType: 'workflow',
          targetId: `${key}@${versions.from.version}`,
          details: { runId: inserted.id, key, fromVersion: versions.from.version, toVersion: versions.to.version, mapping: versions.mapping, cases: total },
        },
        manager,
      );
      return inserted.id;
    });
    try {
      await this.enqueue(runId);
    } catch (error) {
      // The run stays visible as failed (nothing moved); starting again makes a new run.
      await this.dataSource.query(`UPDATE migration_runs SET status = 'failed', finished_at = $2, error = $3 WHERE id = $1 AND status = 'queued'`, [
        runId,
        this.clock.now(),
        'The job queue did not take the run',
      ]);
      throw new DefinitionException(`The job queue is not available: ${error instanceof Error ? error.message : String(error)}`, DefinitionExceptionCode.QUEUE_UNAVAILABLE, {
        workflow: key,
        runId,
      });
    }
    return this.get(key, runId);
  }

  /** The runs of a workflow, newest first (the latest {@link RUNS_LISTED}), without their refusals. */
  async list(key: string): Promise<MigrationRunView[]> {
    await this.definitions.stored(key); // 404 for a workflow that does not exist
    const rows: MigrationRunRow[] = await this.dataSource.query(`${RUN_SELECT} WHERE r.workflow_key = $1 ORDER BY r.created_at DESC, r.id LIMIT ${RUNS_LISTED}`, [key]);
    return rows.map((row) => runView(row));
  }

  /** One run with its progress and the cases it did not move, with the reasons. */
  async get(key: string, runId: string): Promise<MigrationRunView> {
    const [row]: MigrationRunRow[] = await this.dataSource.query(`${RUN_SELECT} WHERE r.id = $1 AND r.workflow_key = $2`, [runId, key]);
    if (!row) {
      throw new DefinitionException(`Workflow '${key}' has no migration ${runId}`, DefinitionExceptionCode.MIGRATION_NOT_FOUND, { workflow: key, runId });
    }
    return runView(row, await this.refusals(this.dataSource.manager, runId));
  }

  /**
   * The job. A run already finished is 'stale' (a duplicated job); one found running (its
   * worker died) goes on with its pending cases. Throws only for a failure worth retrying
   * (the database went away): BullMQ retries, and the retry resumes. On the last attempt
   * (`final`) such a failure ends the run as failed instead.
   */
  async runJob(runId: string, final: boolean): Promise<'done' | 'failed' | 'stale'> {
    try {
      return await this.run(runId);
    } catch (error) {
      if (!final) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Migration ${runId} failed for good: ${message}`);
      await this.fail(runId, `The run stopped: ${message}`);
      return 'failed';
    }
  }

  private async run(runId: string): Promise<'done' | 'failed' | 'stale'> {
    const [run]: MigrationRunRow[] = await this.dataSource.query(
      `WITH claimed AS (UPDATE migration_runs SET status = 'running', started_at = coalesce(started_at, $2)
                         WHERE id = $1 AND status IN ('queued', 'running') RETURNING *)
       SELECT c.*, u.username AS requested_by_username FROM claimed c LEFT JOIN users u ON u.id = c.requested_by`,
      [runId, this.clock.now()],
    );
    if (!run) return 'stale';
    let versions: MigrationVersions;
    try {
      // Checked again: a version deprecated since the request takes no cases.
      versions = await this.migrations.versions(run.workflow_key, { fromVersion: run.from_version, toVersion: run.to_version, mapping: run.mapping });
    } catch (error) {
      if (!(error instanceof DefinitionException)) throw error;
      await this.fail(runId, error.message);
      return 'failed';
    }
    const requester = await this.requester(run.requested_by);
    for (;;) {
      const batch: { case_id: string }[] = await this.dataSource.query(
        `SELECT case_id FROM migration_run_cases WHERE run_id = $1 AND outcome = 'pending' ORDER BY position LIMIT ${MIGRATION_BATCH_SIZE}`,
        [runId],
      );
      if (batch.length === 0) break;
      for (const { case_id: caseId } of batch) await this.migrateOne(run, requester, caseId, versions);
    }
    await this.finish(run, requester);
    return 'done';
  }

  /** One case: its migration and its recorded outcome commit together. */
  private async migrateOne(run: MigrationRunRow, requester: AuthUser, caseId: string, versions: MigrationVersions): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        // The case's entry first, then the case row (migrateCase): a second delivery of the
        // run (a job BullMQ handed on while this one still ran) waits here and then finds the
        // case handled. Nothing else locks these entries, so the order cannot deadlock.
        const [entry]: { outcome: MigrationCaseOutcome }[] = await manager.query(
          `SELECT outcome FROM migration_run_cases WHERE run_id = $1 AND case_id = $2 FOR UPDATE`,
          [run.id, caseId],
        );
        if (entry?.outcome !== 'pending') return;
        const outcome = await this.migrations.migrateCase(manager, requester, run.workflow_key, caseId, versions, run.id);
        await this.record(manager, run.id, caseId, outcome);
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Migration ${run.id} of case ${caseId} failed`, error instanceof Error ? error.stack : message);
      // If this fails too (the database is gone), the job fails and its retry takes the case again.
      await this.dataSource.transaction((manager) =>
        this.record(manager, run.id, caseId, { outcome: 'failed', reason: `the migration failed and was rolled back: ${message}` }),
      );
    }
  }

  /** Records a case's outcome and counts it, once: an entry no longer pending keeps its outcome. */
  private async record(manager: EntityManager, runId: string, caseId: string, { outcome, reason }: CaseMigrationOutcome | { outcome: 'failed'; reason: string }): Promise<void> {
    const [{ updated }]: { updated: number }[] = await manager.query(
      `WITH updated AS (UPDATE migration_run_cases SET outcome = $3, reason = $4, handled_at = $5
                         WHERE run_id = $1 AND case_id = $2 AND outcome = 'pending' RETURNING 1)
       SELECT count(*)::int AS updated FROM updated`,
      [runId, caseId, outcome, reason, this.clock.now()],
    );
    if (updated === 0) return;
    const column = COUNTER[outcome];
    await manager.query(`UPDATE migration_runs SET ${column} = ${column} + 1 WHERE id = $1`, [runId]);
  }

  /** The run is done: its status and its audit row (totals, the cases not moved) commit together, once. */
  private async finish(run: MigrationRunRow, requester: AuthUser): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [done]: MigrationRunRow[] = await manager.query(
        `WITH done AS (UPDATE migration_runs SET status = 'done', finished_at = $2 WHERE id = $1 AND status = 'running' RETURNING *) SELECT * FROM done`,
        [run.id, this.clock.now()],
      );
      if (!done) return;
      const view = runView({ ...done, requested_by_username: requester.username }, await this.refusals(manager, run.id));
      await this.audit.record(
        {
          kind: 'definition.migrated',
          actor: requester,
          targetType: 'workflow',
          targetId: `${run.workflow_key}@${run.from_version}`,
          details: {
            runId: run.id,
            key: run.workflow_key,
            fromVersion: run.from_version,
            toVersion: run.to_version,
            mapping: run.mapping,
            counts: view.counts,
            notMoved: view.refusals!.map((r) => ({ caseId: r.caseId, outcome: r.outcome, reason: r.reason })),
          },
        },
        manager,
      );
    });
  }

  private async fail(runId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE migration_runs SET status = 'failed', finished_at = $2, error = $3 WHERE id = $1 AND status IN ('queued', 'running')`, [
      runId,
      this.clock.now(),
      error.slice(0, 2000),
    ]);
  }

  /**
   * The cases the run takes, numbered in the order it takes them: the ids given (first
   * mention kept), else every running case on the old version, oldest first.
   */
  private async selectCases(manager: EntityManager, runId: string, versions: MigrationVersions, caseIds: string[] | undefined): Promise<number> {
    const [{ count }]: { count: number }[] = caseIds
      ? await manager.query(
          `WITH selected AS (
             INSERT INTO migration_run_cases (run_id, case_id, position, outcome)
             SELECT $1, id, ord, 'pending' FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord) RETURNING 1)
           SELECT count(*)::int AS count FROM selected`,
          [runId, [...new Set(caseIds.map((id) => id.toLowerCase()))]],
        )
      : await manager.query(
          `WITH selected AS (
             INSERT INTO migration_run_cases (run_id, case_id, position, outcome)
             SELECT $1, id, row_number() OVER (ORDER BY created_at, id), 'pending'
               FROM cases WHERE definition_id = $2 AND snapshot->>'status' = 'active' RETURNING 1)
           SELECT count(*)::int AS count FROM selected`,
          [runId, versions.from.id],
        );
    return count;
  }

  private async refusals(manager: EntityManager, runId: string): Promise<MigrationRunCaseView[]> {
    const rows: { case_id: string; title: string | null; outcome: MigrationRunCaseView['outcome']; reason: string | null; handled_at: Date | null }[] = await manager.query(
      `SELECT rc.case_id, c.title, rc.outcome, rc.reason, rc.handled_at
         FROM migration_run_cases rc LEFT JOIN cases c ON c.id = rc.case_id
        WHERE rc.run_id = $1 AND rc.outcome IN ('refused', 'skipped', 'failed')
        ORDER BY rc.position LIMIT ${REFUSALS_SHOWN}`,
      [runId],
    );
    return rows.map((r) => ({ caseId: r.case_id, title: r.title, outcome: r.outcome, reason: r.reason, handledAt: r.handled_at }));
  }

  private async activeRun(manager: EntityManager, key: string): Promise<{ id: string; status: string } | undefined> {
    const [active] = await manager.query(`SELECT id, status FROM migration_runs WHERE workflow_key = $1 AND status IN ('queued', 'running')`, [key]);
    return active;
  }

  /**
   * The run of the workflow still queued or running, if it really is (settleRunJob): one
   * whose job BullMQ gave up on is marked failed, one whose job Redis lost is queued again.
   */
  private async settleActiveRun(key: string): Promise<{ id: string; status: string } | undefined> {
    const active = await this.activeRun(this.dataSource.manager, key);
    if (!active) return undefined;
    const goesOn = await settleRunJob(this.queue, migrationJobId(active.id), {
      abandoned: (reason) => this.fail(active.id, `Its job failed${reason ? `: ${reason}` : ''}; the cases it had not reached are still on the old version`),
      lost: async () => {
        this.logger.warn(`Migration ${active.id} had no job in Redis: queued again`);
        await this.enqueue(active.id).catch(() => undefined);
      },
    });
    return goesOn ? active : undefined;
  }

  /** A retry after a crash (a stalled job) costs no attempt; a failed batch retries after 30 s and more. */
  private enqueue(runId: string): Promise<void> {
    return queueRunJob(this.queue, JobName.RunCaseMigration, runId, migrationJobId(runId), 30_000);
  }

  /** The administrator who started the run: the actor of its history events and audit rows. */
  private async requester(userId: string): Promise<AuthUser> {
    const [user] = await this.dataSource.query(
      `SELECT id, username, display_name AS "displayName", roles, jurisdiction_code AS "jurisdictionCode", permissions FROM users WHERE id = $1`,
      [userId],
    );
    if (!user) throw new Error(`the user ${userId} who started the migration does not exist`);
    return { ...user, permissions: user.permissions ?? [] };
  }
}

function running(key: string, active: { id: string; status: string }): DefinitionException {
  return new DefinitionException(
    `A migration of workflow '${key}' is ${active.status}: wait until it has finished`,
    DefinitionExceptionCode.MIGRATION_RUNNING,
    { workflow: key, runId: active.id, status: active.status },
  );
}
