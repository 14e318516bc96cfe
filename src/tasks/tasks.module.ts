import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { TaskAssignmentController } from './task-assignment.controller.js';
import { TaskAssignmentService } from './task-assignment.service.js';

@Module({
  imports: [CasesModule, DefinitionsModule],
  controllers: [TaskAssignmentController],
  providers: [TaskAssignmentService],
})
export class TasksModule {}
