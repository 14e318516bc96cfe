import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CasesService, type CaseView } from '../cases/cases.service.js';
import { beijingDate } from '../deadlines/deadline-duration.js';
import { DisastersService } from '../disasters/disasters.service.js';
import { HouseholdCasesService } from '../households/household-cases.service.js';
import { perCapitaIncome } from '../households/household-file.js';
import { HouseholdsService } from '../households/households.service.js';
import { requireDivisionName } from '../org/division-names.js';
import { RulesService } from '../rules/rules.service.js';
import { exitThreshold } from '../rules/yearly-rules.js';
import { COUNTY_APPROVAL } from './demo-payloads.js';
import { demoActors } from './seed-demo-cases.js';
import { COUNTY_ABBREVIATIONS, inParallel, townOfficerName } from './seed-demo-history.js';
import { demoHouseholdId } from './seed-demo-register.js';
import type { DemoWorld } from './seed-demo-world.js';

/**
 * Today's work in every step of every procedure, in every county: poverty-entry and
 * poverty-exit cases started from household files and driven to each of their steps
 * (public notices among them, objections under review and under investigation), a typhoon
 * recorded in two 台山 towns whose re-entry cases stand at each step, and the accountability
 * procedures at each of theirs. Everything goes through the services the routes use, with
 * the clock set to the day of each action: some cases started weeks ago, so they are overdue.
 */

/** The town officers' town kept out of it: ts-officer's inbox stays as the README and the e2e tests describe it. */
const QUIET_TOWN = '440781109';
/** The year whose figures today's exit proposals use: the register's last year. */
const EXIT_YEAR = 2018;
/** Days between two actions of a case. */
const GAP_DAYS = 2;
const DAY = 86_400_000;

interface ActionContext {
  /** When the action is taken. */
  at: Date;
  /** The file's figures for the first action (HouseholdCasesService.start's prefill). */
  prefill: Record<string, unknown>;
}

/** One action: who, what, the form; `step` for a parallel region's step, `child` for the case the call step started. */
interface TodayAction {
  user: string;
  action: string;
  data: Record<string, unknown> | ((context: ActionContext) => Record<string, unknown>);
  step?: string;
  child?: true;
}

interface TodayCase {
  /** Days before now of the last action (of the start when there is none). */
  lastAgo: number;
  /** Days between two actions (GAP_DAYS unless given). */
  gap?: number;
  /** `officer`: who `{officer}` in the actions is, when only the start tells (a disaster's re-entry). */
  start: () => Promise<{ case: CaseView; prefill?: Record<string, unknown>; officer?: string }>;
  actions: TodayAction[];
}

/** Something to do on a day (days before now), after everything of the days before it. */
interface DayEvent {
  ago: number;
  run: (at: Date) => Promise<void>;
}

const NAMES = ['甄柏林', '司徒婉仪', '关耀祖', '伍秀娟', '梁振邦', '黄美玲', '余炳坤', '谭桂芳', '邝家乐', '陈少红', '李汉文', '冯翠莲', '吴达明', '林丽珍', '何锦荣', '容嘉怡'];
const nameAt = (i: number) => NAMES[i % NAMES.length];

/** What each step's action of poverty-entry needs, in order (the step a case waits at is after its last action). */
function entryActions(officer: string, reviewer: string, county: string): TodayAction[] {
  return [
    // The income the officer established; the rest of the proposal is the file's.
    { user: officer, action: 'submit', data: ({ prefill }) => ({ ...prefill, perCapitaIncome: 3860, hasLabourAbility: true, dibao: false, consent: true }) },
    { user: officer, action: 'submit', data: { measures: ['industry', 'employment'], pairedUnit: `${requireDivisionName(county)}农业农村局`, responsiblePerson: '黄志强' } },
    { user: officer, action: 'record', data: ({ at }) => ({ meetingDate: beijingDate(at), attendance: 38, votesFor: 33, votesAgainst: 2, minutes: '村民代表会议同意纳入帮扶。' }) },
    { user: reviewer, action: 'approve', data: COUNTY_APPROVAL },
    { user: 'jm-approver', action: 'approve', data: {} },
    { user: officer, action: 'object', data: { objection: '该户有成员在外务工，收入未如实申报。', objector: '村民' } },
    { user: officer, action: 'investigate', data: { finding: '需入户调查并向务工单位核实收入。' } },
    { user: officer, action: 'report', child: true, data: { findings: '入户走访并电话核实，外出务工收入约每月二千元。', evidence: '走访记录、务工单位证明' } },
  ];
}
/** Where poverty-entry cases wait: [actions taken, days since the last]. Two weeks at 精准扶持 is overdue. */
const ENTRY_STAGES: readonly [number, number][] = [
  [0, 3], // propose
  [1, 16], // support, overdue
  [2, 5], // appraisal
  [3, 4], // countyReview (会签)
  [4, 3], // cityApproval
  [5, 2], // publicNotice: inside its seven days, on the public board
  [6, 1], // objectionReview
  [7, 1], // investigation → objection-investigation at investigate
  [8, 0], // investigation → objection-investigation at determination
];

function exitActions(officer: string, reviewer: string, plan: { paired_unit: string; responsible_person: string }): TodayAction[] {
  return [
    { user: officer, action: 'submit', data: ({ prefill }) => prefill },
    { user: officer, action: 'submit', data: { pairedUnit: plan.paired_unit, responsiblePerson: plan.responsible_person, followUpPlan: '脱贫不脱政策，结对帮扶不变，持续跟踪一年。' } },
    { user: officer, action: 'record', data: ({ at }) => ({ meetingDate: beijingDate(at), attendance: 40, votesFor: 35, votesAgainst: 2, minutes: '村民代表会议同意该户脱贫退出。' }) },
    { user: reviewer, action: 'approve', data: { opinion: '收入核实达标，两不愁三保障落实，同意退出。' } },
    { user: officer, action: 'object', data: { objection: '该户住房仍为危房，尚未改造。', objector: '邻居' } },
  ];
}
/** poverty-exit: propose, support (overdue), appraisal, countyReview, publicNotice, objectionReview. */
const EXIT_STAGES: readonly [number, number][] = [
  [0, 4],
  [1, 15],
  [2, 6],
  [3, 3],
  [4, 1],
  [5, 0],
];

/** The re-entry cases after the typhoon: [confirming departments' steps, later actions], days since the last. */
function reentryActions(officer: string, reviewer: string): TodayAction[] {
  const confirm = (step: string, opinion: string): TodayAction => ({ user: reviewer, action: 'confirm', step, data: { opinion } });
  return [
    confirm('agricultureConfirm', '农业部门核实：农田、鱼塘受损属实。'),
    confirm('meteorologyConfirm', '气象部门核实：当日台风红色预警。'),
    confirm('civilAffairsConfirm', '民政部门核实：房屋受损，已临时安置。'),
    confirm('landConfirm', '国土部门核实：宅基地山体滑坡隐患。'),
    { user: officer, action: 'submit', data: { perCapitaIncome: 4100, application: '受台风影响，家庭收入大幅下降，申请重新纳入帮扶。' } },
    { user: reviewer, action: 'approve', data: { opinion: '部门认定齐全，同意纳入。' } },
  ];
}
/** Re-entry: none confirmed yet, two of four, townApplication, countyReview, cityApproval. */
const REENTRY_STAGES: readonly [number, number][] = [
  [0, 9],
  [2, 6],
  [4, 5],
  [5, 3],
  [6, 1],
];
const TYPHOON_AGO = 10;

const INTERVIEW_ACTIONS: TodayAction[] = [
  { user: 'jm-supervisor', action: 'issue', data: ({ at }) => ({ noticeNo: '江扶督〔2026〕7号', addressees: '市委书记、市长', issuedDate: beijingDate(at) }) },
  { user: 'jm-supervisor', action: 'schedule', data: ({ at }) => ({ interviewDate: beijingDate(new Date(at.getTime() + 7 * DAY)), location: '市扶贫办第一会议室', attendees: '市扶贫办主任、被约谈单位党政主要负责人' }) },
  { user: 'jm-supervisor', action: 'record', data: ({ at }) => ({ heldDate: beijingDate(at), minutes: '指出识别工作逾期、帮扶措施落实不到位等问题，要求限期整改。' }) },
  { user: '{reviewer}', action: 'submit', data: ({ at }) => ({ plan: '逐户核查逾期案件，明确责任人，每周通报进度。', rectificationDeadline: beijingDate(new Date(at.getTime() + 60 * DAY)) }) },
  { user: '{reviewer}', action: 'report', data: { report: '逾期案件已全部办结，建立周调度制度。' } },
];
const RECTIFICATION_ACTIONS: TodayAction[] = [
  { user: '{reviewer}', action: 'submit', data: { plan: '成立整改专班，一月内完成帮扶措施落实情况排查。' } },
  { user: '{reviewer}', action: 'report', data: { report: '已完成排查，补齐帮扶措施。' } },
];

/** The towns of a county with households, 端芬 left out, sorted. */
function townsOf(world: DemoWorld, county: string): string[] {
  return world.towns.filter((t) => t.startsWith(county) && t !== QUIET_TOWN);
}

/**
 * Runs the day events oldest first, the clock set to each day (the same hour back from
 * now), the events of one day `concurrency` at a time: a case has at most one a day.
 */
async function runDays(clock: { set(at: Date | null): void }, events: readonly DayEvent[], concurrency: number): Promise<void> {
  const now = Date.now();
  const days = [...new Set(events.map((e) => e.ago))].sort((a, b) => b - a);
  for (const ago of days) {
    const at = new Date(now - ago * DAY);
    clock.set(at);
    await inParallel(
      events.filter((e) => e.ago === ago),
      concurrency,
      (e) => e.run(at),
    );
  }
  clock.set(null);
}

/** Seeds today's cases (see the file comment); returns how many cases it started or drove. */
export async function seedDemoToday(app: INestApplicationContext, clock: { set(at: Date | null): void }, world: DemoWorld, concurrency = 8): Promise<number> {
  const cases = app.get(CasesService);
  const householdCases = app.get(HouseholdCasesService);
  const householdsService = app.get(HouseholdsService);
  const dataSource = app.get(DataSource);
  const actor = demoActors(app);
  const rules2018 = await app.get(RulesService).get(EXIT_YEAR);
  const todays: TodayCase[] = [];
  const counties = Object.keys(COUNTY_ABBREVIATIONS).sort();

  const reviewerOf = (county: string) => `${COUNTY_ABBREVIATIONS[county]}-reviewer`;
  // poverty-entry: a new file (a family applying) in the county's first town, then each stage.
  for (const [c, county] of counties.entries()) {
    const town = townsOf(world, county)[0];
    const village = world.households.find((h) => h.townCode === town)!.villageCode;
    const officer = townOfficerName(town);
    const actions = entryActions(officer, reviewerOf(county), county);
    for (const [s, [taken, lastAgo]] of ENTRY_STAGES.entries()) {
      const headName = nameAt(c * ENTRY_STAGES.length + s);
      todays.push({
        lastAgo,
        actions: actions.slice(0, taken),
        start: async () => {
          const user = await actor(officer);
          const file = await householdsService.create(user, {
            villageCode: village,
            headName,
            address: `${requireDivisionName(town)}新村${10 + s}号`,
            rural: true,
            dibao: false,
            consent: true,
            members: [
              { name: headName, relation: '户主', age: 41 + s, labourAbility: true, disability: false },
              { name: `${headName.slice(0, -1)}嫂`, relation: '配偶', age: 39 + s, labourAbility: true, disability: false },
              { name: `${headName.slice(0, -1)}仔`, relation: '子女', age: 12, labourAbility: false, disability: false },
            ],
          } as Parameters<HouseholdsService['create']>[1]);
          const started = await householdCases.start(user, (file as { id: string }).id, { workflow: 'poverty-entry' });
          return { case: started.case, prefill: started.prefill?.data };
        },
      });
    }
  }

  // poverty-exit: the county's first registered files whose 2018 figures meet the exit
  // standard, proposed with those figures.
  const exiting = counties.flatMap((county) => {
    const towns = new Set(townsOf(world, county));
    return world.households
      .filter((h) => towns.has(h.townCode) && !world.exits.has(h.ref))
      .filter((h) => {
        const income = perCapitaIncome(h.incomes.filter((i) => i.year === EXIT_YEAR).map((i) => i.amount), h.members.length);
        return income !== null && income.perCapita >= exitThreshold(rules2018, h.rural);
      })
      .slice(0, EXIT_STAGES.length);
  });
  const plans = new Map<string, { paired_unit: string; responsible_person: string }>(
    (await dataSource.query(`SELECT id, paired_unit, responsible_person FROM households WHERE id = ANY($1::uuid[])`, [exiting.map((h) => demoHouseholdId(h.ref))])).map(
      (row: { id: string; paired_unit: string; responsible_person: string }) => [row.id, row],
    ),
  );
  for (const county of counties) {
    const ofCounty = exiting.filter((h) => h.countyCode === county);
    for (const [s, [taken, lastAgo]] of EXIT_STAGES.entries()) {
      const household = ofCounty[s];
      if (!household) throw new Error(`No household of ${county} meets the ${EXIT_YEAR} exit standard for today's exits`);
      const id = demoHouseholdId(household.ref);
      const officer = townOfficerName(household.townCode);
      todays.push({
        lastAgo,
        actions: exitActions(officer, reviewerOf(county), plans.get(id)!).slice(0, taken),
        start: async () => {
          const started = await householdCases.start(await actor(officer), id, { workflow: 'poverty-exit', year: EXIT_YEAR });
          return { case: started.case, prefill: started.prefill?.data };
        },
      });
    }
  }

  // disaster-reentry: a typhoon in the two 台山 towns with the fewest exited households (at
  // least one per stage between them); the county administrator records it, the re-entry
  // cases start for every exited household there, and some of them move on.
  const taishan = '440781';
  const exitedIn = (town: string) => world.households.filter((h) => h.townCode === town && world.exits.has(h.ref)).length;
  const struck = townsOf(world, taishan)
    .filter((t) => exitedIn(t) >= REENTRY_STAGES.length)
    .sort((a, b) => exitedIn(a) - exitedIn(b) || a.localeCompare(b))
    .slice(0, 2)
    .sort();
  let reentryIds: { caseId: string; villageCode: string }[] = [];
  const events: DayEvent[] = [
    {
      ago: TYPHOON_AGO + 1,
      run: async (at) => {
        const recorded = await app.get(DisastersService).record(
          await actor(`${COUNTY_ABBREVIATIONS[taishan]}-admin`),
          { type: 'typhoon', date: beijingDate(new Date(at.getTime() - DAY)), affectedTowns: struck, description: '强台风过境，房屋、农田、鱼塘受损。' },
          null,
        );
        reentryIds = recorded.reentries;
      },
    },
  ];
  for (const [s, [taken, lastAgo]] of REENTRY_STAGES.entries()) {
    todays.push({
      lastAgo,
      // A day apart: all of it after the typhoon was recorded.
      gap: 1,
      actions: reentryActions('{officer}', 'ts-reviewer').slice(0, taken),
      start: async () => {
        const { caseId, villageCode } = reentryIds[s];
        return { case: await cases.get(await actor('ts-reviewer'), caseId), officer: townOfficerName(villageCode.slice(0, 9)) };
      },
    });
  }

  // The accountability procedures at each of their steps, one county each (开平's own are in ACCOUNTABILITY_CASES).
  const accountable = counties.filter((c) => c !== '440783');
  const unitCase = (workflow: string, county: string, data: Record<string, unknown>, actions: TodayAction[], lastAgo: number) => {
    todays.push({
      lastAgo,
      actions: actions.map((a) => (a.user === '{reviewer}' ? { ...a, user: reviewerOf(county) } : a)),
      start: async () => ({ case: await cases.start(await actor('jm-supervisor'), { workflow, data: { unitCode: county, unitName: requireDivisionName(county), ...data }, jurisdiction: county }) }),
    });
  };
  for (let taken = 1; taken <= INTERVIEW_ACTIONS.length; taken++) {
    unitCase('accountability-interview', accountable[taken - 1], { reason: '扶贫对象识别逾期未办，经督办仍未整改。' }, INTERVIEW_ACTIONS.slice(0, taken), 2 + taken);
  }
  for (let taken = 1; taken <= RECTIFICATION_ACTIONS.length; taken++) {
    unitCase('rectification', accountable[taken], { problems: '帮扶措施落实不到位，工作进度滞后。', circularNo: '江扶督〔2026〕3号' }, RECTIFICATION_ACTIONS.slice(0, taken), 4 + taken);
  }

  for (const today of todays) {
    const gap = today.gap ?? GAP_DAYS;
    const startAgo = today.lastAgo + gap * today.actions.length;
    let view: CaseView;
    let child: CaseView | null = null;
    let prefill: Record<string, unknown> = {};
    let officer: string | undefined;
    events.push({
      ago: startAgo,
      run: async () => {
        ({ case: view, prefill = {}, officer } = await today.start());
      },
    });
    today.actions.forEach(({ user: named, action, data, step, child: onChild }, k) =>
      events.push({
        ago: startAgo - gap * (k + 1),
        run: async (at) => {
          const user = await actor(named === '{officer}' ? officer! : named);
          const target = onChild ? (child ??= await cases.get(user, view.children.at(-1)!.id)) : view;
          const input = typeof data === 'function' ? data({ at, prefill }) : data;
          const next = await cases.act(user, target.id, { action, step, data: input, expectedVersion: target.version });
          if (onChild) child = next;
          else view = next;
        },
      }),
    );
  }
  await runDays(clock, events, concurrency);
  return todays.length;
}
