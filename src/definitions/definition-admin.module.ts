import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { DeadlinesModule } from '../deadlines/deadlines.module.js';
import { CaseMigrationService } from './case-migration.service.js';
import { DefinitionAdminController } from './definition-admin.controller.js';
import { DefinitionDraftsService } from './definition-drafts.service.js';
import { DefinitionsModule } from './definitions.module.js';
import { WhatIfService } from './what-if.service.js';

/**
 * Administering definitions: drafts, publishing, deprecation, export, migration of running
 * cases and what-if. Migration writes cases, tasks and timers, so this sits above the cases
 * module (as DeadlineFiringModule does); DefinitionsModule below it only reads and publishes.
 */
@Module({
  imports: [DefinitionsModule, CasesModule, DeadlinesModule],
  controllers: [DefinitionAdminController],
  providers: [DefinitionDraftsService, CaseMigrationService, WhatIfService],
})
export class DefinitionAdminModule {}
