import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UsersService } from '../org/users.service.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { toAuthUser, type AuthenticatedRequest } from './auth-user.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { TokenService } from './token.service.js';

/**
 * Global guard: every route needs `Authorization: Bearer <access token>` unless marked
 * @Public(). The user is loaded on each request: a deactivated or deleted user's tokens
 * stop working at once, and so do tokens issued before the user's token version was raised
 * (password, roles or jurisdiction changed). Refresh tokens are refused here.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AuthException('A bearer token is required', AuthExceptionCode.MISSING_TOKEN);

    const payload = await this.tokens.verify(token, 'access');
    const user = await this.users.findById(payload.sub);
    this.tokens.assertCurrent(payload, user);
    request.user = toAuthUser(user);
    return true;
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
