import { Controller, Get, HttpCode, HttpStatus, Param, ParseIntPipe, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { AssessmentService } from './assessment.service.js';

@ApiTags('plans')
@ApiBearerAuth()
@Controller('plans')
export class AssessmentController {
  constructor(private readonly assessment: AssessmentService) {}

  @Post(':year/assessment')
  @Roles('administrator')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start the year-end assessment of an ended year (administrators of the city; audited as plan.assessment-started)',
    description: 'Queues a run and answers its id; while a run of the year is queued or running, answers that run (created: false). Idempotent per county.',
  })
  @ApiAcceptedResponse({ description: '{ runId, status, created }' })
  start(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) year: number, @Req() request: ClientRequest) {
    return this.assessment.start(user, year, clientAddress(request) ?? null);
  }

  @Get(':year/assessment')
  @Roles('administrator', 'supervisor', 'auditor')
  @ApiOperation({
    summary: "The year's assessment: per county its result and interview, the runs, and the circular (通报) of slow units",
    description: "Scoped to the caller's jurisdiction subtree: a city user sees every county, a county's user their own county's rows (results, exits, run outcomes); the circular is the city's document and shown whole.",
  })
  result(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) year: number) {
    return this.assessment.result(user, year);
  }
}
