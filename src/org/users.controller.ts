import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { Clock } from '../common/clock.js';
import { UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('administrator')
  @ApiOperation({ summary: 'List all users (administrators only)' })
  @ApiOkResponse({ type: UserDto, isArray: true })
  @ApiForbiddenResponse({ description: 'The caller is not an administrator' })
  async list(): Promise<UserDto[]> {
    const now = this.clock.now();
    return (await this.users.list()).map((user) => ({
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      jurisdictionCode: user.jurisdictionCode,
      permissions: user.permissions,
      locked: user.lockedUntil !== null && user.lockedUntil > now,
      lockedUntil: user.lockedUntil?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    }));
  }
}
