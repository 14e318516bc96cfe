import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PERMISSIONS, type Permission } from '../../auth/permissions.js';
import { ROLES, type Role } from '../../engine/workflow-definition.js';

/** The password policy's length; the rest (not containing the username, enough distinct characters) is checked by UsersService. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
/** Lower-case letters, digits, `.`, `_`, `-`; 3 to 64 characters, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
const JURISDICTION_CODE = /^(\d{6}|\d{9}|\d{12})$/;

/** Optional, but when present not null (class-validator's IsOptional would let null through). */
const Present = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

function Password(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, format: 'password' })(target, key);
    IsString()(target, key);
    MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })(target, key);
    MaxLength(PASSWORD_MAX_LENGTH)(target, key);
  };
}

function RoleList(): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayNotEmpty()(target, key);
    ArrayUnique()(target, key);
    IsIn(ROLES, { each: true, message: `roles must be among ${ROLES.join(', ')}` })(target, key);
  };
}

function PermissionList(): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayUnique()(target, key);
    ArrayMaxSize(PERMISSIONS.length)(target, key);
    IsIn(PERMISSIONS, { each: true, message: `permissions must be among ${PERMISSIONS.join(', ')}` })(target, key);
  };
}

function JurisdictionCode(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must have 6, 9 or 12 digits' })(target, key);
  };
}

function DisplayName(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(/\S/, { message: 'displayName must not be blank' })(target, key);
    MaxLength(100)(target, key);
  };
}

/** Optional; null (on PATCH) removes the address. */
function Email(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: 'officer@example.gov.cn' })(target, key);
    IsOptional()(target, key);
    IsEmail()(target, key);
    MaxLength(200)(target, key);
  };
}

export class CreateUserDto {
  @ApiProperty({ example: 'xh-officer', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 64 lower-case letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiProperty({ example: '新会区扶贫办 经办人', maxLength: 100 })
  @DisplayName()
  displayName!: string;

  @Password()
  password!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['officer'] })
  @RoleList()
  roles!: Role[];

  @ApiProperty({ example: '440705', description: 'An existing, current node inside your own jurisdiction' })
  @JurisdictionCode()
  jurisdictionCode!: string;

  @Email()
  email?: string | null;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true, default: [] })
  @Present()
  @PermissionList()
  permissions?: Permission[];
}

/** Every field optional; at least one must be present. `email: null` removes the address. */
export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @Present()
  @DisplayName()
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @Present()
  @RoleList()
  roles?: Role[];

  @ApiPropertyOptional({ example: '440781109' })
  @Present()
  @JurisdictionCode()
  jurisdictionCode?: string;

  @Email()
  email?: string | null;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true })
  @Present()
  @PermissionList()
  permissions?: Permission[];

  @ApiPropertyOptional({ description: 'false deactivates: no login, every token refused' })
  @Present()
  @IsBoolean()
  active?: boolean;
}

export class ResetPasswordDto {
  @Password()
  password!: string;
}
