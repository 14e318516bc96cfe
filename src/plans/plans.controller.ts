import { Body, Controller, Get, Param, ParseIntPipe, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
}
