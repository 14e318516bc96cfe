import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { AuthService } from './auth.service.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import { AuthUserDto } from './dto/auth-user.dto.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { Public } from './public.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange a username and password for an access token' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password' })
  @ApiTooManyRequestsResponse({
    description: 'Too many attempts for this account or from this address (details.code TOO_MANY_ATTEMPTS, Retry-After header)',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: { ip?: string; socket?: { remoteAddress?: string } },
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<LoginResponseDto> {
    const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    try {
      return await this.auth.login(body.username, body.password, address);
    } catch (error) {
      // The error filter writes the body; the header has to be set here.
      if (error instanceof AuthException && error.code === AuthExceptionCode.TOO_MANY_ATTEMPTS) {
        response.setHeader('Retry-After', String(error.details.retryAfterSeconds));
      }
      throw error;
    }
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ type: AuthUserDto })
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
