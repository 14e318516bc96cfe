import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { CalendarAdminService } from './calendar-admin.service.js';
import { CalendarYearDto } from './dto/calendar-year.dto.js';


@ApiTags('calendar')
@ApiBearerAuth()
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarAdminService) {}

  @Get('years/:year')
  @ApiOperation({ summary: "A year's statutory holidays and make-up working days, and whether the year is published" })
  get(@Param('year', ParseIntPipe) y: number) {
    return this.calendar.year(y);
  }

  @Put('years/:year')
  @Roles('administrator')
  @ApiOperation({ summary: "Publish (or correct) a year's schedule; pending deadlines it moves are recomputed with a history entry" })
  put(@CurrentUser() user: AuthUser, @Param('year', ParseIntPipe) y: number, @Body() body: CalendarYearDto) {
    return this.calendar.setYear(user, y, body.holidays, body.workdays);
  }
}
