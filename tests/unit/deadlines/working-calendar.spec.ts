import { createRequire } from 'node:module';
import {
  beijingDate,
  beijingTime,
  computeDueAt,
  InvalidDurationError,
  parseDuration,
  workingDaysLeft,
} from '../../../src/deadlines/deadline-duration.js';
import { WorkingCalendar, type CalendarOverride } from '../../../src/deadlines/working-calendar.js';
import { DURATION_PATTERN } from '../../../src/engine/definition-schema.js';

const calendar = WorkingCalendar.fromChineseDays();

/** Every date of an inclusive range. */
function range(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * The State Council's notices (国务院办公厅关于2025年/2026年部分节假日安排的通知):
 * every day off (放假调休, weekends inside the periods included) and the make-up
 * working days (上班).
 */
const STATE_COUNCIL = {
  2025: {
    holidays: [
      '2025-01-01', // 元旦
      ...range('2025-01-28', '2025-02-04'), // 春节, 8 days
      ...range('2025-04-04', '2025-04-06'), // 清明
      ...range('2025-05-01', '2025-05-05'), // 劳动节
      ...range('2025-05-31', '2025-06-02'), // 端午
      ...range('2025-10-01', '2025-10-08'), // 国庆节、中秋节
    ],
    // Sun 01-26, Sat 02-08 (春节); Sun 04-27 (劳动节); Sun 09-28, Sat 10-11 (国庆、中秋)
    makeUpWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    holidays: [
      ...range('2026-01-01', '2026-01-03'), // 元旦
      ...range('2026-02-15', '2026-02-23'), // 春节, 9 days
      ...range('2026-04-04', '2026-04-06'), // 清明
      ...range('2026-05-01', '2026-05-05'), // 劳动节
      ...range('2026-06-19', '2026-06-21'), // 端午
      ...range('2026-09-25', '2026-09-27'), // 中秋
      ...range('2026-10-01', '2026-10-07'), // 国庆节
    ],
    // Sun 01-04 (元旦); Sat 02-14, Sat 02-28 (春节); Sat 05-09 (劳动节); Sun 09-20, Sat 10-10 (国庆)
    makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
} as const;

describe('WorkingCalendar from chinese-days', () => {
  it.each([2025, 2026] as const)('holds the State Council schedule of %i', (year) => {
    expect(calendar.holidaysIn(year)).toEqual([...STATE_COUNCIL[year].holidays]);
    expect(calendar.makeUpWorkdaysIn(year)).toEqual([...STATE_COUNCIL[year].makeUpWorkdays]);
  });

  it('knows 2004 to 2026 and nothing later', () => {
    expect(calendar.lastPublishedYear).toBe(2026);
    expect(calendar.publishedYears()).toEqual(range('2004-01-01', '2026-01-01').filter((d) => d.endsWith('-01-01')).map((d) => Number(d.slice(0, 4))));
  });

  it("agrees with the package's own isWorkday on every day of 2004–2026", () => {
    const require = createRequire(import.meta.url);
    const chineseDays = require('chinese-days') as { isWorkday(date: string): boolean };
    const disagreements = range('2004-01-01', '2026-12-31').filter((date) => calendar.isWorkingDay(date) !== chineseDays.isWorkday(date));
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['2025-01-26', true, 'make-up Sunday (春节)'],
    ['2025-02-08', true, 'make-up Saturday (春节)'],
    ['2025-09-28', true, 'make-up Sunday (国庆)'],
    ['2026-02-14', true, 'make-up Saturday (春节)'],
    ['2026-09-20', true, 'make-up Sunday (国庆)'],
    ['2025-01-28', false, 'weekday holiday (春节)'],
    ['2025-10-08', false, 'weekday holiday (国庆)'],
    ['2026-05-05', false, 'weekday holiday (劳动节)'],
    ['2026-02-23', false, 'weekday holiday (春节)'],
    ['2025-03-08', false, 'ordinary Saturday'],
    ['2025-03-07', true, 'ordinary Friday'],
  ])('%s is a working day: %s (%s)', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });

  it('adds and counts working days', () => {
    expect(calendar.addWorkingDays('2025-01-27', 1)).toBe('2025-02-05');
    expect(calendar.addWorkingDays('2025-01-27', 0)).toBe('2025-01-27');
    expect(calendar.addWorkingDays('2025-02-05', -1)).toBe('2025-01-27');
    expect(calendar.addWorkingDays('2025-02-10', -2)).toBe('2025-02-07'); // back over the make-up Saturday 02-08
    expect(calendar.workingDaysBetween('2025-01-24', '2025-02-10')).toBe(7); // 01-26, 01-27, 02-05, 06, 07, 08, 10
    expect(calendar.workingDaysBetween('2025-02-10', '2025-01-24')).toBe(-7);
    expect(calendar.workingDaysBetween('2025-01-27', '2025-01-27')).toBe(0);
    for (const start of ['2025-01-20', '2025-09-26', '2026-02-13', '2026-09-18']) {
      for (const n of [0, 1, 2, 5, 10, 20]) expect(calendar.workingDaysBetween(start, calendar.addWorkingDays(start, n))).toBe(n);
    }
  });

  it('refuses malformed dates', () => {
    expect(() => calendar.isWorkingDay('2025-02-29')).toThrow(RangeError);
    expect(() => calendar.isWorkingDay('2025-1-5')).toThrow("'2025-1-5' is not a calendar date YYYY-MM-DD");
    expect(() => calendar.addWorkingDays('2025-01-05', 1.5)).toThrow(RangeError);
  });

  it('refuses inconsistent year data', () => {
    expect(() => WorkingCalendar.fromYearData([{ year: 2025, holidays: ['2024-12-31'], makeUpWorkdays: [] }])).toThrow('not in 2025');
    expect(() => WorkingCalendar.fromYearData([{ year: 2025, holidays: ['2025-01-01'], makeUpWorkdays: ['2025-01-27'] }])).toThrow('not a Saturday or Sunday');
  });
});

// start instant, duration, expected dueAt (Beijing time), provisional, why
type Row = [string, string, string, boolean, string];
const TABLE: Row[] = [
  // the rule itself, on ordinary weeks
  ['2025-03-03T16:00:00+08:00', '1wd', '2025-03-04T17:30:00+08:00', false, 'Monday 16:00 → Tuesday; the start day never counts'],
  ['2025-03-03T08:00:00+08:00', '1wd', '2025-03-04T17:30:00+08:00', false, 'Monday morning: still Tuesday'],
  ['2025-03-08T10:00:00+08:00', '1wd', '2025-03-10T17:30:00+08:00', false, 'Saturday → Monday'],
  ['2025-05-31T10:00:00+08:00', '1wd', '2025-06-03T17:30:00+08:00', false, 'Saturday → Tuesday: Monday 06-02 is 端午'],
  ['2025-03-07T15:30:00Z', '1wd', '2025-03-10T17:30:00+08:00', false, 'Friday 23:30 Beijing (15:30 UTC) is dated Friday'],
  ['2025-03-06T16:30:00Z', '1wd', '2025-03-10T17:30:00+08:00', false, 'Thursday 16:30 UTC is Friday 00:30 Beijing: dated Friday, not Thursday'],
  ['2025-03-03T16:00:00+08:00', '5wd', '2025-03-10T17:30:00+08:00', false, 'a plain week'],
  // Spring Festival 2025: 01-28..02-04 off, Sun 01-26 and Sat 02-08 worked
  ['2025-01-24T10:00:00+08:00', '1wd', '2025-01-26T17:30:00+08:00', false, 'Friday → the make-up Sunday 01-26'],
  ['2025-01-25T09:00:00+08:00', '1wd', '2025-01-26T17:30:00+08:00', false, 'Saturday → the make-up Sunday'],
  ['2025-01-26T16:00:00+08:00', '1wd', '2025-01-27T17:30:00+08:00', false, 'on the make-up Sunday → Monday'],
  ['2025-01-27T16:00:00+08:00', '1wd', '2025-02-05T17:30:00+08:00', false, 'the eve of the holiday → the first day back'],
  ['2025-01-24T10:00:00+08:00', '3wd', '2025-02-05T17:30:00+08:00', false, '01-26, 01-27, 02-05'],
  ['2025-01-27T16:00:00+08:00', '5wd', '2025-02-10T17:30:00+08:00', false, '02-05, 06, 07, the make-up Saturday 08, 10'],
  ['2025-01-29T11:00:00+08:00', '1wd', '2025-02-05T17:30:00+08:00', false, 'started on a holiday'],
  ['2025-01-27T16:00:00+08:00', '7d', '2025-02-03T17:30:00+08:00', false, 'natural days ignore the holiday'],
  ['2025-01-27T16:00:00+08:00', 'P7D', '2025-02-03T17:30:00+08:00', false, 'ISO days = natural days'],
  ['2025-01-27T16:00:00+08:00', '12h', '2025-01-28T04:00:00+08:00', false, 'hours are elapsed time'],
  ['2025-01-27T16:00:00+08:00', 'PT36H', '2025-01-29T04:00:00+08:00', false, 'ISO hours'],
  ['2025-01-27T16:00:00+08:00', 'P1DT2H', '2025-01-28T18:00:00+08:00', false, 'mixed ISO = 26 hours'],
  ['2025-01-27T16:00:00+08:00', 'PT90M', '2025-01-27T17:30:00+08:00', false, 'ISO minutes'],
  // Labour Day 2025: 05-01..05-05 off, Sun 04-27 worked
  ['2025-04-25T10:00:00+08:00', '1wd', '2025-04-27T17:30:00+08:00', false, 'Friday → the make-up Sunday 04-27'],
  ['2025-04-30T09:00:00+08:00', '1wd', '2025-05-06T17:30:00+08:00', false, 'over 05-01..05-05'],
  ['2025-04-29T09:00:00+08:00', '2wd', '2025-05-06T17:30:00+08:00', false, '04-30, 05-06'],
  // National Day + Mid-Autumn 2025: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked
  ['2025-09-26T16:00:00+08:00', '1wd', '2025-09-28T17:30:00+08:00', false, 'Friday → the make-up Sunday 09-28'],
  ['2025-09-30T16:00:00+08:00', '1wd', '2025-10-09T17:30:00+08:00', false, 'over 10-01..10-08'],
  ['2025-09-30T16:00:00+08:00', '3wd', '2025-10-11T17:30:00+08:00', false, '10-09, 10-10, the make-up Saturday 10-11'],
  ['2025-09-30T16:00:00+08:00', '4wd', '2025-10-13T17:30:00+08:00', false, '… and Monday 10-13'],
  ['2025-09-27T10:00:00+08:00', '5wd', '2025-10-10T17:30:00+08:00', false, '09-28, 29, 30, 10-09, 10-10'],
  ['2025-10-04T10:00:00+08:00', '1wd', '2025-10-09T17:30:00+08:00', false, 'a Saturday inside the holiday'],
  // New Year 2026: 01-01..01-03 off, Sun 01-04 worked
  ['2025-12-31T16:00:00+08:00', '1wd', '2026-01-04T17:30:00+08:00', false, 'across the year → the make-up Sunday 01-04'],
  // Spring Festival 2026: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked
  ['2026-02-13T16:00:00+08:00', '1wd', '2026-02-14T17:30:00+08:00', false, 'Friday → the make-up Saturday 02-14'],
  ['2026-02-13T16:00:00+08:00', '2wd', '2026-02-24T17:30:00+08:00', false, '02-14, then over 02-15..02-23'],
  ['2026-02-14T17:00:00+08:00', '1wd', '2026-02-24T17:30:00+08:00', false, 'on the make-up Saturday'],
  ['2026-02-24T09:00:00+08:00', '4wd', '2026-02-28T17:30:00+08:00', false, '25, 26, 27, the make-up Saturday 28'],
  ['2026-02-24T09:00:00+08:00', '5wd', '2026-03-02T17:30:00+08:00', false, '… and Monday 03-02'],
  // Labour Day 2026: 05-01..05-05 off, Sat 05-09 worked
  ['2026-04-30T16:00:00+08:00', '1wd', '2026-05-06T17:30:00+08:00', false, 'over 05-01..05-05'],
  ['2026-05-07T09:00:00+08:00', '2wd', '2026-05-09T17:30:00+08:00', false, '05-08, the make-up Saturday 05-09'],
  ['2026-05-07T09:00:00+08:00', '3wd', '2026-05-11T17:30:00+08:00', false, '… and Monday 05-11'],
  // Mid-Autumn 09-25..09-27 and National Day 10-01..10-07 2026, Sun 09-20 and Sat 10-10 worked
  ['2026-09-18T16:00:00+08:00', '1wd', '2026-09-20T17:30:00+08:00', false, 'Friday → the make-up Sunday 09-20'],
  ['2026-09-24T16:00:00+08:00', '1wd', '2026-09-28T17:30:00+08:00', false, 'over 中秋 09-25..09-27'],
  ['2026-09-30T16:00:00+08:00', '1wd', '2026-10-08T17:30:00+08:00', false, 'over 国庆 10-01..10-07'],
  ['2026-09-30T16:00:00+08:00', '3wd', '2026-10-10T17:30:00+08:00', false, '10-08, 10-09, the make-up Saturday 10-10'],
  ['2026-09-24T16:00:00+08:00', '5wd', '2026-10-09T17:30:00+08:00', false, '09-28, 29, 30, 10-08, 10-09'],
  // beyond the last published year (2026)
  ['2026-12-21T10:00:00+08:00', '1wd', '2026-12-22T17:30:00+08:00', false, 'still 2026'],
  ['2026-12-31T16:00:00+08:00', '1wd', '2027-01-01T17:30:00+08:00', true, '2027 is unknown: New Year 2027 counted as a Friday at work'],
  ['2026-12-10T10:00:00+08:00', '20wd', '2027-01-07T17:30:00+08:00', true, 'reaches into 2027'],
  ['2026-12-31T16:00:00+08:00', '7d', '2027-01-07T17:30:00+08:00', false, 'natural days never use the holiday data'],
  ['2026-12-31T16:00:00+08:00', 'PT36H', '2027-01-02T04:00:00+08:00', false, 'nor do hours'],
  // zero durations are due at the start instant
  ['2025-03-03T18:00:00+08:00', '0wd', '2025-03-03T18:00:00+08:00', false, 'an escalation rung after 0wd'],
];

describe('computeDueAt', () => {
  it.each(TABLE)('%s + %s → %s (provisional %s): %s', (start, duration, expected, provisional) => {
    const result = computeDueAt(new Date(start), duration, calendar);
    expect(result.dueAt.toISOString()).toBe(new Date(expected).toISOString());
    expect(result.provisional).toBe(provisional);
  });

  it('takes another end of the office day', () => {
    const { dueAt } = computeDueAt(new Date('2025-03-03T16:00:00+08:00'), '1wd', calendar, { officeDayEnd: '18:00' });
    expect(dueAt.toISOString()).toBe('2025-03-04T10:00:00.000Z');
    expect(() => computeDueAt(new Date(), '1wd', calendar, { officeDayEnd: '5:30pm' })).toThrow('not a time of day');
    expect(() => computeDueAt(new Date(), '1wd', calendar, { timeZone: 'Europe/Paris' as 'Asia/Shanghai' })).toThrow('only Asia/Shanghai');
  });

  it('dates instants in Beijing time', () => {
    expect(beijingDate(new Date('2025-03-07T15:30:00Z'))).toBe('2025-03-07'); // Friday 23:30
    expect(beijingDate(new Date('2025-03-07T16:00:00Z'))).toBe('2025-03-08'); // Saturday 00:00
    expect(beijingTime('2025-03-04', '17:30').toISOString()).toBe('2025-03-04T09:30:00.000Z');
  });

  it('becomes final once the next year is published as overrides', () => {
    const start = new Date('2026-12-31T16:00:00+08:00');
    expect(calendar.isProvisional('2027-01-01')).toBe(true);
    expect(calendar.isProvisional('2026-12-31')).toBe(false);
    expect(calendar.isProvisional('1999-10-01')).toBe(false); // before the data: weekends only, nothing will come
    // A made-up 2027 schedule, only to exercise the path: NOT the State Council's notice.
    const hypothetical2027: CalendarOverride[] = [
      ...range('2027-01-01', '2027-01-03').map((date) => ({ date, kind: 'holiday' as const })),
      { date: '2027-01-09', kind: 'workday' },
    ];
    const updated = calendar.withOverrides(hypothetical2027, [2027]);
    expect(updated.lastPublishedYear).toBe(2027);
    expect(updated.isProvisional('2027-06-01')).toBe(false);
    expect(updated.isMakeUpWorkday('2027-01-09')).toBe(true);
    expect(computeDueAt(start, '1wd', updated)).toEqual({ dueAt: new Date('2027-01-04T17:30:00+08:00'), provisional: false });
    // the original calendar is unchanged
    expect(computeDueAt(start, '1wd', calendar)).toEqual({ dueAt: new Date('2027-01-01T17:30:00+08:00'), provisional: true });
  });

  it('publishes a year by its holiday overrides alone, and names years explicitly', () => {
    expect(calendar.withOverrides([{ date: '2027-01-01', kind: 'holiday' }]).lastPublishedYear).toBe(2027);
    expect(calendar.withOverrides([], [2027]).isProvisional('2027-03-01')).toBe(false);
    // 2028 published, 2027 not: the gap stays provisional
    const gap = calendar.withOverrides([], [2028]);
    expect(gap.isProvisional('2027-03-01')).toBe(true);
    expect(computeDueAt(new Date('2026-12-31T16:00:00+08:00'), '1wd', gap).provisional).toBe(true);
  });

  it('overrides: a later one wins; a workday override removes a weekday holiday', () => {
    const c = calendar.withOverrides([
      { date: '2025-03-07', kind: 'holiday' },
      { date: '2025-03-08', kind: 'workday' },
      { date: '2025-03-08', kind: 'holiday' },
      { date: '2025-01-28', kind: 'workday' },
    ]);
    expect(c.isWorkingDay('2025-03-07')).toBe(false);
    expect(c.isWorkingDay('2025-03-08')).toBe(false);
    expect(c.isWorkingDay('2025-01-28')).toBe(true);
    expect(() => calendar.withOverrides([{ date: '2025-13-01', kind: 'holiday' }])).toThrow(RangeError);
  });

  it('reproduces 2026 from the notice written as overrides on a calendar that lacks it', () => {
    const only2025 = WorkingCalendar.fromYearData([{ year: 2025, ...STATE_COUNCIL[2025] }]);
    expect(only2025.lastPublishedYear).toBe(2025);
    const overrides: CalendarOverride[] = [
      ...STATE_COUNCIL[2026].holidays.map((date) => ({ date, kind: 'holiday' as const })),
      ...STATE_COUNCIL[2026].makeUpWorkdays.map((date) => ({ date, kind: 'workday' as const })),
    ];
    const with2026 = only2025.withOverrides(overrides, [2026]);
    for (const date of range('2026-01-01', '2026-12-31')) expect(with2026.isWorkingDay(date)).toBe(calendar.isWorkingDay(date));
    for (const [start, duration, expected, provisional] of TABLE.filter(([s]) => s.startsWith('2026-0'))) {
      expect(computeDueAt(new Date(start), duration, only2025).provisional).toBe(true);
      expect(computeDueAt(new Date(start), duration, with2026)).toEqual({ dueAt: new Date(expected), provisional });
    }
  });
});

describe('parseDuration', () => {
  it.each([
    ['5wd', 5, 'workingDays'],
    ['0wd', 0, 'workingDays'],
    ['7d', 7, 'days'],
    ['12h', 12, 'hours'],
    ['P7D', 7, 'days'],
    ['PT12H', 12, 'hours'],
    ['PT36H', 36, 'hours'],
    ['P1DT2H', 26, 'hours'],
    ['PT30M', 30, 'minutes'],
    ['P1DT6H30M', 1830, 'minutes'],
  ])('%s → %i %s', (text, amount, unit) => {
    expect(parseDuration(text)).toEqual({ amount, unit });
    expect(new RegExp(DURATION_PATTERN).test(text)).toBe(true); // the definition schema accepts it too
  });

  it.each([
    ['5 days', 'spaces'],
    ['P', "'P' alone"],
    ['PT', "'T' must be followed"],
    ['-1wd', 'negative'],
    ['1.5wd', 'whole number'],
    ['', 'empty'],
    ['5WD', 'not a unit'],
    ['5m', 'not a unit'],
    ['P1W', 'weeks'],
    ['P1M', 'months'],
    ['PT5S', 'seconds'],
    ['PT2M1H', 'in that order'],
    ['9999wd', 'about ten years'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(InvalidDurationError);
    expect(() => parseDuration(text)).toThrow(reason);
  });
});

describe('workingDaysLeft', () => {
  const due = new Date('2025-02-05T17:30:00+08:00'); // 1wd from Monday 2025-01-27
  it.each([
    ['2025-01-27T16:00:00+08:00', 1],
    ['2025-01-30T10:00:00+08:00', 1], // inside the holiday
    ['2025-01-26T10:00:00+08:00', 2], // the make-up Sunday
    ['2025-02-05T09:00:00+08:00', 0],
    ['2025-02-05T18:00:00+08:00', 0], // past 17:30: overdue, still the due date
    ['2025-02-08T10:00:00+08:00', -3], // 02-06, 02-07, the make-up Saturday 02-08
  ])('at %s: %i', (now, left) => {
    expect(workingDaysLeft(new Date(now), due, calendar)).toBe(left);
  });
});
