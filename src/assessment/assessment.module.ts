import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { CasesModule } from '../cases/cases.module.js';
import { QueuesModule } from '../common/queues.module.js';
import { HouseholdsModule } from '../households/households.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { RulesModule } from '../rules/rules.module.js';
import { AssessmentController } from './assessment.controller.js';
import { AssessmentService } from './assessment.service.js';

/** The year-end assessment: routes under /api/plans/:year/assessment; its job handler lives in JobsModule. */
@Module({
  imports: [QueuesModule, CasesModule, HouseholdsModule, PlansModule, RulesModule, AlertsModule],
  controllers: [AssessmentController],
  providers: [AssessmentService],
  exports: [AssessmentService],
})
export class AssessmentModule {}
