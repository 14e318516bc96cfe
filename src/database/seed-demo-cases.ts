import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toAuthUser, type AuthUser } from '../auth/auth-user.js';
import { CasesService, type CaseView } from '../cases/cases.service.js';
import { UsersService } from '../org/users.service.js';
import {
  COUNTY_APPROVAL,
  DEMO_RESIDENT_IDS,
  ELIGIBLE_PROPOSAL,
  PASSING_APPRAISAL,
  SUPPORT_PLAN,
} from './demo-payloads.js';

/** One demo case: who starts it, and the actions taken so far (user, action, form). */
export interface DemoCase {
  workflow: string;
  starter: string;
  /** Where the case is bound when not the starter's own node (a city supervisor's case about a county). */
  jurisdiction?: string;
  data: Record<string, unknown>;
  steps: [user: string, action: string, data: Record<string, unknown>, step?: string][];
}

const household = (householdName: string, rural = true, memberCount = 3) => ({ householdName, rural, memberCount });
const EXIT_PROPOSAL = { perCapitaIncome: 7600, foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };
const EXIT_SUPPORT = { pairedUnit: '台山市人力资源和社会保障局', responsiblePerson: '伍家豪' };
const DISASTER = { disasterType: 'typhoon', disasterDate: '2026-09-14', lossDescription: '台风致房屋受损、鱼塘损毁。' };

const entryUpTo = (count: number): DemoCase['steps'] =>
  (
    [
      ['ts-officer', 'submit', ELIGIBLE_PROPOSAL],
      ['ts-officer', 'submit', SUPPORT_PLAN],
      ['ts-officer', 'record', PASSING_APPRAISAL],
      ['ts-reviewer', 'approve', COUNTY_APPROVAL],
      ['jm-approver', 'approve', {}],
    ] as DemoCase['steps']
  ).slice(0, count);

/** A few cases in different steps of every procedure, so a new user sees work waiting. */
export const DEMO_CASES: DemoCase[] = [
  // The householder's resident ID is stored sealed and shown masked; `admin` may reveal it.
  { workflow: 'poverty-entry', starter: 'ts-officer', data: { ...household('陈大明', true, 4), householderId: DEMO_RESIDENT_IDS.householder }, steps: entryUpTo(0) },
  { workflow: 'poverty-entry', starter: 'ts-officer', data: household('李秀兰', true, 2), steps: entryUpTo(1) },
  { workflow: 'poverty-entry', starter: 'ts-officer', data: household('黄志强', true, 5), steps: entryUpTo(2) },
  { workflow: 'poverty-entry', starter: 'ts-officer', data: household('伍国华', true, 3), steps: entryUpTo(3) },
  { workflow: 'poverty-entry', starter: 'ts-officer', data: household('甄玉梅', false, 2), steps: entryUpTo(4) },
  { workflow: 'poverty-entry', starter: 'ts-officer', data: household('邝永康', true, 6), steps: entryUpTo(5) },
  { workflow: 'poverty-entry', starter: 'kp-officer', data: household('关少芬', true, 3), steps: [['kp-officer', 'submit', ELIGIBLE_PROPOSAL]] },
  // An objection during the notice under investigation: the case waits at its call step, and
  // the objection-investigation case it started waits in the town officer's inbox.
  {
    workflow: 'poverty-entry',
    starter: 'ts-officer',
    data: household('余锦辉', true, 4),
    steps: [
      ...entryUpTo(5),
      ['ts-officer', 'object', { objection: '该户家庭成员在外务工收入未申报', objector: '村民' }],
      ['ts-officer', 'investigate', { finding: '需入户调查并核实务工收入' }],
    ],
  },
  {
    workflow: 'poverty-exit',
    starter: 'ts-officer',
    data: household('梅子健', true, 4),
    steps: [
      ['ts-officer', 'submit', EXIT_PROPOSAL],
      ['ts-officer', 'submit', EXIT_SUPPORT],
      ['ts-officer', 'record', PASSING_APPRAISAL],
    ],
  },
  {
    workflow: 'disaster-reentry',
    starter: 'ts-officer',
    data: { householdName: '谭阿婆', ...DISASTER },
    steps: [
      ['ts-reviewer', 'confirm', { opinion: '农业部门核实：鱼塘损毁属实' }, 'agricultureConfirm'],
      ['ts-reviewer', 'confirm', { opinion: '气象部门核实：当日台风红色预警' }, 'meteorologyConfirm'],
    ],
  },
];

/** The accountability procedures the 2017 result calls for: 开平 missed its target. */
export const ACCOUNTABILITY_CASES: DemoCase[] = [
  {
    workflow: 'accountability-interview',
    starter: 'jm-supervisor',
    jurisdiction: '440783',
    data: { unitCode: '440783', unitName: '开平市', reason: '2017年度减贫任务未完成：脱贫人数低于年度计划。', subjectTitle: '2017年度减贫计划' },
    steps: [],
  },
  {
    workflow: 'rectification',
    starter: 'jm-supervisor',
    jurisdiction: '440783',
    data: { unitCode: '440783', unitName: '开平市', problems: '2017年度减贫进度滞后，帮扶措施落实不到位。', circularNo: '江扶督〔2018〕1号' },
    steps: [],
  },
];

/** Town officers' proposals left untouched for weeks: overdue, in the supervisors' alerts. */
export function overdueCases(officers: readonly string[]): DemoCase[] {
  return officers.map((officer, i) => ({ workflow: 'poverty-entry', starter: officer, data: household(['冯少华', '许桂英', '雷振辉', '区美玲'][i % 4], true, 3 + (i % 3)), steps: [] }));
}

/**
 * Starts the demo cases through the real service, as the demo users, so their history,
 * tasks and outbox rows are exactly what real use produces. Skipped when the database
 * already holds cases: seeding twice changes nothing.
 */
export async function seedDemoCases(app: INestApplicationContext): Promise<number> {
  const [{ count }] = await app.get(DataSource).query(`SELECT count(*)::int AS count FROM cases`);
  if (count > 0) return 0;
  return startDemoCases(app, DEMO_CASES);
}

/** The demo users as the services see them, looked up once each. */
export function demoActors(app: INestApplicationContext): (username: string) => Promise<AuthUser> {
  const users = app.get(UsersService);
  const actors = new Map<string, Promise<AuthUser>>();
  return (username) => {
    let user = actors.get(username);
    if (!user) {
      user = users.findByUsername(username).then((entity) => {
        if (!entity) throw new Error(`Demo user ${username} is missing: seed the users first`);
        return toAuthUser(entity);
      });
      actors.set(username, user);
    }
    return user;
  };
}

/** Starts `list` through the real service as the demo users (whatever the database holds). */
export async function startDemoCases(app: INestApplicationContext, list: readonly DemoCase[]): Promise<number> {
  const cases = app.get(CasesService);
  const actor = demoActors(app);
  for (const demo of list) {
    let view: CaseView = await cases.start(await actor(demo.starter), { workflow: demo.workflow, data: demo.data, jurisdiction: demo.jurisdiction });
    for (const [username, action, data, step] of demo.steps) {
      view = await cases.act(await actor(username), view.id, { action, step, data, expectedVersion: view.version });
    }
  }
  return list.length;
}
