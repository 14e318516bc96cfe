import { Body, Controller, Get, Header, Param, ParseIntPipe, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { contentDisposition, type DownloadResponse } from '../common/table-export.js';
import { ProgressExportQueryDto } from './dto/plan-targets.dto.js';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { PlanTargetsDto } from './dto/plan-targets.dto.js';
import { PlansService } from './plans.service.js';

@ApiTags('plans')
@ApiBearerAuth()
@Controller('plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get(':year/targets')
  @ApiOperation({ summary: "The year's reduction targets per county (people) and the city's, their sum" })
  targets(@Param('year', ParseIntPipe) year: number) {
    return this.plans.targets(year);
  }

  @Put(':year/targets')
  @Roles('administrator')
  @ApiOperation({
    summary: "Replace the year's targets (administrators of the city; audited as plan.targets-changed)",
    description: 'Every current county exactly once (422 otherwise); the city target becomes their sum.',
  })
  setTargets(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) year: number, @Body() body: PlanTargetsDto, @Req() request: ClientRequest) {
    return this.plans.setTargets(user, year, body.targets, clientAddress(request));
  }

  @Get(':year/progress')
  @ApiOperation({
    summary: 'How the counties and towns of your jurisdiction stand against the year’s targets',
    description:
      'Per county and town: target, exitedPeople/exitedCases (poverty-exit cases exited during the year, Beijing time), pipelinePeople/pipelineCases (running, not exited), overdueTasks (their open tasks past due), percentage, expectedByNow and behind (exited < target × share of the year gone by; after the year, < target).',
  })
  @ApiOkResponse({ description: '{ year, asOf, elapsedShare, scope, total, counties, towns }' })
  progress(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) year: number) {
    return this.plans.progress(user, year);
  }

  @Get(':year/progress/export')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: 'The progress of your jurisdiction as CSV or XLSX: a row per county and town, then the total (the figures of GET …/progress)' })
  async exportProgress(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) year: number, @Query() query: ProgressExportQueryDto, @Res() response: DownloadResponse) {
    const file = await this.plans.exportProgress(user, year, query.format);
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Content-Disposition', contentDisposition(file.fileName));
    response.send(file.body);
  }
}
