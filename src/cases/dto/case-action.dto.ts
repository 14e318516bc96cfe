import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export class CaseActionDto {
  @ApiProperty({ example: 'submit' })
  @IsString()
  @Matches(KEY, { message: 'action must be an action key such as submit' })
  action!: string;

  @ApiPropertyOptional({ example: 'propose', description: 'Needed only when several active steps offer the same action' })
  @IsOptional()
  @IsString()
  @Matches(KEY, { message: 'step must be a step key such as propose' })
  step?: string;

  @ApiPropertyOptional({ description: "The action's form fields" })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiProperty({ example: 0, description: 'The case version you saw; a stale one is refused with 409' })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  expectedVersion!: number;
}
