import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { AuditService, type AuditPage } from './audit.service.js';
import { AUDIT_PAGE_DEFAULT, AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('auditor', 'administrator')
  @ApiOperation({
    summary: 'The audit log inside your jurisdiction, newest first',
    description:
      'Rows whose jurisdiction lies in your subtree; rows of no jurisdiction (failed logins of unknown names, workflow ' +
      'publications, the calendar) only for users bound to the city. Page with `limit` (≤ 200) and `nextCursor`.',
  })
  @ApiOkResponse({ description: '{ items: [{ id, at, kind, actorId, actorUsername, targetType, targetId, jurisdictionCode, address, details }], nextCursor }' })
  @ApiBadRequestResponse({ description: 'A malformed filter, cursor or period' })
  @ApiForbiddenResponse({ description: 'Neither an auditor nor an administrator' })
  list(@CurrentUser() user: AuthUser, @Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.list(user, {
      kind: query.kind,
      actorId: query.actorId,
      actor: query.actor,
      targetType: query.targetType,
      targetId: query.targetId,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      limit: query.limit ?? AUDIT_PAGE_DEFAULT,
      cursor: query.cursor,
    });
  }
}
