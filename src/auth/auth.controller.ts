import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { AuthService } from './auth.service.js';
import { clientAddress, type ClientRequest } from './client-address.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import { AuthUserDto } from './dto/auth-user.dto.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
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
    @Req() request: ClientRequest,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<LoginResponseDto> {
    try {
      return await this.auth.login(body.username, body.password, clientAddress(request));
    } catch (error) {
      // The error filter writes the body; the header has to be set here.
      if (error instanceof AuthException && error.code === AuthExceptionCode.TOO_MANY_ATTEMPTS) {
        response.setHeader('Retry-After', String(error.details.retryAfterSeconds));
      }
      throw error;
    }
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange a refresh token for a new access and refresh token' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired or revoked refresh token (details.code INVALID_TOKEN)' })
  refresh(@Body() body: RefreshDto, @Req() request: ClientRequest): Promise<LoginResponseDto> {
    return this.auth.refresh(body.refreshToken, clientAddress(request));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ type: AuthUserDto })
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
