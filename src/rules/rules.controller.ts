import { Body, Controller, Get, HttpStatus, Param, ParseIntPipe, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { YearlyRulesDto } from './dto/yearly-rules.dto.js';
import { RulesException, RulesExceptionCode } from './rules.exception.js';
import { RulesService } from './rules.service.js';

/** A year in the path: an integer 2000–2100, else 400. */
const yearPipe = new ParseIntPipe({ errorHttpStatusCode: HttpStatus.BAD_REQUEST });

function checkYear(year: number): number {
  if (year < 2000 || year > 2100) throw new RulesException('year must be from 2000 to 2100', RulesExceptionCode.INVALID_RULES, { year });
  return year;
}

@ApiTags('rules')
@ApiBearerAuth()
@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'The yearly rules of every configured year (poverty lines, exit standard, 两不愁三保障, village targets)' })
  list() {
    return this.rules.list();
  }

  @Get(':year')
  @ApiOperation({ summary: "A year's rules", description: 'Exactly that year (no carrying forward); 404 RULES_NOT_FOUND when it is not configured' })
  @ApiNotFoundResponse({ description: 'No rules for that year' })
  get(@Param('year', yearPipe) year: number) {
    return this.rules.get(checkYear(year));
  }

  @Put(':year')
  @Roles('administrator')
  @ApiOperation({
    summary: "Create or replace a year's rules (city administrators; audited as rules.changed)",
    description:
      'The workflows read the figures as params.* (they override the definition’s shipped params of the same name) for cases started in that year, and the households’ eligibility explanation reads them.',
  })
  @ApiForbiddenResponse({ description: 'Not an administrator, or not bound to the city (CITY_ADMINISTRATOR_ONLY)' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_RULES: the rural low line above the poverty line, duplicate checklist keys, unknown counties' })
  put(@CurrentUser() admin: AuthUser, @Param('year', yearPipe) year: number, @Body() body: YearlyRulesDto, @Req() request: ClientRequest) {
    return this.rules.put(checkYear(year), body, { admin, address: clientAddress(request) });
  }
}
