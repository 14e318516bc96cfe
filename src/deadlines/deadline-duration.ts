import { dayNumber, isoDate, type IsoDate, type WorkingCalendar } from './working-calendar.js';

/**
 * Durations of workflow deadlines and the instant they fall due. Pure: the start instant
 * and the calendar come in, nothing reads the clock.
 *
 * THE RULE (docs/deadlines.md says the same)
 * - Dates are counted in Beijing time, Asia/Shanghai. China has kept UTC+8 without
 *   daylight saving since 1992, so the zone is implemented as a fixed +08:00 offset; no
 *   time-zone database is involved.
 * - The start date is the Beijing date of the start instant: an action at 23:30 Beijing
 *   time on a Friday (15:30 UTC) is dated that Friday.
 * - `Nwd` (working days): due at the end of the office day (17:30 Beijing time unless
 *   `officeDayEnd` says otherwise) of the N-th working day AFTER the start date. The start
 *   date never counts, whatever the hour and whether or not it is a working day: 16:00 on
 *   Monday + 1wd → Tuesday 17:30; Saturday + 1wd → Monday 17:30, or the next working day
 *   when Monday is a holiday; a make-up Saturday or Sunday (调休上班) is a working day.
 * - `Nd` (natural days) and ISO `PnD`: due at the end of the office day of the N-th
 *   calendar day after the start date; holidays do not matter.
 * - Hours and minutes (`12h`, ISO `PT12H`, `PT30M`, and any ISO duration with a time part,
 *   e.g. `P1DT2H` = 26 hours): exactly that much elapsed time after the start instant.
 * - A zero duration (`0wd`, `0d`, `PT0H`, …) is due at the start instant itself (an
 *   escalation rung `after: 0wd` fires at the due time).
 * - `provisional`: the working days counted reach into a year whose State Council schedule
 *   the calendar does not have (after its last published year): there only weekends were
 *   skipped, so the deadline must be recomputed when that year's schedule is added. Natural
 *   days, hours and minutes never use the holiday data and are never provisional.
 */

export type DurationUnit = 'workingDays' | 'days' | 'hours' | 'minutes';

export interface ParsedDuration {
  amount: number;
  unit: DurationUnit;
}

export interface ComputeDueAtOptions {
  /** End of the office day in Beijing time, `HH:MM`; default `17:30`. */
  officeDayEnd?: string;
  /** Only Asia/Shanghai is supported (a fixed +08:00 offset). */
  timeZone?: 'Asia/Shanghai';
}

export interface DueAt {
  dueAt: Date;
  /** Computed over days the calendar has no holiday data for: recompute when it has. */
  provisional: boolean;
}

/** A duration that is not one of the accepted forms. */
export class InvalidDurationError extends Error {
  constructor(
    readonly text: string,
    reason: string,
  ) {
    super(`invalid duration '${text}': ${reason}; a duration is e.g. 5wd (working days), 7d (natural days), 12h (hours), or ISO 8601 such as P7D, PT12H, P1DT2H, PT30M`);
    this.name = 'InvalidDurationError';
  }
}

export const DEFAULT_OFFICE_DAY_END = '17:30';
/** Beijing time, UTC+8 all year round. */
export const BEIJING_OFFSET_MINUTES = 8 * 60;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const OFFSET_MS = BEIJING_OFFSET_MINUTES * MS_PER_MINUTE;

/** The longest accepted durations, about ten years each: a typo must not become a loop over millennia. */
const MAX_AMOUNT: Record<DurationUnit, number> = {
  workingDays: 2_500,
  days: 3_660,
  hours: 3_660 * 24,
  minutes: 3_660 * 24 * 60,
};

const SHORT_FORM = /^(\d+)(wd|d|h)$/;
const ISO_FORM = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;
const SHORT_UNITS: Record<string, DurationUnit> = { wd: 'workingDays', d: 'days', h: 'hours' };

/**
 * `5wd` → 5 working days, `7d` → 7 days, `12h` → 12 hours; ISO 8601 `P7D` → 7 days,
 * `PT12H` → 12 hours, `PT30M` → 30 minutes, and a mixed one in the smallest unit it uses
 * (`P1DT2H` → 26 hours, `PT1H30M` → 90 minutes). Whole non-negative numbers only; ISO
 * years, months, weeks and seconds are refused, as the definition schema refuses them.
 */
export function parseDuration(text: string): ParsedDuration {
  if (typeof text !== 'string') throw new InvalidDurationError(String(text), 'not a string');
  if (text.length === 0) throw new InvalidDurationError(text, 'it is empty');
  if (text.length > 32) throw new InvalidDurationError(text.slice(0, 32) + '…', 'longer than 32 characters');

  const short = SHORT_FORM.exec(text);
  if (short) return checked(text, { amount: Number(short[1]), unit: SHORT_UNITS[short[2]!]! });

  const iso = ISO_FORM.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [days, hours, minutes] = [iso[1], iso[2], iso[3]];
    if (hours === undefined && minutes === undefined) return checked(text, { amount: Number(days), unit: 'days' });
    const totalHours = Number(days ?? 0) * 24 + Number(hours ?? 0);
    if (minutes === undefined) return checked(text, { amount: totalHours, unit: 'hours' });
    return checked(text, { amount: totalHours * 60 + Number(minutes), unit: 'minutes' });
  }

  throw new InvalidDurationError(text, whyRefused(text));
}

function checked(text: string, duration: ParsedDuration): ParsedDuration {
  if (!Number.isSafeInteger(duration.amount) || duration.amount > MAX_AMOUNT[duration.unit]) {
    throw new InvalidDurationError(text, `longer than ${MAX_AMOUNT[duration.unit]} ${duration.unit} (about ten years)`);
  }
  return duration;
}

function whyRefused(text: string): string {
  if (text === 'P') return "'P' alone has no amount";
  if (/^P.*T$/.test(text)) return "'T' must be followed by hours or minutes";
  if (/^\s|\s$/.test(text) || /\d\s+\S/.test(text)) return 'it must not contain spaces';
  if (/^-/.test(text)) return 'it must not be negative';
  if (/\d[.,]\d/.test(text)) return 'the amount must be a whole number';
  if (/^P/.test(text) && /[YW]|P[^T]*M|S$/.test(text)) return 'ISO years, months, weeks and seconds are not accepted; use days, hours and minutes';
  if (/^P/.test(text)) return 'ISO 8601 durations are written PnDTnHnM, in that order (e.g. P1DT2H)';
  if (/^\d+[A-Za-z]+$/.test(text)) return `'${text.replace(/^\d+/, '')}' is not a unit: use wd, d or h (lower case)`;
  return 'not a duration';
}

/** The Beijing date (`YYYY-MM-DD`) of an instant. */
export function beijingDate(instant: Date): IsoDate {
  return isoDate(beijingDayNumber(instant));
}

/** The instant of `HH:MM` Beijing time on a date. */
export function beijingTime(date: IsoDate, time: string): Date {
  return new Date(dayNumber(date) * MS_PER_DAY + minutesOfDay(time) * MS_PER_MINUTE - OFFSET_MS);
}

/**
 * When a deadline of `duration` started at `start` is due, following THE RULE in this
 * file's header.
 */
export function computeDueAt(start: Date, duration: string, calendar: WorkingCalendar, options: ComputeDueAtOptions = {}): DueAt {
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) throw new RangeError('computeDueAt: start is not a valid Date');
  const timeZone: string = options.timeZone ?? 'Asia/Shanghai';
  if (timeZone !== 'Asia/Shanghai') throw new RangeError(`computeDueAt: time zone '${timeZone}' is not supported; only Asia/Shanghai`);
  const officeDayEnd = minutesOfDay(options.officeDayEnd ?? DEFAULT_OFFICE_DAY_END);
  const { amount, unit } = parseDuration(duration);

  if (amount === 0) return { dueAt: new Date(start.getTime()), provisional: false };
  switch (unit) {
    case 'hours':
      return { dueAt: new Date(start.getTime() + amount * 60 * MS_PER_MINUTE), provisional: false };
    case 'minutes':
      return { dueAt: new Date(start.getTime() + amount * MS_PER_MINUTE), provisional: false };
    case 'days': {
      const dueDay = beijingDayNumber(start) + amount;
      return { dueAt: endOfOfficeDay(dueDay, officeDayEnd), provisional: false };
    }
    case 'workingDays': {
      const startDay = beijingDayNumber(start);
      const dueDay = calendar.addWorkingDaysToDay(startDay, amount);
      return { dueAt: endOfOfficeDay(dueDay, officeDayEnd), provisional: anyProvisionalYear(calendar, startDay + 1, dueDay) };
    }
  }
}

/**
 * Whole working days from today (the Beijing date of `now`) to the Beijing date of
 * `dueAt`: the working days after today up to and including the due date. 1 on the day
 * before a next-working-day deadline, 0 on the due date itself (whether or not its office
 * day has ended: compare `now` with `dueAt` for "overdue"), negative after it (-1 the next
 * working day).
 */
export function workingDaysLeft(now: Date, dueAt: Date, calendar: WorkingCalendar): number {
  return calendar.workingDaysBetweenDays(beijingDayNumber(now), beijingDayNumber(dueAt));
}

function beijingDayNumber(instant: Date): number {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('not a valid Date');
  return Math.floor((instant.getTime() + OFFSET_MS) / MS_PER_DAY);
}

function endOfOfficeDay(day: number, minutes: number): Date {
  return new Date(day * MS_PER_DAY + minutes * MS_PER_MINUTE - OFFSET_MS);
}

function minutesOfDay(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`'${time}' is not a time of day HH:MM`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function anyProvisionalYear(calendar: WorkingCalendar, fromDay: number, toDay: number): boolean {
  const first = new Date(fromDay * MS_PER_DAY).getUTCFullYear();
  const last = new Date(toDay * MS_PER_DAY).getUTCFullYear();
  for (let year = first; year <= last; year += 1) if (calendar.isProvisionalYear(year)) return true;
  return false;
}
