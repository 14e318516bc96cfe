import { SetMetadata } from '@nestjs/common';
import type { Role } from '../engine/workflow-definition.js';

export const ROLES_KEY = 'fupin:roles';

/**
 * The caller must hold at least one of these roles (else 403). This is the coarse
 * check; which cases a user may see or act on is decided per object by jurisdiction.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
