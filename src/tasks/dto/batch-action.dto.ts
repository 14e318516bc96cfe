import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export const MAX_BATCH_ITEMS = 200;

export class BatchActionItemDto {
  @ApiProperty({ description: 'An open task of yours (GET /api/tasks)' })
  @IsUUID('all', { message: 'taskId must be a UUID' })
  taskId!: string;

  @ApiProperty({ example: 'approve' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'action must be an action key such as approve' })
  action!: string;

  @ApiPropertyOptional({ description: "The action's form fields" })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiProperty({ example: 4, description: "The case version you saw (the inbox item's caseVersion); a stale one fails this item with 409" })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  expectedVersion!: number;
}

export class BatchActionDto {
  @ApiProperty({ type: [BatchActionItemDto], minItems: 1, maxItems: MAX_BATCH_ITEMS, description: 'Each task at most once; each item runs on its own' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => BatchActionItemDto)
  items!: BatchActionItemDto[];
}
