import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RULE_FIGURES, type RuleFigure } from '../yearly-rules.js';

export class ChecklistItemDto {
  @ApiProperty({ example: 'housingSafety', description: "The check's name in households' yearly checklists" })
  @IsString()
  @Matches(/^[a-z][A-Za-z0-9]{1,39}$/, { message: 'key must be a camelCase name such as housingSafety' })
  key!: string;

  @ApiProperty({ example: '住房安全有保障' })
  @IsString()
  @Length(1, 50)
  label!: string;

  @ApiProperty({ example: 'Housing safety guaranteed' })
  @IsString()
  @Length(1, 100)
  labelEn!: string;
}

const YUAN = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false };
const RATIO = { maxDecimalPlaces: 4, allowNaN: false, allowInfinity: false };

/** A year's rules as an administrator enters them (the whole set: PUT replaces it). */
export class YearlyRulesDto {
  @ApiProperty({ example: 6600, description: 'Relative poverty line, annual per-capita disposable income (yuan)' })
  @IsNumber(YUAN)
  @Min(1)
  @Max(10_000_000)
  povertyLine!: number;

  @ApiProperty({ example: 5040, description: 'The line for rural households of the low-line counties (yuan)' })
  @IsNumber(YUAN)
  @Min(1)
  @Max(10_000_000)
  ruralLowLine!: number;

  @ApiProperty({ example: ['440781', '440783', '440785'], description: 'County codes whose rural households use the lower line' })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^\d{6}$/, { each: true, message: 'lowLineCounties must hold 6-digit county codes' })
  lowLineCounties!: string[];

  @ApiProperty({ example: 7560, description: "The year's urban dibao standard, yuan per person per year" })
  @IsNumber(YUAN)
  @Min(1)
  @Max(10_000_000)
  urbanDibaoStandard!: number;

  @ApiProperty({ example: 1.5, description: 'Urban exit: per-capita income ≥ this × the urban dibao standard' })
  @IsNumber(RATIO)
  @Min(0.0001)
  @Max(10)
  urbanExitRatio!: number;

  @ApiProperty({ example: 15218, description: "The city's rural per-capita disposable income of the year (yuan)" })
  @IsNumber(YUAN)
  @Min(1)
  @Max(10_000_000)
  ruralMeanIncome!: number;

  @ApiProperty({ example: 0.45, description: 'Rural exit: per-capita income ≥ this × the rural mean income' })
  @IsNumber(RATIO)
  @Min(0.0001)
  @Max(10)
  ruralExitRatio!: number;

  @ApiProperty({ type: ChecklistItemDto, isArray: true, description: '两不愁三保障: every item must hold for an exit' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist!: ChecklistItemDto[];

  @ApiPropertyOptional({ example: 150000, nullable: true, description: "Each village committee's disposable collective income target (yuan)" })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber(YUAN)
  @Min(0)
  @Max(1_000_000_000)
  villageCollectiveIncomeTarget?: number | null;

  @ApiPropertyOptional({ example: [], description: 'Figures still placeholders (not the official value of the year); default none' })
  @IsOptional()
  @IsArray()
  @IsIn(RULE_FIGURES, { each: true })
  placeholders?: RuleFigure[];
}
