import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CircularQueryDto {
  @ApiProperty({ example: '2026-03-01', description: 'First day of the period (Beijing date)' })
  @Matches(DATE, { message: 'from must be a date written YYYY-MM-DD' })
  from!: string;

  @ApiProperty({ example: '2026-03-31', description: 'Last day of the period (Beijing date), inclusive' })
  @Matches(DATE, { message: 'to must be a date written YYYY-MM-DD' })
  to!: string;
}
