import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { BatchActionsService } from './batch-actions.service.js';
import { BatchActionDto } from './dto/batch-action.dto.js';
import { InboxQueryDto } from './dto/inbox-query.dto.js';
import { InboxService } from './inbox.service.js';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly inbox: InboxService,
    private readonly batch: BatchActionsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Your inbox: open tasks assigned to you, offered to your role at your node, or awaiting your signature',
    description: 'Soonest due first, tasks without a due time last; keyset-paged with nextCursor. include=delegated adds the tasks you delegated away.',
  })
  @ApiResponse({ status: 200, description: '{ items: [{ taskId, caseId, caseVersion, workflow, step, role, level, jurisdictionCode, caseJurisdictionCode, title, dueAt, overdue, openedAt, assignment, assigneeId, ownerId }], nextCursor }' })
  list(@CurrentUser() user: AuthUser, @Query() query: InboxQueryDto) {
    return this.inbox.list(user, query);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Act on up to 200 of your tasks at once; each item succeeds or fails on its own',
    description: 'Always 200 when the body is valid: per item { taskId, status, caseId, version | error: { code, message } }, with status 200, 404 (not your open task), 409 (stale expectedVersion), 422, 403 or 400 as the single action would answer.',
  })
  @ApiResponse({ status: 200, description: '{ results, succeeded, failed }' })
  run(@CurrentUser() user: AuthUser, @Body() body: BatchActionDto) {
    return this.batch.run(user, body.items);
  }
}
