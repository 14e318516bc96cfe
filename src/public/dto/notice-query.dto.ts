import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class NoticeQueryDto {
  @ApiPropertyOptional({ description: 'Only notices of this county (6-digit division code, e.g. 440781)', example: '440781' })
  @IsOptional()
  @Matches(/^4407\d{2}$/, { message: 'county must be the 6-digit code of a county of Jiangmen' })
  county?: string;

  @ApiPropertyOptional({ description: 'Only notices of this town or street (9-digit division code)', example: '440781109' })
  @IsOptional()
  @Matches(/^4407\d{5}$/, { message: 'town must be the 9-digit code of a town or street of Jiangmen' })
  town?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;
}
