import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../engine/workflow-definition.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import type { AuthenticatedRequest } from './auth-user.js';
import { ROLES_KEY } from './roles.decorator.js';

/** Global guard after JwtAuthGuard: enforces @Roles(...) where present. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user && user.roles.some((role) => required.includes(role))) return true;
    throw new AuthException(`This requires one of the roles: ${required.join(', ')}`, AuthExceptionCode.FORBIDDEN_ROLE, {
      requiredRoles: required,
    });
  }
}
