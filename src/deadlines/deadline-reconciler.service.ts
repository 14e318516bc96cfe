import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import {
  DAILY_DIGEST_SCHEDULER_ID,
  YEAR_END_ASSESSMENT_CRON,
  YEAR_END_ASSESSMENT_SCHEDULER_ID,
  deadlineJobId,
  DIGEST_TIME_ZONE,
  InjectQueue,
  JobName,
  outboxJobId,
  QueueName,
  REDIS_CONNECTION,
  type TypedQueue,
} from '../common/queues.js';
import { REDIS_CALL_TIMEOUT_MS, withTimeout } from '../common/with-timeout.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PeriodicTask } from '../jobs/periodic-task.js';
import { OutboxRelayService } from '../notifications/outbox-relay.service.js';
import { DeadlineSchedulerService } from './deadline-scheduler.service.js';

/** Rows whose jobs are looked up per round of Redis calls. */
export const RECONCILE_BATCH_SIZE = 1000;

export interface ReconcileReport {
  /** Pending rows within the horizon that were marked enqueued, and so checked. */
  checked: number;
  /** …whose job was gone (Redis flushed or restored from an old dump): handed back. */
  missing: number;
  /** …whose job had failed for good: removed and handed back. */
  failed: number;
  /** …overdue while their job still waited for its delay (the clock moved): promoted. */
  promoted: number;
  /** Outbox rows published within OUTBOX_RECHECK_WINDOW whose job was gone: republished. */
  outboxChecked: number;
  outboxMissing: number;
}

interface EnqueuedRow {
  id: string;
  generation: number;
  due_at: Date;
}

/**
 * Makes sure Redis has a job for every deadline that should have one. PostgreSQL says
 * which rows were handed to BullMQ (`enqueued_generation`); if Redis lost them (FLUSHALL, a
 * failover to a stale replica, a job that failed for good) the row is handed back to the
 * scheduler, which adds the job again under the same deterministic id. A job still waiting
 * out a delay although its row is overdue (the clock jumped, a delay computed on another
 * host) is promoted. Runs at start-up and every RECONCILE_INTERVAL_MS over the whole
 * horizon, and every SCHEDULER_INTERVAL_MS over the rows overdue by DEADLINE_LATE_AFTER_MS.
 *
 * Published outbox rows get the same check within OUTBOX_RECHECK_WINDOW (their completed
 * jobs are kept that long); the consumers are idempotent, so republishing is harmless.
 * The job schedulers (the daily digest, the yearly assessment) are upserted on every run, as
 * a flush loses them too.
 */
@Injectable()
export class DeadlineReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeadlineReconciler');
  private readonly full: PeriodicTask;
  private readonly late: PeriodicTask;
  private firstRun = true;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Deadlines) private readonly deadlines: TypedQueue<QueueName.Deadlines>,
    @InjectQueue(QueueName.Outbox) private readonly outbox: TypedQueue<QueueName.Outbox>,
    @InjectQueue(QueueName.Runs) private readonly runs: TypedQueue<QueueName.Runs>,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scheduler: DeadlineSchedulerService,
    private readonly relay: OutboxRelayService,
  ) {
    const { delivery } = config;
    this.full = new PeriodicTask('Reconciliation', delivery.reconcileIntervalMs, () => this.reconcileAndLog(), this.logger);
    this.late = new PeriodicTask('Overdue job check', delivery.schedulerIntervalMs, () => this.checkOverdue().then(() => undefined), this.logger);
  }

  onApplicationBootstrap(): void {
    // The start-up reconciliation waits for the queues to be ready (as the relay's and the
    // scheduler's first ticks do): run at once it would fail on a connection still
    // connecting, and the next try is RECONCILE_INTERVAL_MS away.
    this.full.start({ whenReady: Promise.all([this.deadlines, this.outbox, this.runs].map((queue) => queue.waitUntilReady())) });
    this.late.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.full.stop(), this.late.stop()]);
  }

  /** Runs a full reconciliation now (or waits for the one in progress). */
  runNow(): Promise<void> {
    return this.full.runNow();
  }

  /** One full pass: every enqueued row due within the horizon, the outbox, the digest. */
  async reconcile(): Promise<ReconcileReport> {
    this.assertRedisReady();
    const report: ReconcileReport = { checked: 0, missing: 0, failed: 0, promoted: 0, outboxChecked: 0, outboxMissing: 0 };
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + this.config.delivery.deadlineHorizonMs);
    // Keyset pagination in the order of the partial index on due_at (pending rows only). The
    // key goes back as text: a JS Date would drop the microseconds and repeat rows.
    let after = { dueAt: '-infinity', id: '0' };
    for (;;) {
      const rows: (EnqueuedRow & { due_key: string })[] = await this.dataSource.query(
        `SELECT id, generation, due_at, due_at::text AS due_key FROM deadlines
          WHERE status = 'pending' AND due_at <= $1 AND due_at >= $2::timestamptz AND (due_at, id) > ($2::timestamptz, $3::bigint)
            AND enqueued_generation = generation
          ORDER BY due_at, id LIMIT $4`,
        [horizon, after.dueAt, after.id, RECONCILE_BATCH_SIZE],
      );
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      after = { dueAt: last.due_key, id: String(last.id) };
      await this.checkDeadlineJobs(rows, now, report);
      if (rows.length < RECONCILE_BATCH_SIZE) break;
    }
    await this.checkOutboxJobs(now, report);
    await withTimeout(
      this.outbox.upsertJobScheduler(
        DAILY_DIGEST_SCHEDULER_ID,
        { pattern: this.config.delivery.dailyDigestCron, tz: DIGEST_TIME_ZONE },
        { name: JobName.SendDailyDigest, data: {}, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 30 }, removeOnFail: { count: 30 } } },
      ),
      REDIS_CALL_TIMEOUT_MS,
      'Redis did not take the digest scheduler in time',
    );
    await withTimeout(
      this.runs.upsertJobScheduler(
        YEAR_END_ASSESSMENT_SCHEDULER_ID,
        { pattern: YEAR_END_ASSESSMENT_CRON, tz: DIGEST_TIME_ZONE },
        { name: JobName.RunYearEndAssessment, data: { runId: null }, opts: { attempts: 3, backoff: { type: 'exponential', delay: 300_000 }, removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } } },
      ),
      REDIS_CALL_TIMEOUT_MS,
      'Redis did not take the assessment scheduler in time',
    );
    // Releases before the runs queue kept the assessment's scheduler on the outbox queue,
    // whose worker refuses the job now: a Redis kept across the upgrade loses it here.
    await withTimeout(this.outbox.removeJobScheduler(YEAR_END_ASSESSMENT_SCHEDULER_ID), REDIS_CALL_TIMEOUT_MS, 'Redis did not answer in time');
    // What was handed back gets its job now rather than at the next tick.
    if (report.missing + report.failed > 0) await this.scheduler.runNow();
    if (report.outboxMissing > 0) await this.relay.runNow();
    return report;
  }

  /**
   * The cheap, frequent check: rows overdue by DEADLINE_LATE_AFTER_MS that are still
   * pending although their job was added. Normally there are none.
   */
  async checkOverdue(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, missing: 0, failed: 0, promoted: 0, outboxChecked: 0, outboxMissing: 0 };
    if (this.redis.status !== 'ready') return report;
    const now = this.clock.now();
    const rows: EnqueuedRow[] = await this.dataSource.query(
      `SELECT id, generation, due_at FROM deadlines
        WHERE status = 'pending' AND due_at <= $1 AND enqueued_generation = generation
        ORDER BY due_at LIMIT $2`,
      [new Date(now.getTime() - this.config.delivery.deadlineLateAfterMs), RECONCILE_BATCH_SIZE],
    );
    if (rows.length === 0) return report;
    await this.checkDeadlineJobs(rows, now, report);
    if (report.missing + report.failed + report.promoted > 0) {
      this.logger.warn(
        `Overdue deadlines: ${report.checked} checked, ${report.promoted} delayed job(s) promoted, ` +
          `${report.missing} missing and ${report.failed} failed job(s) handed back`,
      );
    }
    if (report.missing + report.failed > 0) await this.scheduler.runNow();
    return report;
  }

  private async reconcileAndLog(): Promise<void> {
    const started = Date.now();
    const report = await this.reconcile();
    const found = report.missing + report.failed + report.promoted + report.outboxMissing;
    const message =
      `Reconciled in ${Date.now() - started} ms: ${report.checked} enqueued deadline(s) checked, ` +
      `${report.missing} missing and ${report.failed} failed job(s) handed back to the scheduler, ${report.promoted} overdue job(s) promoted; ` +
      `${report.outboxChecked} published outbox row(s) checked, ${report.outboxMissing} republished`;
    if (found > 0) this.logger.warn(message);
    else if (this.firstRun) this.logger.log(message);
    else this.logger.debug(message);
    this.firstRun = false;
  }

  private async checkDeadlineJobs(rows: EnqueuedRow[], now: Date, report: ReconcileReport): Promise<void> {
    const ids = rows.map((row) => deadlineJobId(String(row.id), row.generation));
    // ioredis pipelines the concurrent calls on its one connection: one round trip a batch.
    const states = await withTimeout(
      Promise.all(ids.map((id) => this.deadlines.getJobState(id))),
      REDIS_CALL_TIMEOUT_MS,
      'Redis did not answer the job states in time',
    );
    const handBack: EnqueuedRow[] = [];
    for (const [i, row] of rows.entries()) {
      report.checked += 1;
      const state = states[i];
      if (state === 'unknown' || state === 'completed') {
        // 'completed' while the row is still pending: its firing was a no-op ('early'
        // lost its hand-back in a race): a new job is as harmless as it is necessary.
        if (state === 'completed') await this.deadlines.remove(ids[i]);
        report.missing += 1;
        handBack.push(row);
      } else if (state === 'failed') {
        await this.deadlines.remove(ids[i]);
        report.failed += 1;
        handBack.push(row);
      } else if (state === 'delayed' && row.due_at.getTime() <= now.getTime()) {
        const job = await this.deadlines.getJob(ids[i]);
        // It may have moved on by itself in between: then there is nothing to promote.
        const promoted = await job?.promote().then(() => true, () => false);
        if (promoted) report.promoted += 1;
      }
    }
    if (handBack.length > 0) {
      // Only rows still exactly as read: a row fired or recomputed meanwhile is left alone.
      await this.dataSource.query(
        `UPDATE deadlines d SET enqueued_generation = NULL
           FROM unnest($1::bigint[], $2::int[]) AS v(id, generation)
          WHERE d.id = v.id AND d.status = 'pending' AND d.generation = v.generation AND d.enqueued_generation = v.generation`,
        [handBack.map((r) => r.id), handBack.map((r) => r.generation)],
      );
    }
  }

  private async checkOutboxJobs(now: Date, report: ReconcileReport): Promise<void> {
    const since = new Date(now.getTime() - this.config.delivery.outboxRecheckMs);
    let lastId = '0';
    for (;;) {
      const rows: { id: string; published_at: Date }[] = await this.dataSource.query(
        `SELECT id, published_at FROM outbox
          WHERE published_at IS NOT NULL AND published_at >= $1 AND id > $2
          ORDER BY id LIMIT $3`,
        [since, lastId, RECONCILE_BATCH_SIZE],
      );
      if (rows.length === 0) return;
      lastId = String(rows[rows.length - 1].id);
      const states = await withTimeout(
        Promise.all(rows.map((row) => this.outbox.getJobState(outboxJobId(String(row.id))))),
        REDIS_CALL_TIMEOUT_MS,
        'Redis did not answer the job states in time',
      );
      const lost = rows.filter((_, i) => states[i] === 'unknown');
      report.outboxChecked += rows.length;
      if (lost.length > 0) {
        const [{ n }]: { n: number }[] = await this.dataSource.query(
          `WITH republished AS (
             UPDATE outbox SET published_at = NULL WHERE id = ANY($1::bigint[]) AND published_at IS NOT NULL RETURNING id
           )
           SELECT count(*)::int AS n FROM republished`,
          [lost.map((r) => r.id)],
        );
        report.outboxMissing += n;
      }
      if (rows.length < RECONCILE_BATCH_SIZE) return;
    }
  }

  private assertRedisReady(): void {
    if (this.redis.status !== 'ready') throw new Error(`Redis is not reachable (${this.redis.status}); will try again`);
  }
}
