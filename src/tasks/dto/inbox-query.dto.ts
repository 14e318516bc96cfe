import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_INBOX_LIMIT = 50;
export const MAX_INBOX_LIMIT = 200;

/** `true`/`false` as query text; anything else stays a string and fails @IsBoolean. */
const booleanText = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class InboxQueryDto {
  @ApiPropertyOptional({ example: 'poverty-entry', description: 'Only tasks of cases of this workflow (key)' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{1,63}$/, { message: 'workflow must be a workflow key such as poverty-entry' })
  workflow?: string;

  @ApiPropertyOptional({ example: 'countyReview', description: 'Only tasks of this step (key)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'step must be a step key such as countyReview' })
  step?: string;

  @ApiPropertyOptional({ example: '2026-03-20T00:00:00Z', description: 'Only tasks due before this instant (tasks without a due time are left out)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'dueBefore must be an ISO 8601 date-time' })
  dueBefore?: string;

  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'Only tasks due after this instant (tasks without a due time are left out)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'dueAfter must be an ISO 8601 date-time' })
  dueAfter?: string;

  @ApiPropertyOptional({ description: 'true: only tasks past their due time' })
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ example: '440781109', description: "Only tasks whose case lies in this division's subtree" })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, { message: 'jurisdiction must be a 6, 9 or 12 digit division code' })
  jurisdiction?: string;

  @ApiPropertyOptional({ example: '陈', description: "Text in the case title (the household's name)" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ['delegated'], description: 'delegated: also the tasks you delegated to someone else, marked delegated-away' })
  @IsOptional()
  @IsIn(['delegated'], { message: 'include must be delegated' })
  include?: 'delegated';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_INBOX_LIMIT, default: DEFAULT_INBOX_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INBOX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
