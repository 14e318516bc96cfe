import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { Clock } from '../common/clock.js';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto } from './dto/user-admin.dto.js';
import { UserDto } from './dto/user.dto.js';
import type { UserEntity } from './user.entity.js';
import { UsersService, type AdminContext } from './users.service.js';

/**
 * User administration. An administrator sees and manages the users bound inside their own
 * jurisdiction only (others answer 404) and binds users to current nodes inside it (else 422).
 */
@ApiTags('users')
@ApiBearerAuth()
@Roles('administrator')
@ApiForbiddenResponse({ description: 'The caller is not an administrator' })
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The users bound inside your jurisdiction, by username' })
  @ApiOkResponse({ type: UserDto, isArray: true })
  async list(@CurrentUser() admin: AuthUser): Promise<UserDto[]> {
    return (await this.users.listWithin(admin.jurisdictionCode)).map((user) => this.toDto(user));
  }

  @Post()
  @ApiOperation({ summary: 'Create a user (password ≥ 10 characters, not containing the username, ≥ 5 different characters)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({ description: 'Invalid fields (VALIDATION_FAILED) or a weak password (WEAK_PASSWORD)' })
  @ApiConflictResponse({ description: 'The username is taken (DUPLICATE_USERNAME)' })
  @ApiUnprocessableEntityResponse({ description: 'The jurisdiction is outside yours, unknown or retired' })
  async create(@CurrentUser() admin: AuthUser, @Body() body: CreateUserDto, @Req() request: ClientRequest): Promise<UserDto> {
    return this.toDto(await this.users.create(body, context(admin, request)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A user bound inside your jurisdiction' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user inside your jurisdiction' })
  async get(@CurrentUser() admin: AuthUser, @Param('id') id: string): Promise<UserDto> {
    return this.toDto(await this.users.getManaged(admin, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a user',
    description: 'Changing roles, jurisdiction or active revokes the user’s tokens. You cannot deactivate yourself or drop your own administrator role (422).',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user inside your jurisdiction' })
  @ApiUnprocessableEntityResponse({ description: 'Jurisdiction outside yours, unknown or retired; or locking yourself out' })
  async update(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: UpdateUserDto, @Req() request: ClientRequest): Promise<UserDto> {
    return this.toDto(await this.users.update(id, body, context(admin, request)));
  }

  @Post(':id/password')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Set a new password: the user’s tokens are revoked and any lock lifted' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user inside your jurisdiction' })
  async resetPassword(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: ResetPasswordDto, @Req() request: ClientRequest): Promise<UserDto> {
    return this.toDto(await this.users.resetPassword(id, body.password, context(admin, request)));
  }

  @Post(':id/unlock')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Lift the account lock and the login rate-limit counter of a user' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ description: 'No such user inside your jurisdiction' })
  async unlock(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Req() request: ClientRequest): Promise<UserDto> {
    return this.toDto(await this.users.unlock(id, context(admin, request)));
  }

  private toDto(user: UserEntity): UserDto {
    const now = this.clock.now();
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      jurisdictionCode: user.jurisdictionCode,
      permissions: user.permissions,
      email: user.email,
      active: user.active,
      locked: user.lockedUntil !== null && user.lockedUntil > now,
      lockedUntil: user.lockedUntil?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

function context(admin: AuthUser, request: ClientRequest): AdminContext {
  return { admin, address: clientAddress(request) };
}
