import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../engine/workflow-definition.js';
import type { AuthUser } from '../auth-user.js';

/** OpenAPI description of {@link AuthUser}. */
export class AuthUserDto implements AuthUser {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ts-officer' })
  username!: string;

  @ApiProperty({ example: '台山市端芬镇扶贫办 经办人' })
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  @ApiProperty({ example: '440781109', description: 'Statistical division code of the node the user acts for' })
  jurisdictionCode!: string;

  @ApiProperty({ example: [], description: 'Permissions beyond the roles, e.g. reveal-resident-id' })
  permissions!: string[];
}
