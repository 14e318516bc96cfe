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
import { InjectQueue, JobName, outboxJobId, QueueName, REDIS_CONNECTION, type TypedQueue } from '../common/queues.js';
import { REDIS_CALL_TIMEOUT_MS, withTimeout } from '../common/with-timeout.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PeriodicTask } from '../jobs/periodic-task.js';

/** Outbox rows published per transaction. */
export const RELAY_BATCH_SIZE = 200;

/**
 * Publishes the outbox to BullMQ. Every OUTBOX_INTERVAL_MS it locks the oldest unpublished
 * rows that are due (`FOR UPDATE SKIP LOCKED`, so several workers share them), adds one
 * `DeliverOutboxMessage` job per row with the deterministic id `outbox-{id}` and retries
 * with exponential backoff, and stamps `published_at` — in one transaction. When Redis is
 * away nothing is stamped: the rows stay and go out on a later tick. A row published twice
 * (the commit failed after Redis took the jobs) is one job, and the consumer re-checks.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private readonly task: PeriodicTask;
  private redisWasDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Outbox) private readonly queue: TypedQueue<QueueName.Outbox>,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.task = new PeriodicTask('Outbox relay', config.delivery.outboxIntervalMs, () => this.tick(), this.logger);
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

  /** Relays now (or waits for the pass in progress). */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  private async tick(): Promise<void> {
    if (this.redis.status !== 'ready') {
      if (!this.redisWasDown) this.logger.warn('Redis is not reachable: outbox rows wait in PostgreSQL until it is back');
      this.redisWasDown = true;
      return;
    }
    this.redisWasDown = false;
    await this.relayAll();
  }

  /** Publishes every due, unpublished row; returns how many. Throws when Redis fails. */
  async relayAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.relayBatch();
      total += count;
      if (count < RELAY_BATCH_SIZE) return total;
    }
  }

  private relayBatch(): Promise<number> {
    const { delivery } = this.config;
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const rows: { id: string }[] = await manager.query(
        `SELECT id FROM outbox
          WHERE published_at IS NULL AND available_at <= $1
          ORDER BY id
          LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [now, RELAY_BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((row) => String(row.id));
      await withTimeout(
        this.queue.addBulk(
          ids.map((outboxId) => ({
            name: JobName.DeliverOutboxMessage,
            data: { outboxId },
            opts: {
              jobId: outboxJobId(outboxId),
              attempts: delivery.outboxAttempts,
              backoff: { type: 'exponential', delay: delivery.outboxBackoffMs },
              // Kept as long as the reconciler looks back, so that it can tell a job Redis
              // lost from one that ran; failed ones a month, for administrators.
              removeOnComplete: { age: Math.ceil(delivery.outboxRecheckMs / 1000) },
              removeOnFail: { age: 30 * 86_400 },
            },
          })),
        ),
        REDIS_CALL_TIMEOUT_MS,
        'Redis did not take the outbox jobs in time',
      );
      await manager.query(`UPDATE outbox SET published_at = $2 WHERE id = ANY($1::bigint[])`, [ids, now]);
      return ids.length;
    });
  }
}
