import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { Clock } from '../common/clock.js';
import { CircularQueryDto } from './dto/circular-query.dto.js';
import { OverdueQueryDto } from './dto/overdue-query.dto.js';
import { OverdueCircularService } from './overdue-circular.service.js';
import { OverdueAlertsService } from './overdue-alerts.service.js';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly overdue: OverdueAlertsService,
    private readonly circular: OverdueCircularService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get('overdue')
  @Roles('supervisor')
  @ApiOperation({
    summary: 'Overdue tasks under your jurisdiction, most overdue first, with counts per county and town',
    description: 'Supervisors only (others 403). A task is overdue when the due time of its visit of the step has passed.',
  })
  @ApiResponse({ status: 200, description: '{ now, jurisdictionCode, total, items, summary: { byCounty, byTown } }' })
  list(@CurrentUser() user: AuthUser, @Query() query: OverdueQueryDto) {
    return this.overdue.find(this.dataSource.manager, user.jurisdictionCode, this.clock.now(), query.limit);
  }

  @Get('circular')
  @Roles('supervisor', 'administrator', 'auditor')
  @ApiOperation({
    summary: 'The circular (通报) of units with overdue work in a period',
    description: 'Per county and town under your jurisdiction: step visits whose due time fell in the period and were not done, how many are still open, escalations fired; worst first.',
  })
  circularReport(@CurrentUser() user: AuthUser, @Query() query: CircularQueryDto) {
    return this.circular.report(this.dataSource.manager, user.jurisdictionCode, query.from, query.to, this.clock.now());
  }
}
