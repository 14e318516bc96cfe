import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { JobName, type JobResults, type TypedJob } from '../common/queues.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobHandler, type JobHandlerOf } from '../jobs/job-handler.js';
import { DeadlineFiringService } from './deadline-firing.service.js';

/**
 * Fires one generation of one deadline row. DeadlineFiringService re-checks everything in
 * one transaction, so a duplicate, late or stale job is a no-op ('stale'). A job that ran
 * before the row's due time by this process's clock ('early': delays are computed on
 * another host, or the clock was set back) hands the row back to the scheduler, which
 * enqueues it again with the right delay.
 */
@Injectable()
@JobHandler(JobName.FireDeadline)
export class FireDeadlineJob implements JobHandlerOf<JobName.FireDeadline> {
  private readonly logger = new Logger('FireDeadline');

  constructor(
    private readonly firing: DeadlineFiringService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(job: TypedJob<JobName.FireDeadline>): Promise<JobResults[JobName.FireDeadline]> {
    const { deadlineId, generation } = job.data;
    const result = await this.firing.fire(deadlineId, generation);
    if (result === 'early') {
      await this.dataSource.query(
        `UPDATE deadlines SET enqueued_generation = NULL
          WHERE id = $1 AND generation = $2 AND status = 'pending' AND enqueued_generation = $2`,
        [deadlineId, generation],
      );
    }
    // One line per firing: operators (and the multi-process tests) count these.
    if (result === 'fired') this.logger.log(`deadline ${deadlineId} generation ${generation} fired (job ${job.id})`);
    else this.logger.debug(`deadline ${deadlineId} generation ${generation}: ${result}`);
    // Test only (loadAppConfig refuses it outside NODE_ENV=test): hold the job after the
    // firing committed, so a test can kill the worker before BullMQ hears of the result.
    const hold = this.config.nodeEnv === 'test' ? this.config.delivery.testFireDelayMs : 0;
    if (hold > 0 && result === 'fired') await new Promise((resolve) => setTimeout(resolve, hold));
    return result;
  }
}
