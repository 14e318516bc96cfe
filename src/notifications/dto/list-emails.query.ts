import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { EmailStatus } from '../email-delivery.entity.js';

export const EMAIL_STATUSES: EmailStatus[] = ['failed', 'pending', 'sent'];

export class ListEmailsQuery {
  @ApiPropertyOptional({ enum: EMAIL_STATUSES, default: 'failed' })
  @IsOptional()
  @IsIn(EMAIL_STATUSES)
  status?: EmailStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
