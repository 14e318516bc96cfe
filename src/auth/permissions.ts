/**
 * Permissions a user may hold beyond their roles. Administrators grant them through
 * PATCH /api/users/:id; anything not listed here is refused (400).
 */
export const PERMISSIONS = ['reveal-resident-id'] as const;
export type Permission = (typeof PERMISSIONS)[number];
