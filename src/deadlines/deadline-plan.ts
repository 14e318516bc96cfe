import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import type { DeadlineKind } from './deadline.entity.js';
import { beijingDate, beijingTime, computeDueAt, DEFAULT_OFFICE_DAY_END, parseDuration, workingDaysLeft } from './deadline-duration.js';
import type { WorkingCalendar } from './working-calendar.js';

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
function withAmount(duration: string, amount: number): string {
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
