import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService, type CaseView } from '../cases/cases.service.js';
import { HouseholdCasesService } from '../households/household-cases.service.js';
import { demoActors } from './seed-demo-cases.js';

/** The clock the seed moves through history (SettableClock in the seed, ManualClock in tests). */
export interface HistoryClock {
  set(at: Date | string): void;
}

/** One planned exit: the household file and the year it exits in. */
export interface PlannedExit {
  householdId: string;
  year: number;
  countyCode: string;
  townCode: string;
}

/** The county abbreviations of the demo usernames (ts-reviewer, kp-reviewer …). */
export const COUNTY_ABBREVIATIONS: Readonly<Record<string, string>> = {
  '440703': 'pj', // 蓬江区
  '440704': 'jh', // 江海区
  '440705': 'xh', // 新会区
  '440781': 'ts', // 台山市
  '440783': 'kp', // 开平市
  '440784': 'hs', // 鹤山市
  '440785': 'ep', // 恩平市
};

/** `<county>-<last three digits of the town code>-officer`: the town's demo officer. */
export function townOfficerName(townCode: string): string {
  return `${COUNTY_ABBREVIATIONS[townCode.slice(0, 6)]}-${townCode.slice(6, 9)}-officer`;
}

/**
 * When each wave of a year's exits starts (Beijing time): the 2016 waves after the
 * registration (建档立卡, September–October 2016), later years spread over the year.
 */
const WAVES: Readonly<Record<number, readonly string[]>> = {
  2016: ['2016-10-24', '2016-11-01', '2016-11-09'],
  2017: ['2017-03-06', '2017-06-05', '2017-09-04'],
  2018: ['2018-03-05', '2018-06-04', '2018-09-03'],
};
/** Days after the wave's start of each action (the notice needs its 7 days before conclude). */
const PHASE_DAYS = [0, 2, 6, 9, 18] as const;

/** `work` on each item, up to `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Drives the planned exits through the real services, as the town officers and county
 * reviewers, with the clock set to historical dates: each year's exits in three waves; each
 * wave's cases move together step by step (start and exit proposal from the file, continuing
 * support, village appraisal, county verification, the notice concluded after its period),
 * up to `concurrency` cases at a time. The history chains, snapshots, tasks and the files'
 * status (the trigger on cases) are what real use writes.
 */
export async function driveHistoricalExits(app: INestApplicationContext, clock: HistoryClock, exits: readonly PlannedExit[], concurrency = 8): Promise<number> {
  const households = app.get(HouseholdCasesService);
  const cases = app.get(CasesService);
  const actor = demoActors(app);
  const plans = new Map<string, { paired_unit: string; responsible_person: string }>(
    (
      await app
        .get(DataSource)
        .query(`SELECT id, paired_unit, responsible_person FROM households WHERE id = ANY($1::uuid[])`, [exits.map((e) => e.householdId)])
    ).map((row: { id: string; paired_unit: string; responsible_person: string }) => [row.id, row]),
  );
  let driven = 0;
  for (const year of [...new Set(exits.map((e) => e.year))].sort()) {
    const ofYear = exits.filter((e) => e.year === year);
    const waves = WAVES[year];
    for (const [w, start] of waves.entries()) {
      const wave = ofYear.filter((_, i) => i % waves.length === w);
      const views = new Map<string, CaseView>();
      const at = (phase: number) => new Date(Date.parse(`${start}T10:00:00+08:00`) + PHASE_DAYS[phase] * 86_400_000);
      const phase = async (n: number, step: (exit: PlannedExit, officer: AuthUser) => Promise<CaseView>) => {
        clock.set(at(n));
        await inParallel(wave, concurrency, async (exit) => {
          views.set(exit.householdId, await step(exit, await actor(townOfficerName(exit.townCode))));
        });
      };
      const act = async (user: AuthUser, exit: PlannedExit, action: string, data: Record<string, unknown>) => {
        const view = views.get(exit.householdId)!;
        return cases.act(user, view.id, { action, data, expectedVersion: view.version });
      };
      await phase(0, async (exit, officer) => {
        const started = await households.start(officer, exit.householdId, { workflow: 'poverty-exit', year });
        // The file's figures for the proposal (the year's per-capita income and checklist).
        return cases.act(officer, started.case.id, { action: 'submit', data: started.prefill?.data ?? {}, expectedVersion: started.case.version });
      });
      await phase(1, (exit, officer) => {
        const plan = plans.get(exit.householdId)!;
        return act(officer, exit, 'submit', { pairedUnit: plan.paired_unit, responsiblePerson: plan.responsible_person, followUpPlan: '脱贫不脱政策，结对帮扶不变，持续跟踪一年。' });
      });
      await phase(2, (exit, officer) =>
        act(officer, exit, 'record', { meetingDate: at(2).toISOString().slice(0, 10), attendance: 40, votesFor: 35, votesAgainst: 2, minutes: '村民代表会议同意该户脱贫退出。' }),
      );
      await phase(3, async (exit) => act(await actor(`${COUNTY_ABBREVIATIONS[exit.countyCode]}-reviewer`), exit, 'approve', { opinion: '收入核实达标，两不愁三保障落实，同意退出。' }));
      await phase(4, (exit, officer) => act(officer, exit, 'conclude', {}));
      driven += wave.length;
    }
  }
  return driven;
}
