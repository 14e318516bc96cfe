import { replanDeadlines, replanPausedRemaining } from '../../../src/deadlines/deadline-plan.js';
import { WorkingCalendar } from '../../../src/deadlines/working-calendar.js';
import type { DeadlineDefinition } from '../../../src/engine/workflow-definition.js';

const calendar = WorkingCalendar.fromChineseDays();
/** Monday 2026-03-02 09:00 Beijing time. */
const MONDAY = new Date('2026-03-02T01:00:00.000Z');
/** Thursday 2026-03-05 10:00 Beijing time: three working days later. */
const THURSDAY = new Date('2026-03-05T02:00:00.000Z');

const ladder = (duration: string): DeadlineDefinition => ({
  duration,
  reminderBefore: '2wd',
  escalation: [
    { after: '0wd', notify: { role: 'supervisor', level: 'county' } },
    { after: '5wd', notify: { role: 'supervisor', level: 'city' } },
  ],
});

const times = (planned: { kind: string; rung: number; dueAt: Date }[]) => planned.map((p) => [p.kind, p.rung, p.dueAt.toISOString()]);

describe('replanDeadlines: a running step under new deadline settings', () => {
  it('carries the time already spent: 3 working days of an old 10wd leave 12wd of a new 15wd', () => {
    const replanned = replanDeadlines(ladder('15wd'), { startedAt: MONDAY, before: ladder('10wd'), pausedRemaining: null, fired: [] }, THURSDAY, calendar);
    expect({ unit: replanned.unit, spent: replanned.spent, remaining: replanned.remaining, dueAt: replanned.dueAt.toISOString() }).toEqual({
      unit: 'workingDays',
      spent: 3,
      remaining: 12,
      // Monday 2026-03-23 17:30 Beijing: the same as 15wd from the Monday the step began.
      dueAt: '2026-03-23T09:30:00.000Z',
    });
    expect(times(replanned.planned)).toEqual([
      ['due', 0, '2026-03-23T09:30:00.000Z'],
      ['reminder', 0, '2026-03-19T09:30:00.000Z'],
      ['escalation', 1, '2026-03-23T09:30:00.000Z'],
      ['escalation', 2, '2026-03-30T09:30:00.000Z'],
    ]);
  });

  it('does not plan again a timer that already fired', () => {
    const replanned = replanDeadlines(ladder('15wd'), { startedAt: MONDAY, before: ladder('10wd'), pausedRemaining: null, fired: [{ kind: 'reminder', rung: 0 }] }, THURSDAY, calendar);
    expect(times(replanned.planned).map(([kind, rung]) => `${kind}${rung}`)).toEqual(['due0', 'escalation1', 'escalation2']);
  });

  it('makes a step that spent more than the new duration due at once', () => {
    const friday = new Date('2026-03-20T02:00:00.000Z');
    const replanned = replanDeadlines(ladder('10wd'), { startedAt: MONDAY, before: ladder('20wd'), pausedRemaining: null, fired: [] }, friday, calendar);
    expect({ spent: replanned.spent, remaining: replanned.remaining }).toEqual({ spent: 14, remaining: 0 });
    // The reminder's time has passed: left out, not fired late.
    expect(times(replanned.planned)).toEqual([
      ['due', 0, friday.toISOString()],
      ['escalation', 1, friday.toISOString()],
      ['escalation', 2, '2026-03-27T09:30:00.000Z'],
    ]);
  });

  it('adds the time spent before a pause for correction (补正) to the time since the clock resumed', () => {
    // 6 of the old 10wd were spent before the pause; 3 more since it resumed on Monday.
    const replanned = replanDeadlines({ duration: '15wd' }, { startedAt: MONDAY, before: { duration: '10wd' }, pausedRemaining: 4, fired: [] }, THURSDAY, calendar);
    expect({ spent: replanned.spent, remaining: replanned.remaining, dueAt: replanned.dueAt.toISOString() }).toEqual({ spent: 9, remaining: 6, dueAt: '2026-03-13T09:30:00.000Z' });
  });

  it('converts the time spent before a pause at one working day = one day when the unit changes', () => {
    const replanned = replanDeadlines({ duration: '14d' }, { startedAt: MONDAY, before: { duration: '10wd' }, pausedRemaining: 4, fired: [] }, THURSDAY, calendar);
    expect({ unit: replanned.unit, spent: replanned.spent, remaining: replanned.remaining, dueAt: replanned.dueAt.toISOString() }).toEqual({
      unit: 'days',
      spent: 9,
      remaining: 5,
      dueAt: '2026-03-10T09:30:00.000Z',
    });
  });

  it('counts whole hours for an hourly deadline', () => {
    const replanned = replanDeadlines({ duration: '24h' }, { startedAt: MONDAY, before: { duration: '12h' }, pausedRemaining: null, fired: [] }, new Date('2026-03-02T07:30:00.000Z'), calendar);
    expect({ spent: replanned.spent, remaining: replanned.remaining, dueAt: replanned.dueAt.toISOString() }).toEqual({ spent: 6, remaining: 18, dueAt: '2026-03-03T01:30:00.000Z' });
  });
});

describe('replanPausedRemaining', () => {
  it('keeps what was spent before the pause and gives the rest of the new duration', () => {
    expect(replanPausedRemaining({ duration: '10wd' }, { duration: '15wd' }, 4)).toBe(9);
    expect(replanPausedRemaining({ duration: '10wd' }, { duration: '5wd' }, 4)).toBe(0);
    expect(replanPausedRemaining(undefined, { duration: '5wd' }, null)).toBe(5);
  });
});
