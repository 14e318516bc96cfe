import { hostname } from 'node:os';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_QUEUE, JobName, QueueName, RUNS_CONCURRENCY } from '../common/queues.js';
import { closeRedisConnection, createRedisConnection } from '../common/queues.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobHandler, type JobHandlerOf } from './job-handler.js';

/** How long shutdown waits for the jobs in progress before leaving them to another worker. */
const SHUTDOWN_GRACE_MS = 25_000;

/** What a finished job reports to listeners (tests count firings with it). */
export interface JobOutcome {
  name: JobName;
  jobId: string | undefined;
  data: unknown;
  result: unknown;
}

/**
 * The BullMQ workers of this process: one Worker per queue, each on its own Redis
 * connections, dispatching jobs by name to their `@JobHandler`. Start-up fails unless every
 * JobName has exactly one handler on the queue it runs on. Shutdown closes the workers,
 * letting the jobs in progress finish (a job cut short by a crash is redelivered by BullMQ's
 * stalled-job check after the lock expires).
 */
@Injectable()
export class JobWorkersService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobWorkers');
  private readonly handlers = new Map<JobName, JobHandlerOf<JobName>>();
  private readonly workers: { worker: Worker; connection: Redis }[] = [];
  private readonly listeners = new Set<(outcome: JobOutcome) => void>();
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobHandler.KEY })) {
      const name = this.discovery.getMetadataByDecorator(JobHandler, wrapper);
      const instance = wrapper.instance as Partial<JobHandlerOf<JobName>> | undefined;
      if (!name || !instance) continue;
      if (!Object.values(JobName).includes(name)) problems.push(`${wrapper.name} handles an unknown job '${String(name)}'`);
      else if (typeof instance.handle !== 'function') problems.push(`${wrapper.name} (handler of ${name}) has no handle() method`);
      else if (this.handlers.has(name)) problems.push(`${name} has two handlers`);
      else this.handlers.set(name, instance as JobHandlerOf<JobName>);
    }
    const missing = Object.values(JobName).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) problems.push(`no handler registered for ${missing.join(', ')}`);
    if (problems.length > 0) throw new Error(`Job handlers: ${problems.join('; ')}`);
  }

  onApplicationBootstrap(): void {
    const { delivery } = this.config;
    const concurrency: Record<QueueName, number> = {
      [QueueName.Deadlines]: delivery.deadlineConcurrency,
      [QueueName.Outbox]: delivery.outboxConcurrency,
      [QueueName.Runs]: RUNS_CONCURRENCY,
    };
    for (const queue of Object.values(QueueName)) {
      const connection = createRedisConnection(this.config.redisUrl, { blocking: true, name: `fupin-worker-${queue}` });
      const worker = new Worker(queue, (job: Job) => this.process(queue, job), {
        connection,
        prefix: delivery.bullmqPrefix,
        name: `${hostname()}-${process.pid}`,
        concurrency: concurrency[queue],
        lockDuration: delivery.lockDurationMs,
        stalledInterval: delivery.stalledIntervalMs,
        // A job whose worker died twice in a row is failed rather than looping; the
        // reconciler gives a failed deadline job a new one.
        maxStalledCount: 2,
      });
      worker.on('error', (error) => this.warnOnce(`${queue} worker: ${error.message}`));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.logger.warn(`${job.name} ${job.id} attempt ${job.attemptsMade} failed${final ? ' (no retries left)' : ''}: ${error.message}`);
      });
      worker.on('completed', (job, result) => this.emit({ name: job.name as JobName, jobId: job.id, data: job.data, result }));
      this.workers.push({ worker, connection });
    }
    this.logger.log(`Workers started: ${Object.values(QueueName).join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.workers.map(async ({ worker, connection }) => {
        // close() lets the jobs in progress finish. Without Redis there can be none, and a
        // graceful close would wait for a connection that may never come: close at once.
        const closing = worker.close(connection.status !== 'ready').then(
          () => true,
          (error: Error) => {
            this.logger.warn(`${worker.name} worker: ${error.message}`);
            return true;
          },
        );
        let timer: NodeJS.Timeout | undefined;
        const closed = await Promise.race([
          closing,
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS))),
        ]);
        clearTimeout(timer);
        if (!closed) this.logger.warn(`${worker.name} worker did not finish its jobs within ${SHUTDOWN_GRACE_MS} ms: BullMQ will hand them to another worker`);
      }),
    );
    // Then the connections we own go (which also ends a close that was still waiting).
    await Promise.all(this.workers.map(({ connection }) => closeRedisConnection(connection)));
    this.workers.length = 0;
  }

  /** Calls `listener` with every completed job of this process; returns the unsubscribe. */
  onCompleted(listener: (outcome: JobOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Workers of this process, for tests (e.g. to wait until they are ready). */
  get running(): readonly Worker[] {
    return this.workers.map(({ worker }) => worker);
  }

  private async process(queue: QueueName, job: Job): Promise<unknown> {
    const name = job.name as JobName;
    const handler = this.handlers.get(name);
    // A job this code does not know (or on the wrong queue) would fail the same way on
    // every retry: fail it for good, visibly.
    if (!handler || JOB_QUEUE[name] !== queue) throw new UnrecoverableError(`No handler for job '${job.name}' on queue ${queue}`);
    return handler.handle(job as never);
  }

  /**
   * While Redis is away BullMQ reports every reconnection attempt of every connection: the
   * same message is logged once a minute, not several times a second.
   */
  private warnOnce(message: string): void {
    const now = Date.now();
    if ((this.lastWarned.get(message) ?? 0) > now - 60_000) return;
    this.lastWarned.set(message, now);
    if (this.lastWarned.size > 100) this.lastWarned.clear();
    this.logger.warn(message);
  }

  private emit(outcome: JobOutcome): void {
    for (const listener of this.listeners) {
      try {
        listener(outcome);
      } catch (error) {
        this.logger.warn(`Job listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
