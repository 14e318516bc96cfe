import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, ParseIntPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { uuid } from '../cases/cases.controller.js';
import { contentDisposition, type DownloadResponse } from '../common/table-export.js';
import {
  AddMemberDto,
  AddVisitDto,
  CreateHouseholdDto,
  ExportQueryDto,
  ListHouseholdsQueryDto,
  PutChecklistDto,
  PutIncomesDto,
  PutPlanDto,
  RemoveMemberQueryDto,
  RevealHouseholdResidentIdDto,
  StartHouseholdCaseDto,
  UpdateHouseholdDto,
  UpdateMemberDto,
  VisitAlertsQueryDto,
  YearQueryDto,
} from './dto/household.dto.js';
import { HouseholdCasesService } from './household-cases.service.js';
import { HouseholdReportsService } from './household-reports.service.js';
import { HouseholdException, HouseholdExceptionCode } from './households.exception.js';
import { HouseholdsService } from './households.service.js';

const yearPipe = new ParseIntPipe({ errorHttpStatusCode: HttpStatus.BAD_REQUEST });

function checkYear(year: number): number {
  if (year < 2000 || year > 2100) throw new HouseholdException('year must be from 2000 to 2100', HouseholdExceptionCode.INVALID_QUERY, { year });
  return year;
}

/**
 * Household files (一户一档). Officers change the files of their subtree; every role reads
 * them inside its subtree (auditors too), the helping county reads its paired county's;
 * anything else is 404. Changes of the file's core name the version they were made on.
 */
@ApiTags('households')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'No such household inside your jurisdiction (HOUSEHOLD_NOT_FOUND; audited as access.denied)' })
@Controller('households')
export class HouseholdsController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly householdCases: HouseholdCasesService,
    private readonly reports: HouseholdReportsService,
  ) {}

  // Fixed paths first: they would otherwise be read as an :id.

  @Get('visit-alerts')
  @ApiOperation({ summary: 'Registered households in your jurisdiction with fewer than two leader visits in the year (党政主要领导每年至少2次走访)' })
  visitAlerts(@CurrentUser() user: AuthUser, @Query() query: VisitAlertsQueryDto) {
    return this.reports.visitAlerts(user, query.year, query.limit);
  }

  @Get('export')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: "A county's household list (inside your jurisdiction) as CSV or XLSX, resident IDs masked; audited as household.exported" })
  @ApiForbiddenResponse({ description: 'The county is outside your jurisdiction (OUTSIDE_JURISDICTION)' })
  async export(@CurrentUser() user: AuthUser, @Query() query: ExportQueryDto, @Req() request: ClientRequest, @Res() response: DownloadResponse) {
    const file = await this.reports.export(user, query.county, query.format, query.year, clientAddress(request));
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Content-Disposition', contentDisposition(file.fileName));
    response.send(file.body);
  }

  @Get()
  @ApiOperation({ summary: 'Household files in your jurisdiction: filter by division (county/town/village), status, rural, dibao, name; paged' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListHouseholdsQueryDto) {
    return this.households.list(user, query);
  }

  @Post()
  @Roles('officer')
  @ApiOperation({ summary: 'Create a household file (officers, in a village of their jurisdiction)' })
  @ApiConflictResponse({ description: 'A member’s resident ID number is already a member of a household (DUPLICATE_RESIDENT_ID)' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateHouseholdDto) {
    return this.households.create(user, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A household file: members (IDs masked), incomes with per-capita income, checklists, plan, visits, attachments, cases' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.households.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change the household's own fields (village, head, address, rural, dibao, consent)" })
  @ApiConflictResponse({ description: 'expectedVersion is stale (VERSION_CONFLICT)' })
  update(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: UpdateHouseholdDto) {
    return this.households.update(user, id, body);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'Every change of the file: version, when, who, what (path, from, to)' })
  versions(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.households.versions(user, id);
  }

  @Post(':id/members')
  @ApiOperation({ summary: 'Add a member' })
  addMember(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: AddMemberDto) {
    return this.households.addMember(user, id, body);
  }

  @Patch(':id/members/:memberId')
  @ApiOperation({ summary: 'Change a member (absent fields keep their value; residentId null removes the number)' })
  updateMember(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('memberId', uuid) memberId: string, @Body() body: UpdateMemberDto) {
    return this.households.updateMember(user, id, memberId, body);
  }

  @Delete(':id/members/:memberId')
  @ApiOperation({ summary: 'Remove a member (not the last one)' })
  removeMember(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('memberId', uuid) memberId: string, @Query() query: RemoveMemberQueryDto) {
    return this.households.removeMember(user, id, memberId, query.expectedVersion);
  }

  @Post(':id/members/:memberId/resident-id/reveal')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "A member's resident ID number in full (permission reveal-resident-id; audited)" })
  reveal(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('memberId', uuid) memberId: string, @Req() request: ClientRequest) {
    return this.households.revealMemberId(user, id, memberId, clientAddress(request));
  }

  @Post(':id/resident-ids/reveal')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'A resident ID typed into the file’s free text, in full (permission reveal-resident-id; audited)',
    description:
      "Everywhere else IDs typed into the file (address, plan, members' names, income notes, visits, attachment names, the version log) are shown masked. 403 PERMISSION_REQUIRED without the permission (audited as access.denied); 404 RESIDENT_ID_NOT_FOUND when no sealed ID is at the path.",
  })
  revealText(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: RevealHouseholdResidentIdDto, @Req() request: ClientRequest) {
    return this.households.revealText(user, id, body.path, clientAddress(request), body.version);
  }

  @Put(':id/incomes/:year')
  @ApiOperation({ summary: "Replace a year's income records (per-capita disposable income = the year's sum / members, rounded to the fen)" })
  putIncomes(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('year', yearPipe) year: number, @Body() body: PutIncomesDto) {
    return this.households.putIncomes(user, id, checkYear(year), body);
  }

  @Put(':id/checklist/:year')
  @ApiOperation({ summary: "Record a year's 两不愁三保障 checklist (the items of the year's rules)" })
  putChecklist(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('year', yearPipe) year: number, @Body() body: PutChecklistDto) {
    return this.households.putChecklist(user, id, checkYear(year), body);
  }

  @Put(':id/plan')
  @ApiOperation({ summary: 'Replace the support plan (一户一策: measures, paired unit, responsible person, 10+1 volunteers)' })
  putPlan(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: PutPlanDto) {
    return this.households.putPlan(user, id, body);
  }

  @Post(':id/visits')
  @ApiOperation({ summary: 'Record a visit (走访); leader visits count towards the two a year' })
  addVisit(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: AddVisitDto) {
    return this.households.addVisit(user, id, body);
  }

  @Get(':id/eligibility')
  @ApiOperation({ summary: 'The entry and exit decisions for a year, line by line (figure, threshold, pass/fail, in Chinese and English)' })
  eligibility(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() query: YearQueryDto) {
    return this.householdCases.eligibility(user, id, query.year);
  }

  @Post(':id/cases')
  @ApiOperation({
    summary: 'Start poverty-entry, poverty-exit or disaster-reentry for the household, prefilled from the file and linked to it',
    description: "The case's guards read the rules of `year` (default: this year). Answers the case and the file's figures for its first action.",
  })
  @ApiConflictResponse({ description: 'A case of this workflow is already open for the household (CASE_ALREADY_OPEN)' })
  startCase(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: StartHouseholdCaseDto) {
    return this.householdCases.start(user, id, body);
  }
}
