import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { CaseCommentsService } from './case-comments.service.js';
import { uuid } from './cases.controller.js';
import { CaseCommentDto } from './dto/case-comment.dto.js';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases/:id/comments')
export class CaseCommentsController {
  constructor(private readonly comments: CaseCommentsService) {}

  @Post()
  @ApiOperation({
    summary: 'Comment on a case (a `comment` row of its hash-chained history)',
    description: 'Whoever may act on the case; 403 READ_ONLY_ACCESS for readers, 404 outside the jurisdiction (audited), 400 for empty or over 2,000 characters',
  })
  @ApiResponse({ status: 201, description: '{ seq, at, actor, text }' })
  add(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: CaseCommentDto) {
    return this.comments.add(user, id, body.text);
  }

  @Get()
  @ApiOperation({ summary: "The case's comments, oldest first (the same rows as in its history)" })
  list(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.comments.list(user, id);
  }
}
