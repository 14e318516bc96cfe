import { ApiProperty } from '@nestjs/swagger';
import type { TokenPair } from '../token.service.js';

export class LoginResponseDto implements TokenPair {
  @ApiProperty({ description: 'JWT to send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ description: 'Lifetime of the access token in seconds', example: 900 })
  expiresIn!: number;

  @ApiProperty({ description: 'JWT to exchange at POST /api/auth/refresh for a new pair; refused as a bearer token' })
  refreshToken!: string;

  @ApiProperty({ description: 'Lifetime of the refresh token in seconds', example: 604800 })
  refreshExpiresIn!: number;
}
