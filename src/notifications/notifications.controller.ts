import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { Clock } from '../common/clock.js';
import { DigestService } from './digest.service.js';
import { ListEmailsQuery } from './dto/list-emails.query.js';
import { ListNotificationsQuery } from './dto/list-notifications.query.js';
import { EmailDeliveriesService } from './email-deliveries.service.js';
import { NotificationsService } from './notifications.service.js';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.BAD_REQUEST });

/** The caller's own inbox: every route works on the caller's notifications only. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly digest: DigestService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your notifications, newest first', description: 'Page with `limit` and the `nextCursor` of the previous page.' })
  @ApiResponse({ status: 200, description: '{ items, nextCursor, unreadCount }' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListNotificationsQuery) {
    return this.notifications.list(user.id, query);
  }

  @Get('digest')
  @Roles('supervisor')
  @ApiOperation({
    summary: 'Your daily digest as the 08:00 mail would say it now',
    description: 'Supervisors only (others 403), for their own jurisdiction. Sends nothing. `title` and `body` are null when nothing is overdue (no mail goes out then).',
  })
  @ApiResponse({ status: 200, description: '{ date, jurisdictionCode, jurisdictionName, total, title, body }' })
  digestNow(@CurrentUser() user: AuthUser) {
    return this.digest.content(this.dataSource.manager, user.jurisdictionCode, this.clock.now());
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all your notifications read' })
  @ApiResponse({ status: 200, description: '{ updated }: how many were unread' })
  readAll(@CurrentUser() user: AuthUser) {
    return this.notifications.markAllRead(user.id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of your notifications read', description: "404 for an unknown id and for someone else's" })
  read(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.notifications.markRead(user.id, id);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/emails')
export class AdminEmailsController {
  constructor(private readonly emails: EmailDeliveriesService) {}

  @Get()
  @Roles('administrator')
  @ApiOperation({ summary: 'Outgoing mail by status (default failed), newest first, with attempts and the last error' })
  list(@Query() query: ListEmailsQuery) {
    return this.emails.list(query.status ?? 'failed', query.limit ?? 100);
  }
}
