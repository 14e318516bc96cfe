import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { CasesModule } from '../cases/cases.module.js';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { BatchActionsService } from './batch-actions.service.js';
import { InboxService } from './inbox.service.js';
import { TaskAssignmentController } from './task-assignment.controller.js';
import { TaskAssignmentService } from './task-assignment.service.js';
import { TasksController } from './tasks.controller.js';

/** The inbox (GET /api/tasks), batch actions (POST /api/tasks/batch) and who works on a task (claim, transfer, delegate, signers). */
@Module({
  imports: [CasesModule, AlertsModule, DefinitionsModule],
  controllers: [TasksController, TaskAssignmentController],
  providers: [InboxService, BatchActionsService, TaskAssignmentService],
  exports: [InboxService],
})
export class TasksModule {}
