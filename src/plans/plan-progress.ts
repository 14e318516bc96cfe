import { BEIJING_OFFSET_MINUTES } from '../deadlines/deadline-duration.js';

/**
 * How a unit stands against its yearly target. Pure: the service counts, this judges.
 *
 * A plan year is a calendar year in Beijing time: from 1 January 00:00 (UTC+8) up to, not
 * including, 1 January 00:00 of the next year. A household counts for the year in which its
 * case entered the exited status (see PlansService).
 */
export function planYearBounds(year: number): { start: Date; end: Date } {
  const offset = BEIJING_OFFSET_MINUTES * 60_000;
  return { start: new Date(Date.UTC(year, 0, 1) - offset), end: new Date(Date.UTC(year + 1, 0, 1) - offset) };
}

/** How much of the plan year has passed at `now`: 0 before it starts, 1 from its end on. */
export function elapsedShare(year: number, now: Date): number {
  const { start, end } = planYearBounds(year);
  const share = (now.getTime() - start.getTime()) / (end.getTime() - start.getTime());
  return Math.min(1, Math.max(0, share));
}

export interface TargetStanding {
  /** Exited people as a percentage of the target, one decimal; null without a (positive) target. */
  percentage: number | null;
  /** People that should have exited by now if the target is spread evenly over the year. */
  expectedByNow: number | null;
  /**
   * Behind the plan: fewer people exited than the target times the share of the year gone
   * by — after the year's end, simply fewer than the target. Null without a target.
   */
  behind: boolean | null;
}

export function targetStanding(target: number | null, exitedPeople: number, share: number): TargetStanding {
  if (target === null) return { percentage: null, expectedByNow: null, behind: null };
  const expected = target * share;
  return {
    percentage: target > 0 ? Math.round((exitedPeople * 1000) / target) / 10 : null,
    // The smallest whole number of people that is not behind.
    expectedByNow: Math.max(0, Math.ceil(expected - 1e-9)),
    behind: exitedPeople < expected - 1e-9,
  };
}
