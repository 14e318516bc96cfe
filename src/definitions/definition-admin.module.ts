import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { QueuesModule } from '../common/queues.module.js';
import { DeadlinesModule } from '../deadlines/deadlines.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { CaseMigrationService } from './case-migration.service.js';
import { DefinitionAdminController } from './definition-admin.controller.js';
import { DefinitionDraftsService } from './definition-drafts.service.js';
import { DefinitionsModule } from './definitions.module.js';
import { MigrationRunsService } from './migration-runs.service.js';
import { WhatIfService } from './what-if.service.js';

/**
 * Administering definitions: drafts, publishing, deprecation and its undoing, export,
 * migration of running cases (queued as jobs) and what-if. Migration writes cases, tasks,
 * timers and notifications, so this sits above the cases module (as DeadlineFiringModule
 * does); DefinitionsModule below it only reads and publishes. The migration job's handler
 * lives in JobsModule, which imports this module for MigrationRunsService.
 */
@Module({
  imports: [DefinitionsModule, CasesModule, DeadlinesModule, NotificationsModule, QueuesModule],
  controllers: [DefinitionAdminController],
  providers: [DefinitionDraftsService, CaseMigrationService, MigrationRunsService, WhatIfService],
  exports: [MigrationRunsService],
})
export class DefinitionAdminModule {}
