import type { Role } from '../engine/workflow-definition.js';
import type { UserEntity } from '../org/user.entity.js';

/** The authenticated caller, as handlers see it through @CurrentUser(). */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  jurisdictionCode: string;
  /** Extra permissions beyond the roles, e.g. `reveal-resident-id`. */
  permissions: string[];
}

export function toAuthUser(user: UserEntity): AuthUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    jurisdictionCode: user.jurisdictionCode,
    permissions: user.permissions ?? [],
  };
}

/** The part of the request the guards and the decorator use (no @types/express needed). */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthUser;
}
