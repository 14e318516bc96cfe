import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class OverdueQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200, description: 'At most this many tasks, most overdue first (the summary always counts all)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
