import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AssessmentModule } from '../assessment/assessment.module.js';
import { RunYearEndAssessmentJob } from '../assessment/run-year-end-assessment.job.js';
import { QueuesModule } from '../common/queues.module.js';
import { DeadlineReconcilerService } from '../deadlines/deadline-reconciler.service.js';
import { DeadlineSchedulerService } from '../deadlines/deadline-scheduler.service.js';
import { DeadlineFiringModule } from '../deadlines/deadline-firing.module.js';
import { DefinitionAdminModule } from '../definitions/definition-admin.module.js';
import { RunCaseMigrationJob } from '../definitions/run-case-migration.job.js';
import { FireDeadlineJob } from '../deadlines/fire-deadline.job.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { OutboxRelayService } from '../notifications/outbox-relay.service.js';
import { DeliverOutboxMessageJob } from './deliver-outbox-message.job.js';
import { JobWorkersService } from './job-workers.service.js';
import { SendDailyDigestJob } from './send-daily-digest.job.js';

/**
 * Everything the worker runs: the BullMQ workers and their job handlers, the deadline
 * scheduler, the reconciler and the outbox relay. Imported by WorkerModule, and by the API
 * when it runs the worker in-process (RUN_WORKER=true). Needs Redis; the API without it
 * does not.
 */
@Module({
  imports: [DiscoveryModule, QueuesModule, DeadlineFiringModule, NotificationsModule, AssessmentModule, DefinitionAdminModule],
  providers: [
    JobWorkersService,
    FireDeadlineJob,
    DeliverOutboxMessageJob,
    SendDailyDigestJob,
    RunYearEndAssessmentJob,
    RunCaseMigrationJob,
    DeadlineSchedulerService,
    DeadlineReconcilerService,
    OutboxRelayService,
  ],
  exports: [JobWorkersService, DeadlineSchedulerService, DeadlineReconcilerService, OutboxRelayService],
})
export class JobsModule {}
