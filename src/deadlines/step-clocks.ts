import { activeSteps, type PersistedCaseSnapshot } from '../engine/case-transition.js';
import type { Effect } from '../engine/effects.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import { planDeadlines, remainingTime, withAmount } from './deadline-plan.js';
import type { WorkingCalendar } from './working-calendar.js';

/**
 * Step clocks (pure): the due time of every step visit, followed through a case's
 * transitions the way the deadline rows follow them — without a database. What-if
 * (src/definitions/what-if.service.ts) uses it for the timers a draft would have given.
 *
 * It applies the engine's deadline effects with the functions DeadlinesService uses for the
 * rows: `planDeadlines` when a clock starts or resumes, `remainingTime` when a return for
 * correction (补正) pauses it. And it keeps the rows' rules:
 * - a visit's clock starts at its entry (`startDeadline`) and ends when the step is left
 *   (`cancelDeadline`) or the case finishes (`caseFinished`);
 * - a return pauses the due timer only while it is pending — before its due time; one that
 *   has fired stays fired, so coming back starts the clock afresh;
 * - coming back (`startDeadline` with `resume`) resumes a paused clock with what was left,
 *   counted from the new entry.
 * The time spent away, returned for correction, is therefore not counted, as in the engine.
 */

/** The clock of a step's latest visit. */
export interface StepClock {
  entry: number;
  settings: DeadlineDefinition;
  /** When it started, or resumed after a return for correction. */
  startedAt: Date;
  /** When it resumed: what was left, in the unit of the duration; null for a clock that started afresh. */
  resumedWith: number | null;
  dueAt: Date;
  /** Paused by a return for correction: `remaining` is what it resumes with. */
  paused: { remaining: number } | null;
}

/** Every step's clock, by step key. */
export type StepClocks = ReadonlyMap<string, StepClock>;

/** The clocks after one transition taken at `at` with these effects. */
export function applyDeadlineEffects(clocks: StepClocks, effects: readonly Effect[], at: Date, calendar: WorkingCalendar): StepClocks {
  const next = new Map(clocks);
  for (const effect of effects) {
    if (effect.type === 'caseFinished') {
      next.clear();
    } else if (effect.type === 'startDeadline') {
      const before = next.get(effect.step);
      const remaining = effect.resume && before?.paused && before.entry === effect.pausedEntry ? before.paused.remaining : undefined;
      const startedAt = new Date(effect.startedAt);
      const [due] = planDeadlines(effect.deadline, startedAt, calendar, remaining);
      next.set(effect.step, { entry: effect.entry, settings: effect.deadline, startedAt, resumedWith: remaining ?? null, dueAt: due.dueAt, paused: null });
    } else if (effect.type === 'cancelDeadline') {
      const clock = next.get(effect.step);
      if (!clock || clock.entry !== effect.entry || clock.paused) continue;
      if (effect.pause && clock.dueAt > at) {
        next.set(effect.step, { ...clock, paused: { remaining: remainingTime(clock.settings, at, clock.dueAt, calendar) } });
      } else {
        next.delete(effect.step);
      }
    }
  }
  return next;
}

/** The clocks after a whole history of transitions, oldest first. */
export function followStepClocks(timeline: readonly { at: Date; effects: readonly Effect[] }[], calendar: WorkingCalendar): StepClocks {
  return timeline.reduce<StepClocks>((clocks, { at, effects }) => applyDeadlineEffects(clocks, effects, at, calendar), new Map());
}

/** A current step of a case past its due time. */
export interface OverdueStep {
  step: string;
  /** When the case entered this visit of the step. */
  enteredAt: string;
  /** The step's deadline (`settings.duration`). */
  duration: string;
  dueAt: string;
  /**
   * The clock did not run the whole duration from `enteredAt`: it resumed at `at` with
   * `remaining` left (a return for correction had paused it, or a migration carried the
   * time already spent over).
   */
  resumed?: { at: string; remaining: string };
}

/** The current step visits of a running case whose clock is past its due time at `now`. */
export function overdueSteps(compiled: CompiledWorkflow, snapshot: PersistedCaseSnapshot, clocks: StepClocks, now: Date): OverdueStep[] {
  if (snapshot.status !== 'active') return [];
  return activeSteps(compiled, snapshot).flatMap((step) => {
    const clock = clocks.get(step);
    if (!clock || clock.paused || clock.entry !== snapshot.context.entries[step] || clock.dueAt >= now) return [];
    return [overdueStep(step, snapshot.context.enteredAt[step], clock.settings, clock.dueAt, clock.resumedWith === null ? null : { at: clock.startedAt, remaining: clock.resumedWith })];
  });
}

/** An overdue step as the what-if report shows it, from a clock or from a deadline row. */
export function overdueStep(step: string, enteredAt: string, settings: DeadlineDefinition, dueAt: Date, resumed: { at: Date; remaining: number } | null): OverdueStep {
  return {
    step,
    enteredAt,
    duration: settings.duration,
    dueAt: dueAt.toISOString(),
    ...(resumed ? { resumed: { at: resumed.at.toISOString(), remaining: withAmount(settings.duration, resumed.remaining) } } : {}),
  };
}
