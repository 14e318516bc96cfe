import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import type { JobName, JobResults, TypedJob } from '../common/queues.js';

/**
 * Marks a provider as the handler of one job: `@JobHandler(JobName.FireDeadline)` on a
 * class implementing {@link JobHandlerOf}. The workers find handlers by this decorator and
 * refuse to start while any JobName has none (or two).
 */
export const JobHandler = DiscoveryService.createDecorator<JobName>();

/**
 * A job's handler. It re-reads the database and returns a result; it throws only for a
 * failure worth retrying (BullMQ then retries with backoff). A row that vanished or moved
 * on is a result ('stale', 'skipped'), never an error.
 */
export interface JobHandlerOf<J extends JobName> {
  handle(job: TypedJob<J>): Promise<JobResults[J]>;
}

/**
 * Whether this attempt of the job is its last: no retry follows when it throws, so a handler
 * records a failure for good instead (an email failed, a run failed) rather than leave its
 * row waiting for a retry that will not come.
 */
export function isFinalAttempt(job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
