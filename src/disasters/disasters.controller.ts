import { Body, Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { uuid } from '../cases/cases.controller.js';
import { RecordDisasterDto, RevealDisasterResidentIdDto } from './dto/disaster.dto.js';
import { DisastersService } from './disasters.service.js';

@ApiTags('disasters')
@ApiBearerAuth()
@Controller('disasters')
export class DisastersController {
  constructor(private readonly disasters: DisastersService) {}

  @Post()
  @Roles('administrator')
  @ApiOperation({
    summary: 'Record a major natural disaster (administrators; audited as disaster.recorded)',
    description:
      'Towns inside your jurisdiction, date not in the future (Beijing). In the same transaction every exited household of those towns without a running disaster-reentry case gets one, started by the system, once per (disaster, household).',
  })
  record(@CurrentUser() user: AuthUser, @Body() body: RecordDisasterDto, @Req() request: ClientRequest) {
    return this.disasters.record(user, body, clientAddress(request));
  }

  @Get()
  @ApiOperation({ summary: 'Disasters that touched your jurisdiction, newest first' })
  list(@CurrentUser() user: AuthUser) {
    return this.disasters.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A disaster and its re-entry cases in your jurisdiction' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string) {
    return this.disasters.get(user, id);
  }

  @Post(':id/resident-ids/reveal')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'A resident ID typed into the description, in full (permission reveal-resident-id; audited)',
    description: 'The description is shown with IDs masked everywhere else. 403 PERMISSION_REQUIRED without the permission (audited as access.denied); 404 when the disaster is not yours to read or holds no ID at the path.',
  })
  reveal(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() body: RevealDisasterResidentIdDto, @Req() request: ClientRequest) {
    return this.disasters.revealId(user, id, body.path, clientAddress(request));
  }
}
