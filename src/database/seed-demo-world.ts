import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { loadJiangmenTree } from '../org/jurisdiction-loader.js';
import { RulesService } from '../rules/rules.service.js';
import { entryLine, exitThreshold } from '../rules/yearly-rules.js';
import { exitIncomes, planExits, type PlanTarget } from './demo-history.js';
import { countyBaselines, demoHouseholds, demoPlaces, type DemoHousehold } from './demo-households.js';
import { ACCOUNTABILITY_CASES, DEMO_CASES, overdueCases, startDemoCases } from './seed-demo-cases.js';
import { seedDemoToday } from './seed-demo-today.js';
import { driveHistoricalExits, townOfficerName, type PlannedExit } from './seed-demo-history.js';
import { demoHouseholdId, importDemoRegister, type RegisterCounts } from './seed-demo-register.js';
import { regionUsers, seedDemoUsers } from './seed-demo.js';

/** The register's seed: the same number, the same Jiangmen. */
export const DEMO_SEED = 2016;
/** The years whose exits are driven through the cases, and the county that falls behind. */
export const DEMO_EXIT_YEARS = [2016, 2017] as const;
export const DEMO_BEHIND = { countyCode: '440783', year: 2017, share: 0.8 } as const;

export interface DemoWorld {
  households: DemoHousehold[];
  /** ref → exit year. */
  exits: Map<string, number>;
  towns: string[];
}

/** The demo register and its exits, computed (pure apart from reading the rules and targets). */
export async function demoWorld(app: INestApplicationContext): Promise<DemoWorld> {
  const rules = app.get(RulesService);
  const dataSource = app.get(DataSource);
  const rulesOf = new Map<number, Awaited<ReturnType<RulesService['get']>>>();
  for (const year of [2016, 2017, 2018]) rulesOf.set(year, await rules.get(year));
  const generated = demoHouseholds({
    seed: DEMO_SEED,
    baselines: countyBaselines(),
    places: demoPlaces(await loadJiangmenTree()),
    // 建档立卡 at the end of 2015 was judged by the lines the 2016 rules keep.
    povertyLine: (county, rural) => entryLine(rulesOf.get(2016)!, rural, county),
    lastYear: 2018,
  });
  const targets: PlanTarget[] = (await dataSource.query(`SELECT year, county_code AS "countyCode", target_people AS "targetPeople" FROM plan_targets`)).map(
    (t: PlanTarget) => ({ ...t, year: Number(t.year), targetPeople: Number(t.targetPeople) }),
  );
  const exits = planExits(generated, { targets, years: DEMO_EXIT_YEARS, behind: DEMO_BEHIND });
  const households = generated.map((h) => {
    const year = exits.get(h.ref);
    return year === undefined ? h : { ...h, incomes: exitIncomes(h, year, (y) => exitThreshold(rulesOf.get(y) ?? rulesOf.get(2018)!, h.rural)) };
  });
  return { households, exits, towns: [...new Set(households.map((h) => h.townCode))].sort() };
}

export interface DemoSeedReport {
  register: RegisterCounts;
  users: number;
  historicalExits: number;
  currentCases: number;
  /** Milliseconds of each part. */
  timings: Record<string, number>;
}

export interface SeedClock {
  /** A historical time, or null for the real time again. */
  set(at: Date | string | null): void;
}

/**
 * The whole demo: users, the register (bulk, one transaction), 2016–2017 exits through the
 * cases with the clock in the past, then today's cases. Null when the register is already
 * there (seeding twice changes nothing; the register's ids derive from its refs).
 */
export async function seedDemo(app: INestApplicationContext, clock: SeedClock, concurrency = 8): Promise<DemoSeedReport | null> {
  const dataSource = app.get(DataSource);
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
  };
  const world = await demoWorld(app);
  const ids = world.households.map((h) => demoHouseholdId(h.ref));
  const [{ present }] = await dataSource.query(`SELECT count(*)::int AS present FROM households WHERE id = ANY($1::uuid[])`, [ids]);
  if (present === ids.length) return null;
  if (present > 0) throw new Error(`The database holds ${present} of the ${ids.length} demo households: seed a fresh database`);
  // A database seeded before the register existed already has today's demo cases.
  const [{ cases }] = await dataSource.query(`SELECT count(*)::int AS cases FROM cases`);
  lap('generate');
  const users = regionUsers(world.towns);
  await seedDemoUsers(dataSource, users);
  lap('users');
  const names = new Map<string, string>(
    (await dataSource.query(`SELECT code, name FROM jurisdictions WHERE level = 'county'`)).map((r: { code: string; name: string }) => [r.code, r.name]),
  );
  const register = await dataSource.transaction((manager) => importDemoRegister(manager, world.households, app.get(ResidentIdCipher), names));
  lap('register');
  const planned: PlannedExit[] = world.households.flatMap((h) => {
    const year = world.exits.get(h.ref);
    return year === undefined ? [] : [{ householdId: demoHouseholdId(h.ref), year, countyCode: h.countyCode, townCode: h.townCode }];
  });
  let historicalExits: number;
  try {
    historicalExits = await driveHistoricalExits(app, clock, planned, concurrency);
    lap('history');
    // Overdue: proposals started six weeks ago in one town of each county, never submitted.
    clock.set(new Date(Date.now() - 42 * 86_400_000));
    const overdueTowns = [...new Map(world.towns.map((t) => [t.slice(0, 6), t])).values()];
    const overdue = await startDemoCases(app, overdueCases(overdueTowns.map(townOfficerName)));
    clock.set(new Date(Date.now() - 3 * 86_400_000));
    const accountability = await startDemoCases(app, ACCOUNTABILITY_CASES);
    clock.set(null);
    const current = cases > 0 ? 0 : await startDemoCases(app, DEMO_CASES);
    lap('current');
    const today = await seedDemoToday(app, clock, world, concurrency);
    lap('today');
    return { register, users: users.length, historicalExits, currentCases: overdue + accountability + current + today, timings };
  } finally {
    clock.set(null);
  }
}
