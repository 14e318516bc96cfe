import { Injectable } from '@nestjs/common';
import { JobName, type JobResults, type TypedJob } from '../common/queues.js';
import { isFinalAttempt, JobHandler, type JobHandlerOf } from '../jobs/job-handler.js';
import { AssessmentService } from './assessment.service.js';

/**
 * Runs one year-end assessment (the run an administrator started), or, with runId null (the
 * yearly job scheduler), records a run of the year just ended and queues its job. Safe to
 * repeat: the assessment is idempotent per county, and a finished run is 'stale'. A failure
 * worth retrying throws; on the last attempt it ends the run as failed instead.
 */
@Injectable()
@JobHandler(JobName.RunYearEndAssessment)
export class RunYearEndAssessmentJob implements JobHandlerOf<JobName.RunYearEndAssessment> {
  constructor(private readonly assessment: AssessmentService) {}

  handle(job: TypedJob<JobName.RunYearEndAssessment>): Promise<JobResults[JobName.RunYearEndAssessment]> {
    return this.assessment.runJob(job.data.runId, isFinalAttempt(job));
  }
}
