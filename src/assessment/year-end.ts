import { isWithin, levelOf } from '../engine/jurisdiction-code.js';
import { chinaYear } from '../rules/yearly-rules.js';

/**
 * The year-end assessment's decisions (pure): which year a scheduled run assesses, whether
 * a year may be assessed yet, a county's verdict against its plan, and what of a run a
 * user sees.
 */

/**
 * The scheduler fires in early January (Beijing time) and assesses the year just ended: by
 * then the year's exits are final and its income records complete.
 */
export function yearToAssess(now: Date): number {
  return chinaYear(now) - 1;
}

/** A year is assessed once it has ended in Beijing time: before that its result is not final. */
export function yearIsOver(year: number, now: Date): boolean {
  return year < chinaYear(now);
}

export interface CountyVerdict {
  /** target + people re-entered into this year's plan; null without a target. */
  planned: number | null;
  /** Exited fewer people than planned; null without a target (nothing to miss). */
  missed: boolean | null;
  /** planned − exited, at least 0; null without a target. */
  shortfall: number | null;
}

export function countyVerdict(target: number | null, reenteredPeople: number, exitedPeople: number): CountyVerdict {
  if (target === null) return { planned: null, missed: null, shortfall: null };
  const planned = target + reenteredPeople;
  return { planned, missed: exitedPeople < planned, shortfall: Math.max(0, planned - exitedPeople) };
}

/** The reason written on the accountability interview a missed target opens. */
export function interviewReason(year: number, countyName: string, target: number, reenteredPeople: number, exitedPeople: number): string {
  const planned = target + reenteredPeople;
  const reentered = reenteredPeople > 0 ? `，含因灾返贫纳入${reenteredPeople}人` : '';
  return `${countyName}未完成${year}年度减贫任务：计划脱贫${planned}人（年度目标${target}人${reentered}），实际脱贫${exitedPeople}人，差${planned - exitedPeople}人。依据“对未完成年度减贫任务的市(区)要对党政主要领导进行约谈”，约谈其党政主要领导。`;
}

/** A run's error when counties failed: it names them. */
export function countiesFailedError(codes: readonly string[]): string | null {
  return codes.length > 0 ? `${codes.length} county(ies) failed: ${codes.join(', ')}` : null;
}

/** A run as stored: its error, and per county what it did (`result.counties`; null before it finished). */
export interface StoredRun {
  error: string | null;
  counties: readonly { code: string; outcome: string }[] | null;
}

/**
 * A run as a user bound to `jurisdiction` sees it, scoped like every list (the subtree, as
 * src/cases/case-access.ts): the outcomes of the counties inside their subtree — a city user
 * all seven, a county's user their own, a town's none. A finished run's error only names
 * failed counties (run()), so it is named again from the visible ones; an error of the whole
 * run (no rules for the year, the queue down: no per-county result) is everyone's.
 */
export function runSeenFrom<T extends StoredRun>(run: T, jurisdiction: string): T {
  if (levelOf(jurisdiction) === 'city' || run.counties === null) return run;
  const counties = run.counties.filter((c) => isWithin(c.code, jurisdiction));
  return { ...run, counties, error: countiesFailedError(counties.filter((c) => c.outcome === 'failed').map((c) => c.code)) };
}
