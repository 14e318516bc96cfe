import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CalendarYearDto {
  @ApiProperty({ example: ['2027-01-01', '2027-02-05'], description: 'Statutory holidays (放假日) of the year' })
  @IsArray()
  @ArrayMaxSize(120)
  @IsString({ each: true })
  @Matches(DATE, { each: true, message: 'holidays must be dates written YYYY-MM-DD' })
  holidays!: string[];

  @ApiProperty({ example: ['2027-02-14'], description: 'Make-up working days (调休上班) on weekends' })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Matches(DATE, { each: true, message: 'workdays must be dates written YYYY-MM-DD' })
  workdays!: string[];
}
