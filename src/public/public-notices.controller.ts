import { Body, Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { Public } from '../auth/public.decorator.js';
import { FileObjectionDto } from './dto/file-objection.dto.js';
import { NoticeQueryDto } from './dto/notice-query.dto.js';
import { FormTokenDto, ObjectionReceiptDto, PublicNoticePageDto } from './dto/public-notice.dto.js';
import { ObjectionRateLimitGuard } from './objection-rate-limit.guard.js';
import { PublicNoticesService } from './public-notices.service.js';
import { PublicObjectionsService } from './public-objections.service.js';

/** The public notice board (公示): no login. Everything it answers is on a paper notice anyway. */
@ApiTags('public')
@Public()
@Controller('public/notices')
export class PublicNoticesController {
  constructor(
    private readonly notices: PublicNoticesService,
    private readonly objections: PublicObjectionsService,
  ) {}

  @Get()
  // The same for every reader: shared caches may keep it a minute; Express adds an ETag,
  // so a reader polling with If-None-Match gets 304 while nothing changed.
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({
    summary: 'Households in a public notice (公示) now',
    description: 'Newest notices first. Each item: id (opaque), householdName, town, village, proposal, period {start, end} — nothing else.',
  })
  @ApiOkResponse({ type: PublicNoticePageDto })
  list(@Query() query: NoticeQueryDto): Promise<PublicNoticePageDto> {
    return this.notices.list(query);
  }

  @Get(':id/form-token')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A token for the objection form: usable once, from 3 seconds to 2 hours after it was issued' })
  @ApiOkResponse({ type: FormTokenDto })
  @ApiNotFoundResponse({ description: 'No such notice' })
  formToken(@Param('id') id: string): FormTokenDto {
    return this.notices.formToken(id);
  }

  @Post(':id/objections')
  @UseGuards(ObjectionRateLimitGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Object to a notice (提出异议)',
    description:
      'The town poverty office gets the objection as a task (the case goes to objection review) or, when the notice is over or already under review, as a record on the case and a notification. The answer is the same either way.',
  })
  @ApiAcceptedResponse({ type: ObjectionReceiptDto })
  @ApiTooManyRequestsResponse({ description: 'Too many objections from this address (details.code TOO_MANY_OBJECTIONS, Retry-After header)' })
  file(@Param('id') id: string, @Body() body: FileObjectionDto, @Req() request: ClientRequest & { headers: Record<string, string | string[] | undefined> }): Promise<ObjectionReceiptDto> {
    const userAgent = request.headers['user-agent'];
    return this.objections.file(id, body, { address: clientAddress(request), userAgent: typeof userAgent === 'string' ? userAgent : undefined });
  }
}
