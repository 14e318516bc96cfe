import { DiscoveryService } from '@nestjs/core';
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
