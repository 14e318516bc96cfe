import { Inject } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { activeRunVerdict, type RunJobState } from './run-job.js';
import { REDIS_CALL_TIMEOUT_MS, withTimeout } from './with-timeout.js';

/**
 * BullMQ queues and the jobs they carry. Redis only delivers: every job points at a
 * PostgreSQL row and its consumer re-reads that row, so a lost, duplicated or late job
 * costs time, never correctness.
 */
export enum QueueName {
  Outbox = 'outbox',
  Deadlines = 'deadlines',
  /**
   * Long administrative runs (a migration run, a year-end assessment) that may take minutes
   * or hours: a queue of their own, one at a time per worker, so that they never hold the
   * outbox's slots (mail, in-app notifications) or the deadlines'.
   */
  Runs = 'runs',
}

export enum JobName {
  /** Publish one outbox row to its consumer (mail, in-app notification). */
  DeliverOutboxMessage = 'deliver-outbox-message',
  /** Fire one deadline row (reminder, due time, escalation rung) if it is still current. */
  FireDeadline = 'fire-deadline',
  /** The daily digest of overdue work to each supervisor (a job scheduler, 08:00 Beijing). */
  SendDailyDigest = 'send-daily-digest',
  /** Run one year-end assessment (an assessment_runs row; none: the scheduler's yearly run of the year just ended). */
  RunYearEndAssessment = 'run-year-end-assessment',
  /** Move the cases of one migration run (a migration_runs row) to its target version. */
  RunCaseMigration = 'run-case-migration',
}

/** The data each job carries: ids only, never copies of database state. */
export interface JobPayloads {
  [JobName.DeliverOutboxMessage]: { outboxId: string };
  /** `generation` is the row's generation when the job was made: an older one is stale. */
  [JobName.FireDeadline]: { deadlineId: string; generation: number };
  [JobName.SendDailyDigest]: Record<string, never>;
  /** null: made by the yearly job scheduler, which assesses the year just ended. */
  [JobName.RunYearEndAssessment]: { runId: string | null };
  [JobName.RunCaseMigration]: { runId: string };
}

/**
 * What each handler returns (stored by BullMQ as the job's result). A vanished or moved-on
 * row is a result ('stale', 'skipped'), not an error: only a failure worth retrying throws.
 */
export interface JobResults {
  [JobName.DeliverOutboxMessage]: 'done' | 'skipped' | 'failed';
  /** 'early': the clock says not yet; the row was handed back to the scheduler. */
  [JobName.FireDeadline]: 'fired' | 'stale' | 'early';
  [JobName.SendDailyDigest]: 'sent';
  /** 'stale': the run was already finished (a duplicated job); 'queued': the scheduler's job recorded and queued a run. */
  [JobName.RunYearEndAssessment]: 'done' | 'failed' | 'stale' | 'queued';
  /** 'stale': the run had already finished (a duplicated job); 'failed': it could not go on (see its row). */
  [JobName.RunCaseMigration]: 'done' | 'failed' | 'stale';
}

/** Which queue carries each job. */
export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  [JobName.DeliverOutboxMessage]: QueueName.Outbox,
  [JobName.FireDeadline]: QueueName.Deadlines,
  // One short job a day (a notification per supervisor): it shares the outbox's slots.
  [JobName.SendDailyDigest]: QueueName.Outbox,
  [JobName.RunYearEndAssessment]: QueueName.Runs,
  [JobName.RunCaseMigration]: QueueName.Runs,
};

/** Which jobs run on which queue (JOB_QUEUE as types). */
export interface QueueJobs {
  [QueueName.Outbox]: JobName.DeliverOutboxMessage | JobName.SendDailyDigest;
  [QueueName.Deadlines]: JobName.FireDeadline;
  [QueueName.Runs]: JobName.RunYearEndAssessment | JobName.RunCaseMigration;
}

/** Jobs of the runs queue a worker runs at once: one (a second run waits for a free worker). */
export const RUNS_CONCURRENCY = 1;

export type TypedQueue<Q extends QueueName> = Queue<JobPayloads[QueueJobs[Q]], unknown, QueueJobs[Q]>;

/** A job as its handler receives it. */
export type TypedJob<J extends JobName> = Job<JobPayloads[J], JobResults[J], J>;

/**
 * Deterministic job id for an outbox row, so re-publishing the same row is a no-op in
 * BullMQ. (BullMQ refuses purely numeric custom ids and ids containing ':'.)
 */
export function outboxJobId(outboxId: string): string {
  return `outbox-${outboxId}`;
}

/**
 * Deterministic job id of one generation of a deadline row. The issue writes
 * `deadline:{id}:{generation}`; BullMQ refuses ':' in custom ids, hence the dashes.
 */
export function deadlineJobId(deadlineId: string, generation: number): string {
  return `deadline-${deadlineId}-${generation}`;
}

/** Id of the job scheduler that makes the daily digest job (one per Redis, however many workers). */
export const DAILY_DIGEST_SCHEDULER_ID = JobName.SendDailyDigest;
/** The digest is due at 08:00 Beijing time: the cron pattern is read in this zone. */
export const DIGEST_TIME_ZONE = 'Asia/Shanghai';

/** Id of the job scheduler of the yearly assessment, and its time: 02:00 on 2 January, Beijing time. */
export const YEAR_END_ASSESSMENT_SCHEDULER_ID = JobName.RunYearEndAssessment;
export const YEAR_END_ASSESSMENT_CRON = '0 2 2 1 *';

/** Job id of one assessment run: adding it twice is a no-op in BullMQ. */
export function assessmentJobId(runId: string): string {
  return `assessment-${runId}`;
}

/** Job id of one migration run: adding it again (a lost job re-queued) is a no-op while it exists. */
export function migrationJobId(runId: string): string {
  return `migration-${runId}`;
}

/** How long a request waits for Redis to say how a run's job is (see settleRunJob). */
const RUN_JOB_LOOKUP_MS = 2000;

/**
 * A request meets a run still recorded as queued or running (a migration run, an
 * assessment): it looks at the run's job (`activeRunVerdict`). BullMQ gave up on it →
 * `abandoned` (the caller marks the run failed; the reason BullMQ recorded is passed on);
 * Redis lost it → `lost` (the caller queues it again: the run resumes). Resolves whether the
 * run still goes on. Without Redis nothing can be told: the run is taken as going on — and
 * the request is not held for it (a queue whose connection was never ready waits for it
 * rather than failing, hence the time limit).
 */
export async function settleRunJob(
  queue: Queue,
  jobId: string,
  on: { abandoned(failedReason: string | undefined): Promise<void>; lost(): Promise<void> },
): Promise<boolean> {
  const lookup = async (): Promise<{ state: RunJobState; failedReason?: string }> => {
    const job = await queue.getJob(jobId);
    return job ? { state: (await job.getState()) as RunJobState, failedReason: job.failedReason } : { state: 'missing' };
  };
  let found: { state: RunJobState; failedReason?: string };
  try {
    found = await withTimeout(lookup(), RUN_JOB_LOOKUP_MS, 'Redis did not answer in time');
  } catch {
    return true;
  }
  const verdict = activeRunVerdict(found.state);
  if (verdict === 'abandoned') {
    await on.abandoned(found.failedReason);
    return false;
  }
  if (verdict === 'requeue') await on.lost();
  return true;
}

/**
 * Queues the job of a run (a migration run, an assessment) under the run's own job id, so
 * queueing it again adds nothing; its retries resume the run. Limited in time: with Redis
 * away since start-up `add` waits for a first connection without end, and the request must
 * answer (503) instead. A job that still arrives after its run was marked failed finds the
 * run so and does nothing ('stale').
 */
export async function queueRunJob(
  queue: TypedQueue<QueueName.Runs>,
  name: QueueJobs[QueueName.Runs],
  runId: string,
  jobId: string,
  backoffMs: number,
): Promise<void> {
  const added = queue.add(name, { runId }, { jobId, attempts: 3, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } });
  await withTimeout(added, REDIS_CALL_TIMEOUT_MS, 'Redis did not take the job in time');
}

/** The Nest token of a queue, for tests and custom providers. */
export function queueToken(name: QueueName): string {
  return `bullmq:queue:${name}`;
}

/** `constructor(@InjectQueue(QueueName.Outbox) private readonly outbox: TypedQueue<QueueName.Outbox>)` */
export const InjectQueue = (name: QueueName): ParameterDecorator => Inject(queueToken(name));

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
