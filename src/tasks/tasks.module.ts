import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { CasesModule } from '../cases/cases.module.js';
import { BatchActionsService } from './batch-actions.service.js';
import { InboxService } from './inbox.service.js';
import { TasksController } from './tasks.controller.js';

/** The inbox (GET /api/tasks) and batch actions (POST /api/tasks/batch). */
@Module({
  imports: [CasesModule, AlertsModule],
  controllers: [TasksController],
  providers: [InboxService, BatchActionsService],
  exports: [InboxService],
})
export class TasksModule {}
