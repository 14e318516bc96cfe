import type { CalendarYear } from '../api/types';

/**
 * Working days left until a due time, counted as the API counts them
 * (src/deadlines/deadline-duration.ts workingDaysLeft): Beijing dates; the working days after
 * today up to and including the due date — 1 the day before a next-working-day deadline, 0 on
 * the due date, negative after it. A working day is Monday–Friday that is not a statutory
 * holiday, or a weekend day declared a make-up working day (调休上班). The holidays come from
 * GET /api/calendar/years/:year, so an administrator's corrections count here too.
 */

const MS_PER_DAY = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export interface WorkingDaysCalendar {
  holidays: ReadonlySet<number>;
  workdays: ReadonlySet<number>;
  /** Years on the way whose notice is not published: only weekends are known there. */
  provisionalYears: number[];
}

export function beijingDay(instant: Date): number {
  return Math.floor((instant.getTime() + BEIJING_OFFSET_MS) / MS_PER_DAY);
}

function dayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

/** The Beijing years from `now` to `dueAt`: the calendar years to load. */
export function yearsBetween(now: Date, dueAt: Date): number[] {
  const first = new Date(Math.min(beijingDay(now), beijingDay(dueAt)) * MS_PER_DAY).getUTCFullYear();
  const last = new Date(Math.max(beijingDay(now), beijingDay(dueAt)) * MS_PER_DAY).getUTCFullYear();
  const years: number[] = [];
  for (let year = first; year <= last; year++) years.push(year);
  return years;
}

export function calendarOf(years: readonly CalendarYear[]): WorkingDaysCalendar {
  return {
    holidays: new Set(years.flatMap((y) => y.holidays.map(dayOf))),
    workdays: new Set(years.flatMap((y) => y.workdays.map(dayOf))),
    provisionalYears: years.filter((y) => !y.published).map((y) => y.year),
  };
}

function isWorkingDay(day: number, calendar: WorkingDaysCalendar): boolean {
  if (calendar.workdays.has(day)) return true;
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return weekday !== 0 && weekday !== 6 && !calendar.holidays.has(day);
}

export function workingDaysLeft(now: Date, dueAt: Date, calendar: WorkingDaysCalendar): number {
  const a = beijingDay(now);
  const b = beijingDay(dueAt);
  const [from, to, sign] = b >= a ? [a, b, 1] : [b, a, -1];
  let count = 0;
  for (let day = from + 1; day <= to; day++) if (isWorkingDay(day, calendar)) count++;
  return sign * count;
}

/** Natural days from today to the due date (Beijing dates), for when the calendar cannot be read. */
export function naturalDaysLeft(now: Date, dueAt: Date): number {
  return beijingDay(dueAt) - beijingDay(now);
}
