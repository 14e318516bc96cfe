import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class TaskReasonDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'Why (recorded in the case history)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class TaskHandOverDto {
  @ApiProperty({ format: 'uuid', description: 'The colleague who takes the task over (same role, same jurisdiction node)' })
  @IsUUID('4')
  to!: string;

  @ApiProperty({ maxLength: 2000, description: 'Why (recorded in the case history)' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export const SIGNER_POSITIONS = ['before', 'after'] as const;

export class AddSignerDto {
  @ApiProperty({ format: 'uuid', description: 'The user who must also sign (any active user who may act within the case’s jurisdiction)' })
  @IsUUID('4')
  userId!: string;

  @ApiProperty({ enum: SIGNER_POSITIONS, description: 'before: signs before you may act (前加签); after: signs after you acted, before the case moves (后加签)' })
  @IsIn(SIGNER_POSITIONS)
  position!: (typeof SIGNER_POSITIONS)[number];

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export const SIGN_DECISIONS = ['agree', 'disagree'] as const;

export class SignTaskDto {
  @ApiProperty({ enum: SIGN_DECISIONS })
  @IsIn(SIGN_DECISIONS)
  decision!: (typeof SIGN_DECISIONS)[number];

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
