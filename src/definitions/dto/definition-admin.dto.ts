import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { NAME_PATTERN } from '../../engine/definition-schema.js';
import { SOURCE_LIMITS } from '../../engine/definition-source.js';
import { EXPORT_FORMATS, SOURCE_FORMATS, type ExportFormat, type SourceFormat } from '../definition-formats.js';

/** The most cases one migration or what-if request names (without ids: every case). */
const MAX_CASE_IDS = 10_000;
const STEP_NAME = new RegExp(NAME_PATTERN);

export class SaveDraftDto {
  @ApiProperty({ enum: SOURCE_FORMATS, example: 'yaml', description: 'The format of `source`' })
  @IsIn(SOURCE_FORMATS, { message: `format must be one of ${SOURCE_FORMATS.join(', ')}` })
  format!: SourceFormat;

  @ApiProperty({ description: "The definition's text; its `version` is replaced by the number publishing assigns" })
  @IsString()
  @MaxLength(SOURCE_LIMITS.maxBytes)
  source!: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'yaml' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: ExportFormat;

  @ApiPropertyOptional({ example: 3, description: 'Default: the newest version' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version?: number;
}

/** `{ oldStep: newStep }`: step names both. */
function IsStepMapping(): PropertyDecorator {
  return ValidateBy({
    name: 'isStepMapping',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length <= 200 &&
        Object.entries(value).every(([from, to]) => STEP_NAME.test(from) && typeof to === 'string' && STEP_NAME.test(to)),
      defaultMessage: () => 'mapping must map step names to step names, e.g. { "support": "supportPlan" }',
    },
  });
}

export class MigrationDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  fromVersion!: number;

  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  toVersion!: number;

  @ApiPropertyOptional({ example: { support: 'supportPlan' }, description: 'Old step → new step; a step not named maps to the step of the same key' })
  @IsOptional()
  @IsObject()
  @IsStepMapping()
  mapping?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Default: every running case on fromVersion' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CASE_IDS)
  @IsUUID('all', { each: true })
  caseIds?: string[];

  @ApiPropertyOptional({ default: false, description: 'Report at once (200) what would happen to each case and change nothing; without it the run is queued (202)' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class WhatIfDto {
  @ApiPropertyOptional({ description: "A definition to try; default: the workflow's stored draft" })
  @IsOptional()
  @IsString()
  @MaxLength(SOURCE_LIMITS.maxBytes)
  source?: string;

  @ApiPropertyOptional({ enum: SOURCE_FORMATS, default: 'yaml' })
  @IsOptional()
  @IsIn(SOURCE_FORMATS, { message: `format must be one of ${SOURCE_FORMATS.join(', ')}` })
  format?: SourceFormat;

  @ApiPropertyOptional({ description: 'Default: every case of the workflow' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CASE_IDS)
  @IsUUID('all', { each: true })
  caseIds?: string[];
}
