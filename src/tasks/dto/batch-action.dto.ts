import { ApiProperty, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID, ValidateNested } from 'class-validator';
import { CaseActionDto } from '../../cases/dto/case-action.dto.js';

export const MAX_BATCH_ITEMS = 200;

/** One item: an action on a task's case, as POST /api/cases/:id/actions takes it; the step is the task's. */
export class BatchActionItemDto extends OmitType(CaseActionDto, ['step'] as const) {
  @ApiProperty({ description: 'An open task of yours (GET /api/tasks); expectedVersion is its caseVersion' })
  @IsUUID('all', { message: 'taskId must be a UUID' })
  taskId!: string;
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
