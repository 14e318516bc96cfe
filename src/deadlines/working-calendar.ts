import { createRequire } from 'node:module';

/**
 * China's statutory working-day calendar (法定节假日 and 调休), as pure data: no database,
 * no Nest, no clock.
 *
 * A day is a working day when it is
 * - a make-up working day (调休上班: a Saturday or Sunday declared a working day), or
 * - Monday to Friday and not a statutory holiday (放假日).
 *
 * The data comes per year from the State Council's annual notice (国务院办公厅关于某年部分
 * 节假日安排的通知), which is published in the autumn of the year before. The package
 * `chinese-days` ships the notices from 2004 on (`WorkingCalendar.fromChineseDays()`);
 * an administrator adds a year the package does not know yet with `withOverrides(...)`.
 *
 * A year is *published* when the data holds at least one holiday in it (every notice has
 * New Year's Day), or when it is named in `publishedYears`. Dates after the last published
 * year — and in a gap between published years — are *provisional*: only weekends are known
 * there, so anything computed on them must be recomputed once that year's notice is in.
 * Years before the first published year are not provisional (no notice will ever come for
 * them); they are weekends only.
 *
 * Dates are plain calendar dates `YYYY-MM-DD` (no time, no zone); deadline-duration.ts
 * turns instants into Beijing dates. Internally a date is its day number since 1970-01-01,
 * so stepping through days costs two set look-ups and no string work.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** One year of a State Council notice. */
export interface WorkingCalendarYear {
  year: number;
  /** Every day off of the year's holiday periods (放假日), weekend days inside them included. */
  holidays: readonly IsoDate[];
  /** Weekend days that are working days (调休上班). */
  makeUpWorkdays: readonly IsoDate[];
}

/**
 * An administrator's correction or addition: `holiday` makes the date a day off,
 * `workday` makes it a working day (a make-up day on a weekend, or the removal of a
 * holiday on a weekday).
 */
export interface CalendarOverride {
  date: IsoDate;
  kind: 'holiday' | 'workday';
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number (days since 1970-01-01) of `YYYY-MM-DD`; throws on anything else. */
export function dayNumber(date: IsoDate): number {
  const match = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const time = Date.UTC(year, month - 1, day);
    const check = new Date(time);
    // Date.UTC maps years 0–99 to 1900–1999; such dates fail the year check and are refused.
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      return time / MS_PER_DAY;
    }
  }
  throw new RangeError(`'${String(date)}' is not a calendar date YYYY-MM-DD`);
}

/** `YYYY-MM-DD` of a day number. */
export function isoDate(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const d = weekday(day);
  return d === 0 || d === 6;
}

function yearOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** The shape of `chinese-days/dist/chinese-days.json`: date → "English name,中文名,days". */
interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays: Record<string, string>;
}

export class WorkingCalendar {
  /** Day numbers of statutory holidays. */
  private readonly holidays: ReadonlySet<number>;
  /** Day numbers of make-up working days. */
  private readonly workdays: ReadonlySet<number>;
  private readonly published: ReadonlySet<number>;
  private readonly firstPublishedYear: number | null;
  /** The latest year for which the calendar knows the State Council's schedule; null when it knows none. */
  readonly lastPublishedYear: number | null;

  private constructor(holidays: Set<number>, workdays: Set<number>, published: Set<number>) {
    this.holidays = holidays;
    this.workdays = workdays;
    this.published = published;
    const years = [...published];
    this.firstPublishedYear = years.length > 0 ? Math.min(...years) : null;
    this.lastPublishedYear = years.length > 0 ? Math.max(...years) : null;
  }

  /**
   * A calendar from per-year data. Every date must lie in its year, make-up working days
   * must be Saturdays or Sundays, and no date may be both a holiday and a working day.
   */
  static fromYearData(years: Iterable<WorkingCalendarYear>): WorkingCalendar {
    const holidays = new Set<number>();
    const workdays = new Set<number>();
    const published = new Set<number>();
    for (const entry of years) {
      const where = `calendar data for ${entry.year}`;
      for (const date of entry.holidays) {
        const day = dayNumber(date);
        if (yearOf(day) !== entry.year) throw new RangeError(`${where}: holiday ${date} is not in ${entry.year}`);
        holidays.add(day);
      }
      for (const date of entry.makeUpWorkdays) {
        const day = dayNumber(date);
        if (yearOf(day) !== entry.year) throw new RangeError(`${where}: make-up working day ${date} is not in ${entry.year}`);
        if (!isWeekend(day)) throw new RangeError(`${where}: make-up working day ${date} is not a Saturday or Sunday`);
        if (holidays.has(day)) throw new RangeError(`${where}: ${date} is both a holiday and a make-up working day`);
        workdays.add(day);
      }
      if (entry.holidays.length > 0) published.add(entry.year);
    }
    return new WorkingCalendar(holidays, workdays, published);
  }

  /**
   * The calendar shipped by the `chinese-days` package (its `dist/chinese-days.json`:
   * `holidays` and `workdays` maps keyed by date; `inLieuDays`, the weekdays off that are
   * paid back by make-up days, is a subset of `holidays` and not needed here).
   */
  static fromChineseDays(): WorkingCalendar {
    const require = createRequire(import.meta.url);
    const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
    if (!data || typeof data.holidays !== 'object' || typeof data.workdays !== 'object') {
      throw new Error("chinese-days/dist/chinese-days.json has no 'holidays' and 'workdays' maps: the package's data format changed");
    }
    const byYear = new Map<number, { holidays: string[]; makeUpWorkdays: string[] }>();
    const yearEntry = (date: string) => {
      const year = Number(date.slice(0, 4));
      let entry = byYear.get(year);
      if (!entry) byYear.set(year, (entry = { holidays: [], makeUpWorkdays: [] }));
      return entry;
    };
    for (const date of Object.keys(data.holidays)) yearEntry(date).holidays.push(date);
    for (const date of Object.keys(data.workdays)) yearEntry(date).makeUpWorkdays.push(date);
    return WorkingCalendar.fromYearData([...byYear].map(([year, entry]) => ({ year, ...entry })));
  }

  /**
   * A new calendar with the overrides applied in order (a later override of the same date
   * wins). The years of holiday overrides and the years in `publishedYears` become
   * published. This calendar is left unchanged.
   */
  withOverrides(overrides: readonly CalendarOverride[], publishedYears: readonly number[] = []): WorkingCalendar {
    const holidays = new Set(this.holidays);
    const workdays = new Set(this.workdays);
    for (const { date, kind } of overrides) {
      const day = dayNumber(date);
      if (kind === 'holiday') {
        holidays.add(day);
        workdays.delete(day);
      } else if (kind === 'workday') {
        holidays.delete(day);
        if (isWeekend(day)) workdays.add(day);
      } else {
        throw new RangeError(`calendar override for ${date}: kind must be 'holiday' or 'workday', not '${String(kind)}'`);
      }
    }
    const published = new Set(this.published);
    for (const year of publishedYears) {
      if (!Number.isInteger(year)) throw new RangeError(`published year ${year} is not a whole number`);
      published.add(year);
    }
    for (const day of holidays) published.add(yearOf(day));
    return new WorkingCalendar(holidays, workdays, published);
  }

  /** Monday–Friday and not a statutory holiday, or a make-up working day. */
  isWorkingDay(date: IsoDate): boolean {
    return this.isWorkingDayNumber(dayNumber(date));
  }

  /** A statutory day off (weekend days inside a holiday period included). */
  isHoliday(date: IsoDate): boolean {
    return this.holidays.has(dayNumber(date));
  }

  /** A Saturday or Sunday that is a working day (调休上班). */
  isMakeUpWorkday(date: IsoDate): boolean {
    return this.workdays.has(dayNumber(date));
  }

  /** The date lies after the last published year (or in a year missing between published ones): only weekends are known there. */
  isProvisional(date: IsoDate): boolean {
    return this.isProvisionalYear(yearOf(dayNumber(date)));
  }

  /** See `isProvisional`. */
  isProvisionalYear(year: number): boolean {
    if (this.firstPublishedYear === null) return true;
    return year >= this.firstPublishedYear && !this.published.has(year);
  }

  /** The published years, ascending. */
  publishedYears(): number[] {
    return [...this.published].sort((a, b) => a - b);
  }

  /** The statutory holidays of a year, ascending. */
  holidaysIn(year: number): IsoDate[] {
    return this.datesIn(this.holidays, year);
  }

  /** The make-up working days of a year, ascending. */
  makeUpWorkdaysIn(year: number): IsoDate[] {
    return this.datesIn(this.workdays, year);
  }

  /**
   * The n-th working day after `startDate`; `startDate` itself never counts. `n = 0` gives
   * `startDate`; a negative n counts back (the |n|-th working day before `startDate`).
   * O(calendar days walked), two set look-ups a day.
   */
  addWorkingDays(startDate: IsoDate, n: number): IsoDate {
    return isoDate(this.addWorkingDaysToDay(dayNumber(startDate), n));
  }

  /**
   * The number of working days d with a < d ≤ b, negative (the working days in (b, a])
   * when b is before a. `workingDaysBetween(a, addWorkingDays(a, n)) === n` for n ≥ 0.
   */
  workingDaysBetween(a: IsoDate, b: IsoDate): number {
    return this.workingDaysBetweenDays(dayNumber(a), dayNumber(b));
  }

  /** @internal day-number form of addWorkingDays, for deadline-duration.ts. */
  addWorkingDaysToDay(start: number, n: number): number {
    if (!Number.isSafeInteger(n)) throw new RangeError(`working days must be a whole number, not ${n}`);
    const step = n < 0 ? -1 : 1;
    let day = start;
    for (let left = Math.abs(n); left > 0; ) {
      day += step;
      if (this.isWorkingDayNumber(day)) left -= 1;
    }
    return day;
  }

  /** @internal day-number form of workingDaysBetween. */
  workingDaysBetweenDays(a: number, b: number): number {
    if (b < a) return -this.workingDaysBetweenDays(b, a);
    let count = 0;
    for (let day = a + 1; day <= b; day += 1) if (this.isWorkingDayNumber(day)) count += 1;
    return count;
  }

  /** @internal */
  isWorkingDayNumber(day: number): boolean {
    if (this.workdays.has(day)) return true;
    return !isWeekend(day) && !this.holidays.has(day);
  }

  private datesIn(days: ReadonlySet<number>, year: number): IsoDate[] {
    return [...days]
      .filter((day) => yearOf(day) === year)
      .sort((a, b) => a - b)
      .map(isoDate);
  }
}
