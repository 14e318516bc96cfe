import { describe, expect, it } from 'vitest';
import { homeFor, menuFor } from './menu';

describe('the menu by role', () => {
  it('gives officers their inbox first, starting a case and the household files; auditors no inbox and nothing to start (they never act)', () => {
    expect(menuFor(['officer']).map((e) => e.path)).toEqual(['/tasks', '/cases/new', '/households', '/notifications']);
    expect(homeFor(['officer'])).toBe('/tasks');
    expect(menuFor(['auditor']).map((e) => e.path)).toEqual(['/households', '/notifications']);
    expect(homeFor(['auditor'])).toBe('/households');
  });

  it('sends supervisors to the dashboard, lets them start cases, and gives administrators the administration pages', () => {
    expect(homeFor(['supervisor'])).toBe('/dashboard');
    expect(menuFor(['supervisor']).map((e) => e.path)).toEqual(['/tasks', '/cases/new', '/dashboard', '/households', '/notifications']);
    // Reviewers and approvers start no procedure of the shipped definitions.
    expect(menuFor(['reviewer']).map((e) => e.path)).not.toContain('/cases/new');
    expect(menuFor(['approver']).map((e) => e.path)).not.toContain('/cases/new');
    expect(menuFor(['administrator']).map((e) => e.path)).toEqual([
      '/tasks',
      '/dashboard',
      '/notifications',
      '/admin/definitions',
      '/admin/users',
      '/admin/calendar',
      '/admin/rules',
      '/admin/emails',
    ]);
  });
});
