import { ApiProperty } from '@nestjs/swagger';
import { AuthUserDto } from '../../auth/dto/auth-user.dto.js';

/** A user as administrators see it; never carries the password hash. */
export class UserDto extends AuthUserDto {
  @ApiProperty({ type: String, nullable: true })
  email!: string | null;

  @ApiProperty({ description: 'false: deactivated (no login, tokens refused)' })
  active!: boolean;

  @ApiProperty({ description: 'Whether logins are refused until lockedUntil' })
  locked!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lockedUntil!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}
