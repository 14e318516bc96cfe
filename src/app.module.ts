import { Module } from '@nestjs/common';
import { AssessmentModule } from './assessment/assessment.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CasesModule } from './cases/cases.module.js';
import { CoreModule } from './common/core.module.js';
import { runWorkerInProcess } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DeadlineFiringModule } from './deadlines/deadline-firing.module.js';
import { DefinitionAdminModule } from './definitions/definition-admin.module.js';
import { DefinitionsModule } from './definitions/definitions.module.js';
import { DisastersModule } from './disasters/disasters.module.js';
import { HouseholdsModule } from './households/households.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { JurisdictionsModule } from './org/jurisdictions.module.js';
import { OrgModule } from './org/org.module.js';
import { PlansModule } from './plans/plans.module.js';
import { PublicModule } from './public/public.module.js';
import { RulesModule } from './rules/rules.module.js';
import { TasksModule } from './tasks/tasks.module.js';

/** Wiring only: the HTTP application. */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    DatabaseModule,
    AuditModule,
    OrgModule,
    JurisdictionsModule,
    AuthModule,
    DefinitionsModule,
    CasesModule,
    TasksModule,
    DeadlineFiringModule,
    DefinitionAdminModule,
    NotificationsModule,
    PublicModule,
    PlansModule,
    RulesModule,
    HouseholdsModule,
    AssessmentModule,
    DisastersModule,
    // The worker (JobsModule: BullMQ workers, deadline scheduler, reconciler, outbox relay)
    // runs in the API process only with RUN_WORKER=true — the default in development. In
    // production and tests it is a process of its own (src/worker.ts), so the API does not
    // need Redis to serve. Decided when this file is loaded; loadAppConfig validates it.
    ...(runWorkerInProcess() ? [JobsModule] : []),
  ],
})
export class AppModule {}
