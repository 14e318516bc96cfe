import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { UsersService } from '../org/users.service.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { toAuthUser, type AuthenticatedRequest } from './auth-user.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';

export interface JwtPayload {
  sub: string;
  username: string;
}

/**
 * Global guard: every route needs `Authorization: Bearer <jwt>` unless marked
 * @Public(). The user is loaded on each request, so changed roles or jurisdiction take
 * effect at once and a deleted user's tokens stop working.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
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

    let payload: JwtPayload;
    try {
      payload = await this.jwt.verifyAsync<JwtPayload>(token);
    } catch {
      throw new AuthException('The token is invalid or has expired', AuthExceptionCode.INVALID_TOKEN);
    }
    const user = typeof payload.sub === 'string' ? await this.users.findById(payload.sub) : null;
    if (!user) throw new AuthException('The token is invalid or has expired', AuthExceptionCode.INVALID_TOKEN);
    request.user = toAuthUser(user);
    return true;
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
