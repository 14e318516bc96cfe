import { describe, expect, it } from 'vitest';
import { homeFor, menuFor } from './menu';

describe('the menu by role', () => {
  it('gives officers their inbox first and the household files, auditors no inbox (they never act)', () => {
    expect(menuFor(['officer']).map((e) => e.path)).toEqual(['/tasks', '/households', '/notifications']);
    expect(homeFor(['officer'])).toBe('/tasks');
    expect(menuFor(['auditor']).map((e) => e.path)).toEqual(['/households', '/notifications']);
    expect(homeFor(['auditor'])).toBe('/households');
  });

  it('sends supervisors to the dashboard and gives administrators the administration pages', () => {
    expect(homeFor(['supervisor'])).toBe('/dashboard');
    expect(menuFor(['supervisor']).map((e) => e.path)).toEqual(['/tasks', '/dashboard', '/households', '/notifications']);
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
