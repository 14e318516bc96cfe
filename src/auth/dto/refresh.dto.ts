import { ApiProperty } from '@nestjs/swagger';
import { IsJWT, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refreshToken of a login or an earlier refresh' })
  @IsString()
  @MaxLength(2000)
  @IsJWT()
  refreshToken!: string;
}
