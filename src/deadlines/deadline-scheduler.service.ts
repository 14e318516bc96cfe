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
  deadlineJobId,
  InjectQueue,
  JobName,
  type JobPayloads,
  QueueName,
  REDIS_CONNECTION,
  type TypedQueue,
} from '../common/queues.js';
import { REDIS_CALL_TIMEOUT_MS, withTimeout } from '../common/with-timeout.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PeriodicTask } from '../jobs/periodic-task.js';

/** Rows handed to BullMQ per transaction. */
export const SCHEDULER_BATCH_SIZE = 1000;
/**
 * Tries of a deadline job whose firing threw (the database away, a conflict with a
 * concurrent firing on the same case): 0.5 s, 1 s, 2 s … apart with jitter, about a minute
 * in all; after that the reconciler's overdue check gives the row a new job.
 */
const DEADLINE_JOB_ATTEMPTS = 8;

interface DueRow {
  id: string;
  generation: number;
  due_at: Date;
}

/** Options of every deadline job; `delay` is added per job. */
export function deadlineJobOptions(row: { id: string; generation: number }, delay: number) {
  return {
    jobId: deadlineJobId(row.id, row.generation),
    delay,
    attempts: DEADLINE_JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
    // Gone when done, so that a row handed back ('early', or a job Redis lost) can get the
    // same deterministic id again; failed jobs stay a week for inspection (the reconciler
    // replaces them while their row is pending).
    removeOnComplete: true,
    removeOnFail: { age: 7 * 86_400 },
  };
}

/**
 * Hands deadline rows to BullMQ. Every SCHEDULER_INTERVAL_MS it takes the pending rows due
 * within DEADLINE_HORIZON whose current generation has no job yet, oldest due first, in
 * batches locked FOR UPDATE SKIP LOCKED (several workers share the rows without meeting),
 * adds one delayed job per row — id `deadline-{id}-{generation}`, delay = due_at − now — and
 * marks the row with the generation it enqueued, all in one transaction: when Redis is
 * away the transaction rolls back and the rows wait for the next tick. Rows further out
 * than the horizon simply wait in the table.
 */
@Injectable()
export class DeadlineSchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeadlineScheduler');
  private readonly task: PeriodicTask;
  private redisWasDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Deadlines) private readonly queue: TypedQueue<QueueName.Deadlines>,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.task = new PeriodicTask('Deadline scheduling', config.delivery.schedulerIntervalMs, () => this.tick(), this.logger);
  }

  onApplicationBootstrap(): void {
    // Not a tick right away: at start-up the Redis connection may still be connecting (or
    // Redis still starting), and a tick then would be skipped until the next interval. The
    // first tick comes as soon as the queue is ready instead (and the interval's ticks report
    // Redis while it is away).
    this.task.start({ whenReady: this.queue.waitUntilReady() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Runs a scheduling pass now (or waits for the one in progress). */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  private async tick(): Promise<void> {
    if (this.redis.status !== 'ready') {
      if (!this.redisWasDown) this.logger.warn('Redis is not reachable: deadlines wait in PostgreSQL until it is back');
      this.redisWasDown = true;
      return;
    }
    this.redisWasDown = false;
    const enqueued = await this.enqueueDue();
    if (enqueued > 0) this.logger.debug?.(`Enqueued ${enqueued} deadline job(s)`);
  }

  /**
   * Enqueues every row due within the horizon that lacks a job for its generation.
   * Returns how many it enqueued. Throws (after rolling back the batch) when Redis fails.
   */
  async enqueueDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.enqueueBatch();
      total += count;
      if (count < SCHEDULER_BATCH_SIZE) return total;
    }
  }

  private enqueueBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const rows: DueRow[] = await manager.query(
        `SELECT id, generation, due_at FROM deadlines
          WHERE status = 'pending' AND due_at <= $1 AND enqueued_generation IS DISTINCT FROM generation
          ORDER BY due_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [new Date(now.getTime() + this.config.delivery.deadlineHorizonMs), SCHEDULER_BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      const jobs = rows.map((row) => ({
        name: JobName.FireDeadline as const,
        data: { deadlineId: String(row.id), generation: row.generation } satisfies JobPayloads[JobName.FireDeadline],
        opts: deadlineJobOptions({ id: String(row.id), generation: row.generation }, Math.max(0, row.due_at.getTime() - now.getTime())),
      }));
      // Deterministic ids: if this transaction fails after Redis took the jobs, the next
      // tick adds them again and BullMQ keeps the first copy.
      await withTimeout(this.queue.addBulk(jobs), REDIS_CALL_TIMEOUT_MS, 'Redis did not take the deadline jobs in time');
      await manager.query(
        `UPDATE deadlines d SET enqueued_generation = v.generation
           FROM unnest($1::bigint[], $2::int[]) AS v(id, generation)
          WHERE d.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => r.generation)],
      );
      return rows.length;
    });
  }
}
