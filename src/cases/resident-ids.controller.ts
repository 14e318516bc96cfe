import { Body, Controller, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { uuid } from './cases.controller.js';
import { RevealResidentIdDto } from './dto/reveal-resident-id.dto.js';
import { ResidentIdsService } from './resident-ids.service.js';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class ResidentIdsController {
  constructor(private readonly residentIds: ResidentIdsService) {}

  @Post(':id/resident-ids/reveal')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Reveal a resident ID number of a case in full (permission reveal-resident-id; audited)',
    description:
      "Everywhere else the number is shown masked. `path` into the case data, or with `seq` into that history row's payload; in free text `<field>/<n>` is the n-th ID typed into it. 403 PERMISSION_REQUIRED without the permission (audited as access.denied); 404 when the case is not yours to read or holds no ID at the path.",
  })
  @ApiResponse({ status: 200, description: '{ path, residentId }' })
  reveal(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() body: RevealResidentIdDto,
    @Req() request: { ip?: string; socket?: { remoteAddress?: string } },
  ) {
    return this.residentIds.reveal(user, id, body.path, request.ip ?? request.socket?.remoteAddress ?? null, body.seq);
  }
}
