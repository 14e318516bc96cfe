import { describe, expect, it } from 'vitest';
import { calendarOf, naturalDaysLeft, workingDaysLeft, yearsBetween } from './working-days';

// 2025's 春节: days off 01-28 … 02-04; make-up working days Sunday 01-26 and Saturday 02-08.
const CALENDAR_2025 = calendarOf([
  { year: 2025, published: true, lastPublishedYear: 2026, holidays: ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'], workdays: ['2025-01-26', '2025-02-08'] },
]);

describe('working days left, counted as the API counts them', () => {
  it('counts working days after today up to the due date, skipping the holiday and counting make-up days', () => {
    // Friday 2025-01-24 10:00 Beijing; due Wednesday 2025-02-05 17:30 Beijing (09:30 UTC).
    expect(workingDaysLeft(new Date('2025-01-24T02:00:00Z'), new Date('2025-02-05T09:30:00Z'), CALENDAR_2025)).toBe(3); // Sun 26 (make-up), Mon 27, Wed 05
    expect(naturalDaysLeft(new Date('2025-01-24T02:00:00Z'), new Date('2025-02-05T09:30:00Z'))).toBe(12);
  });

  it('is 0 on the due date and negative after it', () => {
    expect(workingDaysLeft(new Date('2025-02-05T01:00:00Z'), new Date('2025-02-05T09:30:00Z'), CALENDAR_2025)).toBe(0);
    expect(workingDaysLeft(new Date('2025-02-07T01:00:00Z'), new Date('2025-02-05T09:30:00Z'), CALENDAR_2025)).toBe(-2);
  });

  it('dates by Beijing time: 16:30 UTC is already the next day', () => {
    // Thursday 2025-03-06 16:30 UTC = Friday 00:30 Beijing; due Monday 03-10: Monday only.
    expect(workingDaysLeft(new Date('2025-03-06T16:30:00Z'), new Date('2025-03-10T09:30:00Z'), CALENDAR_2025)).toBe(1);
    expect(yearsBetween(new Date('2025-12-31T17:00:00Z'), new Date('2026-01-05T09:30:00Z'))).toEqual([2026]);
    expect(yearsBetween(new Date('2025-12-30T01:00:00Z'), new Date('2026-01-05T09:30:00Z'))).toEqual([2025, 2026]);
  });
});
