import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines/deadlines.module.js';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { residentIdCipherProvider } from '../org/resident-id-cipher.js';
import { RulesModule } from '../rules/rules.module.js';
import { CaseCommentsController } from './case-comments.controller.js';
import { CaseCommentsService } from './case-comments.service.js';
import { CasesController } from './cases.controller.js';
import { CasesService } from './cases.service.js';
import { ResidentIdsController } from './resident-ids.controller.js';
import { ResidentIdsService } from './resident-ids.service.js';
import { StartableWorkflowsController } from './startable-workflows.controller.js';

@Module({
  imports: [DefinitionsModule, DeadlinesModule, RulesModule],
  controllers: [CasesController, CaseCommentsController, ResidentIdsController, StartableWorkflowsController],
  providers: [CasesService, CaseCommentsService, ResidentIdsService, residentIdCipherProvider],
  exports: [CasesService, ResidentIdsService],
})
export class CasesModule {}
