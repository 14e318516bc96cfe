import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class FileObjectionDto {
  @ApiProperty({ maxLength: 2000, description: 'The objection (异议内容)' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'text must not be empty' })
  text!: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'How the town office can reach you (optional)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  contact?: string;

  @ApiPropertyOptional({ maxLength: 50, description: 'Your name (optional)' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  name?: string;

  @ApiProperty({ description: 'From GET /api/public/notices/:id/form-token, at least 3 s and at most 2 h old, used once' })
  @IsString()
  @MaxLength(200)
  formToken!: string;

  /** The honeypot: the form hides this field from people; only a bot fills it in. */
  @ApiPropertyOptional({ description: 'Leave empty (hidden in the form)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  website?: string;
}
