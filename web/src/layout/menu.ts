import type { Role } from '../api/types';
import type { MessageKey } from '../i18n/messages';

export interface MenuEntry {
  path: string;
  label: MessageKey;
  /** Shown to a user holding any of these roles. */
  roles: readonly Role[];
}

/**
 * The side menu. Only pages that work against the API as it is are listed here; pages
 * waiting for their API (the supervisor dashboard, definition administration, the public
 * notice board) have routes but no menu entry yet.
 */
export const MENU: readonly MenuEntry[] = [
  // Auditors read and never act, so they have no tasks.
  { path: '/tasks', label: 'nav.inbox', roles: ['officer', 'reviewer', 'approver', 'supervisor', 'administrator'] },
  { path: '/notifications', label: 'nav.notifications', roles: ['officer', 'reviewer', 'approver', 'supervisor', 'administrator', 'auditor'] },
  // The routes refuse a county administrator (definitions apply city-wide): the page says so.
  { path: '/admin/definitions', label: 'nav.definitions', roles: ['administrator'] },
];

export function menuFor(roles: readonly Role[]): MenuEntry[] {
  return MENU.filter((entry) => entry.roles.some((role) => roles.includes(role)));
}

/** Where a user lands after logging in: the first page of their menu. */
export function homeFor(roles: readonly Role[]): string {
  return menuFor(roles)[0]?.path ?? '/notifications';
}
