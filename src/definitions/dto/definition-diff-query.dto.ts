import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class DefinitionDiffQueryDto {
  @ApiProperty({ example: 1, description: 'The older version' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  from!: number;

  @ApiProperty({ example: 2, description: 'The newer version' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  to!: number;
}
