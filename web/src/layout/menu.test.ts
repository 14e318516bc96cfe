import { describe, expect, it } from 'vitest';
import { homeFor, menuFor } from './menu';

describe('the menu by role', () => {
  it('gives officers their inbox first, auditors no inbox (they never act)', () => {
    expect(menuFor(['officer']).map((e) => e.path)).toEqual(['/tasks', '/notifications']);
    expect(homeFor(['officer'])).toBe('/tasks');
    expect(menuFor(['auditor']).map((e) => e.path)).toEqual(['/notifications']);
    expect(homeFor(['auditor'])).toBe('/notifications');
  });
});
