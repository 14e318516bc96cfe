import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DISASTER_TYPES, type DisasterType } from '../disaster.entity.js';

export class RecordDisasterDto {
  @ApiProperty({ enum: DISASTER_TYPES })
  @IsIn(DISASTER_TYPES)
  type!: DisasterType;

  @ApiProperty({ example: '2017-08-23', description: 'The day it struck (Beijing time), not in the future' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be a date YYYY-MM-DD' })
  date!: string;

  @ApiProperty({ example: ['440781109'], description: 'Codes of the affected towns (9 digits), inside your jurisdiction' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^\d{9}$/, { each: true, message: 'affectedTowns must be 9-digit town codes' })
  affectedTowns!: string[];

  @ApiProperty({ example: '台风“天鸽”过境，房屋、农田受损。' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  description!: string;
}

export class RevealDisasterResidentIdDto {
  @ApiProperty({ example: 'description/0', description: 'The n-th resident ID typed into the description: `description/<n>`' })
  @Matches(/^description\/\d{1,3}$/, { message: 'path must be description/<n>, such as description/0' })
  path!: string;
}
