import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import type { DeadlineKind } from './deadline.entity.js';
import { beijingDate, beijingTime, computeDueAt, DEFAULT_OFFICE_DAY_END, parseDuration, workingDaysLeft, type DurationUnit } from './deadline-duration.js';
import { dayNumber, type WorkingCalendar } from './working-calendar.js';

/** One timer of a step visit, before it becomes a row. */
export interface PlannedDeadline {
  kind: DeadlineKind;
  rung: number;
  dueAt: Date;
  provisional: boolean;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/**
 * The timers of one step visit: the due time, the reminder before it, and the escalation
 * rungs after it (rung N fires `after` past the due time; `0wd` fires with it). A reminder
 * whose time has already passed when the clock starts is left out rather than fired late.
 *
 * `remaining` resumes a paused clock: the due time is that much (in the duration's unit)
 * from `start` instead of the full duration.
 */
export function planDeadlines(
  settings: DeadlineDefinition,
  start: Date,
  calendar: WorkingCalendar,
  remaining?: number,
): PlannedDeadline[] {
  const duration = remaining === undefined ? settings.duration : withAmount(settings.duration, remaining);
  const due = computeDueAt(start, duration, calendar);
  const planned: PlannedDeadline[] = [{ kind: 'due', rung: 0, dueAt: due.dueAt, provisional: due.provisional }];

  if (settings.reminderBefore) {
    const reminder = before(due.dueAt, settings.reminderBefore, calendar);
    if (reminder.dueAt > start) planned.push({ kind: 'reminder', rung: 0, ...reminder, provisional: due.provisional || reminder.provisional });
  }
  (settings.escalation ?? []).forEach((rung, index) => {
    const at = computeDueAt(due.dueAt, rung.after, calendar);
    planned.push({ kind: 'escalation', rung: index + 1, dueAt: at.dueAt, provisional: due.provisional || at.provisional });
  });
  return planned;
}

/**
 * How much of the step's time is left at `now`, in the unit of its duration, for a clock
 * that stops on a return for correction. Never negative: an overdue step comes back due.
 */
export function remainingTime(settings: DeadlineDefinition, now: Date, dueAt: Date, calendar: WorkingCalendar): number {
  const { unit } = parseDuration(settings.duration);
  switch (unit) {
    case 'workingDays':
      return Math.max(0, workingDaysLeft(now, dueAt, calendar));
    case 'days':
      return Math.max(0, Math.round((Date.parse(`${beijingDate(dueAt)}T00:00:00Z`) - Date.parse(`${beijingDate(now)}T00:00:00Z`)) / MS_PER_DAY));
    case 'hours':
      return Math.max(0, Math.ceil((dueAt.getTime() - now.getTime()) / (60 * MS_PER_MINUTE)));
    case 'minutes':
      return Math.max(0, Math.ceil((dueAt.getTime() - now.getTime()) / MS_PER_MINUTE));
  }
}

/** The same duration with another amount: `10wd` with 3 → `3wd`; ISO and hours keep their unit. */
export function withAmount(duration: string, amount: number): string {
  const { unit } = parseDuration(duration);
  return { workingDays: `${amount}wd`, days: `${amount}d`, hours: `${amount}h`, minutes: `PT${amount}M` }[unit];
}

/** `reminderBefore` back from the due time: working days to the end of that office day, the rest as elapsed time. */
function before(dueAt: Date, offset: string, calendar: WorkingCalendar): { dueAt: Date; provisional: boolean } {
  const { amount, unit } = parseDuration(offset);
  switch (unit) {
    case 'workingDays': {
      const date = calendar.addWorkingDays(beijingDate(dueAt), -amount);
      return { dueAt: beijingTime(date, DEFAULT_OFFICE_DAY_END), provisional: calendar.isProvisional(date) };
    }
    case 'days':
      return { dueAt: new Date(dueAt.getTime() - amount * MS_PER_DAY), provisional: false };
    case 'hours':
      return { dueAt: new Date(dueAt.getTime() - amount * 60 * MS_PER_MINUTE), provisional: false };
    case 'minutes':
      return { dueAt: new Date(dueAt.getTime() - amount * MS_PER_MINUTE), provisional: false };
  }
}

/** How a step visit's clock stood when its definition changed (src/engine/case-migration.ts). */
export interface ClockState {
  /** When the clock started: its due timer's `started_at` (a resume restarts it), or the visit's entry time when it had none. */
  startedAt: Date;
  /** The old settings; absent when the old step had no deadline. */
  before?: DeadlineDefinition;
  /** What was left, in the old unit, when a return for correction paused the clock (the due timer's `remaining`); null if never. */
  pausedRemaining: number | null;
  /** The timers of the visit that already fired: they stay fired and are not planned again. */
  fired: { kind: DeadlineKind; rung: number }[];
}

export interface Replanned {
  /** In the unit of the new duration. */
  unit: DurationUnit;
  spent: number;
  remaining: number;
  /** The new due time, whether or not its timer fired already (the task carries it). */
  dueAt: Date;
  /** The timers to create: every timer of the new settings except those that fired. */
  planned: PlannedDeadline[];
}

/**
 * A running step visit's timers under new deadline settings, the time already spent
 * carried over: spent = the time since the clock started, counted in the new duration's
 * unit (working days on the calendar, natural days, whole hours or minutes), plus what was
 * spent before a pause; remaining = new duration − spent, never below 0 (then it is due at
 * once). E.g. 3 working days spent of an old 10wd and a new 15wd: 12wd remain, from now.
 * Time spent before a pause was stored in the old unit; when the unit changes it converts at
 * one working day = one day = 24 hours. Timers that already fired (a reminder sent, an
 * escalation rung) stay fired and are not planned again.
 */
export function replanDeadlines(after: DeadlineDefinition, clock: ClockState, now: Date, calendar: WorkingCalendar): Replanned {
  const { amount, unit } = parseDuration(after.duration);
  const spent = elapsed(clock.startedAt, now, unit, calendar) + carried(clock.before, clock.pausedRemaining, unit);
  const remaining = Math.max(0, amount - spent);
  const all = planDeadlines(after, now, calendar, remaining);
  const planned = all.filter((p) => !clock.fired.some((f) => f.kind === p.kind && f.rung === p.rung));
  return { unit, spent, remaining, dueAt: all[0].dueAt, planned };
}

/**
 * A paused clock (补正) under new settings: what was spent before the pause carries over,
 * the rest is what the step resumes with when the case comes back.
 */
export function replanPausedRemaining(before: DeadlineDefinition | undefined, after: DeadlineDefinition, pausedRemaining: number | null): number {
  const { amount, unit } = parseDuration(after.duration);
  return Math.max(0, amount - carried(before, pausedRemaining, unit));
}

const MINUTES_PER_UNIT: Record<DurationUnit, number> = { workingDays: 1440, days: 1440, hours: 60, minutes: 1 };

/** Time spent before a pause, in `unit`: the old duration less what was left of it. */
function carried(before: DeadlineDefinition | undefined, pausedRemaining: number | null, unit: DurationUnit): number {
  if (!before || pausedRemaining === null) return 0;
  const old = parseDuration(before.duration);
  const spent = Math.max(0, old.amount - pausedRemaining);
  return old.unit === unit ? spent : Math.floor((spent * MINUTES_PER_UNIT[old.unit]) / MINUTES_PER_UNIT[unit]);
}

/** Whole units from `start` to `now`: working days after the start date up to today, days between the dates, whole hours or minutes. */
function elapsed(start: Date, now: Date, unit: DurationUnit, calendar: WorkingCalendar): number {
  if (now <= start) return 0;
  switch (unit) {
    case 'workingDays':
      return calendar.workingDaysBetween(beijingDate(start), beijingDate(now));
    case 'days':
      return dayNumber(beijingDate(now)) - dayNumber(beijingDate(start));
    case 'hours':
      return Math.floor((now.getTime() - start.getTime()) / (60 * MS_PER_MINUTE));
    case 'minutes':
      return Math.floor((now.getTime() - start.getTime()) / MS_PER_MINUTE);
  }
}
