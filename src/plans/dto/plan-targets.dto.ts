import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, Matches, Max, Min, ValidateNested } from 'class-validator';

export class CountyTargetDto {
  @ApiProperty({ example: '440781' })
  @Matches(/^\d{6}$/, { message: 'countyCode must be a 6-digit county code' })
  countyCode!: string;

  @ApiProperty({ minimum: 0, maximum: 1_000_000, example: 1222 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  targetPeople!: number;
}

export class PlanTargetsDto {
  @ApiProperty({ type: [CountyTargetDto], description: "Every county's target for the year, each county once; the city's target is their sum" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CountyTargetDto)
  targets!: CountyTargetDto[];
}

export class ProgressExportQueryDto {
  @ApiProperty({ enum: ['csv', 'xlsx'] })
  @IsIn(['csv', 'xlsx'])
  format!: 'csv' | 'xlsx';
}
