import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';

export class StartCaseDto {
  @ApiProperty({ example: 'poverty-entry', description: 'The workflow key; the case starts on its newest published version' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{1,63}$/, { message: 'workflow must be a workflow key such as poverty-entry' })
  workflow!: string;

  @ApiProperty({ example: { householdName: '李四', rural: true, memberCount: 4 }, description: "The workflow's start form" })
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ example: '440781001001', description: "The household's division code (village or town); defaults to your own" })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/, { message: 'jurisdiction must be a 6, 9 or 12 digit division code' })
  jurisdiction?: string;
}
