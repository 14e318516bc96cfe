/**
 * The demo's 2016–2018: which households of the register (src/database/demo-households.ts)
 * exit in which year, and the incomes that carry them over the exit standard. Pure and
 * deterministic, like the register: the seed drives these exits through the real services.
 */

import type { DemoHousehold, DemoIncome } from './demo-households.js';
import { seededRandom } from './demo-households.js';

export interface PlanTarget {
  year: number;
  countyCode: string;
  targetPeople: number;
}

export interface ExitPlanOptions {
  targets: readonly PlanTarget[];
  /** The years whose exits are driven, in order. */
  years: readonly number[];
  /** The county that misses its target in a year: it exits only this share of the target. */
  behind: { countyCode: string; year: number; share: number };
}

/**
 * The exit year of each household that exits (ref → year). Per county and year, households
 * are taken largest first (ties by ref) until the people exited reach the county's target —
 * the behind county stops short of its share. Largest first keeps the number of cases, and
 * so the seed's time, down: the plan counts people, and a household is one case.
 */
export function planExits(households: readonly DemoHousehold[], options: ExitPlanOptions): Map<string, number> {
  const plan = new Map<string, number>();
  const counties = [...new Set(households.map((h) => h.countyCode))];
  for (const county of counties) {
    const remaining = households
      .filter((h) => h.countyCode === county)
      .sort((a, b) => b.members.length - a.members.length || (a.ref < b.ref ? -1 : 1));
    let next = 0;
    for (const year of options.years) {
      const target = options.targets.find((t) => t.year === year && t.countyCode === county)?.targetPeople ?? 0;
      const isBehind = options.behind.countyCode === county && options.behind.year === year;
      const goal = isBehind ? Math.floor(target * options.behind.share) : target;
      let people = 0;
      while (people < goal && next < remaining.length) {
        const household = remaining[next];
        // The behind county must stay below its target: skip a household that would reach it.
        if (isBehind && people + household.members.length >= target) break;
        plan.set(household.ref, year);
        people += household.members.length;
        next += 1;
      }
    }
  }
  return plan;
}

/** A stable number from a ref, to seed the per-household random stream. */
function refSeed(ref: string): number {
  let hash = 2166136261;
  for (const char of ref) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return hash >>> 0;
}

/**
 * The household's incomes with the exit year and every later year raised, where needed, to
 * 3–20 % above the exit threshold of that year (support worked): the year's total becomes
 * threshold × factor × members, split over the sources in the proportions the year had.
 * Earlier years (the 2015 baseline below the poverty line among them) are left as they are.
 */
export function exitIncomes(household: Pick<DemoHousehold, 'ref' | 'members' | 'incomes'>, exitYear: number, threshold: (year: number) => number): DemoIncome[] {
  const random = seededRandom(refSeed(household.ref));
  const size = household.members.length;
  const years = [...new Set(household.incomes.map((i) => i.year))].sort();
  const result: DemoIncome[] = [];
  for (const year of years) {
    const rows = household.incomes.filter((i) => i.year === year);
    const total = rows.reduce((sum, i) => sum + i.amount, 0);
    const wanted = Math.ceil(threshold(year) * (1.03 + random() * 0.17)) * size;
    if (year < exitYear || total >= wanted || total <= 0) {
      result.push(...rows);
      continue;
    }
    // Scale every source but property, then let property take the rounding so the total is exact.
    const scaled = rows.filter((i) => i.source !== 'property').map((i) => ({ ...i, amount: Math.round((i.amount * wanted) / total) }));
    const property = wanted - scaled.reduce((sum, i) => sum + i.amount, 0);
    result.push(...scaled);
    if (property !== 0) result.push({ year, source: 'property', amount: property });
  }
  return result;
}
