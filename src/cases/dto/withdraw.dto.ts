import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class WithdrawDto {
  @ApiProperty({ example: 1, description: 'The case version you saw; a stale one is refused with 409' })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  expectedVersion!: number;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why (recorded in the case history)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}
