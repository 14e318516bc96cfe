import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller.js';
import { OverdueAlertsService } from './overdue-alerts.service.js';
import { OverdueCircularService } from './overdue-circular.service.js';
import { WorkflowLabels } from './workflow-labels.js';

/** Overdue work for supervisors; NotificationsModule imports it for the daily digest. */
@Module({
  controllers: [AlertsController],
  providers: [OverdueAlertsService, OverdueCircularService, WorkflowLabels],
  exports: [OverdueAlertsService, OverdueCircularService, WorkflowLabels],
})
export class AlertsModule {}
