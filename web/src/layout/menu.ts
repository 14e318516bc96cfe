import type { Role } from '../api/types';
import type { MessageKey } from '../i18n/messages';

export interface MenuEntry {
  path: string;
  label: MessageKey;
  /** Shown to a user holding any of these roles. */
  roles: readonly Role[];
}

/** The side menu, by role. */
export const MENU: readonly MenuEntry[] = [
  // Auditors read and never act, so they have no tasks.
  { path: '/tasks', label: 'nav.inbox', roles: ['officer', 'reviewer', 'approver', 'supervisor', 'administrator'] },
  // Who starts what is the definitions' `start` (role and level): in the shipped ones town
  // officers and city supervisors. The page lists what the user may start, or says there is none.
  { path: '/cases/new', label: 'nav.newCase', roles: ['officer', 'supervisor'] },
  { path: '/dashboard', label: 'nav.dashboard', roles: ['supervisor', 'approver', 'administrator'] },
  // Officers keep the files; every other role reads them inside its jurisdiction.
  { path: '/households', label: 'nav.households', roles: ['officer', 'reviewer', 'approver', 'supervisor', 'auditor'] },
  { path: '/notifications', label: 'nav.notifications', roles: ['officer', 'reviewer', 'approver', 'supervisor', 'administrator', 'auditor'] },
  // The routes refuse a county administrator (definitions apply city-wide): the page says so.
  { path: '/admin/definitions', label: 'nav.definitions', roles: ['administrator'] },
  { path: '/admin/users', label: 'nav.users', roles: ['administrator'] },
  { path: '/admin/calendar', label: 'nav.calendar', roles: ['administrator'] },
  { path: '/admin/rules', label: 'nav.rules', roles: ['administrator'] },
  { path: '/admin/emails', label: 'nav.emails', roles: ['administrator'] },
];

export function menuFor(roles: readonly Role[]): MenuEntry[] {
  return MENU.filter((entry) => entry.roles.some((role) => roles.includes(role)));
}

/** Where a user lands after logging in: the first page of their menu. */
export function homeFor(roles: readonly Role[]): string {
  // A supervisor's work is watching the jurisdiction: the dashboard before the few tasks.
  if (roles.includes('supervisor')) return '/dashboard';
  return menuFor(roles)[0]?.path ?? '/notifications';
}
