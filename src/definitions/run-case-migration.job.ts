import { Injectable } from '@nestjs/common';
import { JobName, type JobResults, type TypedJob } from '../common/queues.js';
import { isFinalAttempt, JobHandler, type JobHandlerOf } from '../jobs/job-handler.js';
import { MigrationRunsService } from './migration-runs.service.js';

/**
 * Runs one migration (a migration_runs row). Safe to repeat: the run goes on with its
 * pending cases, a finished run is 'stale'. A failure worth retrying throws; on the last
 * attempt it ends the run as failed instead, so the workflow is free for a new run.
 */
@Injectable()
@JobHandler(JobName.RunCaseMigration)
export class RunCaseMigrationJob implements JobHandlerOf<JobName.RunCaseMigration> {
  constructor(private readonly runs: MigrationRunsService) {}

  handle(job: TypedJob<JobName.RunCaseMigration>): Promise<JobResults[JobName.RunCaseMigration]> {
    return this.runs.runJob(job.data.runId, isFinalAttempt(job));
  }
}
