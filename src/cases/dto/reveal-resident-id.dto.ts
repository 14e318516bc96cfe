import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class RevealResidentIdDto {
  @ApiProperty({
    example: 'members/0/idNumber',
    description:
      "Where the ID is in the case data (or, with seq, in that history row's payload): field names and row numbers joined by '/' (a leading '/' is allowed); in a text, a number is the n-th ID typed into it ('reason/0')",
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^\/?[A-Za-z0-9_]+(\/[A-Za-z0-9_]+){0,9}$/, { message: "path must be field names and row numbers joined by '/', such as members/0/idNumber" })
  path!: string;

  @ApiPropertyOptional({ example: 4, description: "A row of the case's history (its seq): the path is then inside that row's payload ('text/0' of a comment)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  seq?: number;
}
