import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AddSignerDto, SignTaskDto, TaskHandOverDto, TaskReasonDto } from './dto/task-assignment.dto.js';
import { TaskAssignmentService } from './task-assignment.service.js';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.BAD_REQUEST });

/** Who works on a task (src/tasks/task-assignment.service.ts). Each answers the task afterwards. */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TaskAssignmentController {
  constructor(private readonly assignments: TaskAssignmentService) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A task: who works on it, its signers, what its step allows (transfer, delegate, add a signer) and the colleagues it may go to or who may sign it',
  })
  detail(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.assignments.detail(user, id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim an offered task (签收): it becomes yours alone' })
  claim(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: TaskReasonDto) {
    return this.assignments.claim(user, id, body.reason);
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give a claimed task back to everyone eligible' })
  release(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: TaskReasonDto) {
    return this.assignments.release(user, id, body.reason);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Transfer the task (转办) to another eligible colleague' })
  transfer(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: TaskHandOverDto) {
    return this.assignments.transfer(user, id, body.to, body.reason);
  }

  @Post(':id/delegate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delegate the task (委托): the colleague acts on your behalf until you take it back' })
  delegate(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: TaskHandOverDto) {
    return this.assignments.delegate(user, id, body.to, body.reason);
  }

  @Post(':id/take-back')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a delegated task back' })
  takeBack(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: TaskReasonDto) {
    return this.assignments.takeBack(user, id, body.reason);
  }

  @Post(':id/signers')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a signer before or after yourself (加签)' })
  addSigner(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: AddSignerDto) {
    return this.assignments.addSigner(user, id, body.userId, body.position, body.reason);
  }

  @Post(':id/sign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign a task you were added to as a signer (agree or disagree)' })
  sign(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: SignTaskDto) {
    return this.assignments.sign(user, id, body.decision, body.comment);
  }
}
