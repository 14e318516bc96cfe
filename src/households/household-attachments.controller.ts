import { Body, Controller, Get, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { uuid } from '../cases/cases.controller.js';
import { AttachmentListQueryDto, AttachmentUploadDto } from './dto/household.dto.js';
import { HouseholdAttachmentsService, type UploadedFileLike } from './household-attachments.service.js';
import { contentDisposition, type DownloadResponse } from '../common/table-export.js';

/** Attachments of a household file: PDF, PNG, JPEG or WebP, checked from the bytes; size limit ATTACHMENT_MAX_BYTES. */
@ApiTags('households')
@ApiBearerAuth()
@Controller('households/:id/attachments')
export class HouseholdAttachmentsController {
  constructor(private readonly attachments: HouseholdAttachmentsService) {}

  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary: 'Attach a file (multipart: file, kind, optional caseId)',
    description: '413 ATTACHMENT_TOO_LARGE over the limit; 415 ATTACHMENT_TYPE_NOT_ALLOWED when the content (read from the bytes) is not PDF/PNG/JPEG/WebP or the name says another type',
  })
  @UseInterceptors(FileInterceptor('file'))
  upload(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @UploadedFile() file: UploadedFileLike | undefined, @Body() body: AttachmentUploadDto) {
    return this.attachments.upload(user, id, file, body.kind, body.caseId);
  }

  @Get()
  @ApiOperation({ summary: "The household's attachments, newest first; `caseId`: only those of that case" })
  list(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() query: AttachmentListQueryDto) {
    return this.attachments.list(user, id, query.caseId);
  }

  @Get(':attachmentId')
  @ApiOperation({ summary: 'Download an attachment (served with the type detected at upload, as an attachment)' })
  async download(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('attachmentId', uuid) attachmentId: string, @Res() response: DownloadResponse) {
    const file = await this.attachments.download(user, id, attachmentId);
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Content-Disposition', contentDisposition(file.fileName));
    response.setHeader('Cache-Control', 'private, no-store');
    response.send(file.body);
  }
}
