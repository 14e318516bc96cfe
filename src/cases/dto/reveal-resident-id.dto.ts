import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class RevealResidentIdDto {
  @ApiProperty({
    example: 'members/0/idNumber',
    description: "Where the ID is in the case data: field names and row numbers joined by '/' (a leading '/' is allowed)",
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^\/?[A-Za-z0-9_]+(\/[A-Za-z0-9_]+){0,9}$/, { message: "path must be field names and row numbers joined by '/', such as members/0/idNumber" })
  path!: string;
}
