import { UnrecoverableError, Worker } from 'bullmq';
import { strFromU8, unzipSync } from 'fflate';
import { Redis } from 'ioredis';
import { AssessmentService } from '../../src/assessment/assessment.service.js';
import { RunYearEndAssessmentJob } from '../../src/assessment/run-year-end-assessment.job.js';
import { HouseholdCasesService } from '../../src/households/household-cases.service.js';
import { assessmentJobId, JobName, QueueName, queueToken, type TypedJob, type TypedQueue } from '../../src/common/queues.js';
import { CaseDriver, PASSING_APPRAISAL, type CaseBody } from '../support/case-driver.js';
import { regionUsers, seedDemoUsers } from '../../src/database/seed-demo.js';
import { uniquePrefix } from '../support/processes.js';
import { freePort } from '../support/redis-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The year-end assessment of 2017 on a prepared year — households around the exit standard
 * in several counties, exits below target in some — and disaster re-entry, through the API
 * and the assessment's job body (the run the queued job executes), against a real database.
 */

const DAY = 86_400_000;
const EXIT_CHECKLIST = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };
const DEPARTMENTS = ['agricultureConfirm', 'meteorologyConfirm', 'civilAffairsConfirm', 'landConfirm'];

let t: TestApp;
let driver: CaseDriver;
const village: Record<string, string> = {};

function as(username: string) {
  const auth = async () => `Bearer ${await driver.token(username)}`;
  return {
    get: async (path: string) => t.http.get(path).set('Authorization', await auth()),
    post: async (path: string, body: object = {}) => t.http.post(path).set('Authorization', await auth()).send(body),
    put: async (path: string, body: object) => t.http.put(path).set('Authorization', await auth()).send(body),
    /** The body as bytes (a download). */
    raw: async (path: string) =>
      t.http
        .get(path)
        .set('Authorization', await auth())
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        }),
  };
}

/** A household file written directly: `members` people able to work, the year's income `perCapita` × members, the checklist. */
async function household(name: string, villageCode: string, o: { rural: boolean; status: string; perCapita?: number; members?: number; checklist?: boolean; year?: number }): Promise<string> {
  const members = o.members ?? 2;
  const dates = { registered: ['2015-12-31', null], reentered: ['2015-12-31', '2016-06-30'], exited: ['2015-12-31', '2016-06-30'], none: [null, null] }[o.status]!;
  const [{ id }] = await t.dataSource.query(
    `INSERT INTO households (jurisdiction_code, head_name, rural, dibao, consent, register_status, registered_on, exited_on, reentered_on, created_at, updated_at)
     VALUES ($1, $2, $3, true, true, $4, $5, $6, $7, now(), now()) RETURNING id`,
    [villageCode, name, o.rural, o.status, dates[0], o.status === 'exited' || o.status === 'reentered' ? dates[1] : null, o.status === 'reentered' ? '2016-12-01' : null],
  );
  for (let i = 0; i < members; i++) {
    await t.dataSource.query(`INSERT INTO household_members (household_id, position, name, relation, age, labour_ability) VALUES ($1, $2, $3, $4, 40, true)`, [id, i, i === 0 ? name : `${name}${i}`, i === 0 ? '户主' : '子女']);
  }
  const year = o.year ?? 2017;
  if (o.perCapita !== undefined) {
    await t.dataSource.query(`INSERT INTO household_incomes (household_id, year, source, amount) VALUES ($1, $2, 'wage', $3)`, [id, year, Math.round(o.perCapita * members * 100) / 100]);
  }
  const keys: { key: string }[] = (await t.dataSource.query(`SELECT checklist FROM yearly_rules WHERE year = $1`, [year]))[0].checklist;
  await t.dataSource.query(`INSERT INTO household_checklists (household_id, year, items) VALUES ($1, $2, $3)`, [id, year, JSON.stringify(Object.fromEntries(keys.map((k, i) => [k.key, o.checklist === false && i === keys.length - 1 ? false : true])))]);
  return id;
}

async function exitCase(officer: string, reviewer: string, name: string, memberCount: number): Promise<CaseBody> {
  let c = await driver.start(officer, 'poverty-exit', { householdName: name, rural: true, memberCount });
  c = await driver.act(officer, c, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
  c = await driver.act(officer, c, 'submit', { pairedUnit: '农业农村局', responsiblePerson: '黄志强' });
  c = await driver.act(officer, c, 'record', PASSING_APPRAISAL);
  return driver.act(reviewer, c, 'approve', {});
}

/** Everything a run may write, with ids: a second run must leave it equal. */
async function state() {
  const q = (sql: string) => t.dataSource.query(sql);
  return {
    cases: await q(`SELECT id, workflow_key, status, version, household_id, rules_year FROM cases ORDER BY id`),
    assessments: await q(`SELECT * FROM county_assessments ORDER BY year, county_code`),
    exits: await q(`SELECT * FROM assessment_exits ORDER BY household_id`),
    versions: await q(`SELECT household_id, version FROM household_versions ORDER BY household_id, version`),
  };
}

let ids: Record<string, string> = {};

beforeAll(async () => {
  // Wednesday 2017-03-01 09:00 Beijing time. A private key prefix: the queued jobs stay this test's.
  t = await createTestApp({ now: '2017-03-01T01:00:00.000Z', env: { BULLMQ_PREFIX: uniquePrefix('assessment') } });
  driver = new CaseDriver(t);
  const first = async (parent: string) => (await t.dataSource.query(`SELECT code FROM jurisdictions WHERE code LIKE $1 AND level = 'village' ORDER BY code LIMIT 1`, [`${parent}%`]))[0].code as string;
  village.duanfen = await first('440781109');
  village.taishanOther = await first('440781102');
  village.tangkou = await first('440783108');
  village.xinhui = await first('440705');
  village.enping = await first('440785');

  // 2017's plan: 台山 3 (met), 开平 6 (missed by one), 新会 1 (missed), the others 0.
  const targets = ['440703', '440704', '440705', '440781', '440783', '440784', '440785'].map((countyCode) => ({
    countyCode,
    targetPeople: { '440781': 3, '440783': 6, '440705': 1 }[countyCode] ?? 0,
  }));
  expect((await (await as('admin')).put('/api/plans/2017/targets', { targets })).status).toBe(200);

  // Exits during 2017: 台山 3 people, 开平 5.
  const a = await exitCase('ts-officer', 'ts-reviewer', '甲', 3);
  const b = await exitCase('kp-officer', 'kp-reviewer', '乙', 5);
  t.clock.advance(8 * DAY);
  await driver.act('ts-officer', (await driver.get('ts-officer', a.id)).body, 'conclude');
  await driver.act('kp-officer', (await driver.get('kp-officer', b.id)).body, 'conclude');

  // Rural exit standard 2017: 45% × 15,218 = 6,848.10; urban: 150% × 7,560 = 11,340.
  ids = {
    tsAt: await household('台山达标', village.duanfen, { rural: true, status: 'registered', perCapita: 6848.1 }),
    tsBelow: await household('台山差一分', village.duanfen, { rural: true, status: 'registered', perCapita: 6848.09 }),
    tsUrban: await household('台山城镇', village.duanfen, { rural: false, status: 'registered', perCapita: 11340 }),
    tsHousing: await household('台山住房', village.duanfen, { rural: true, status: 'registered', perCapita: 9000, checklist: false }),
    tsNone: await household('台山未建档', village.duanfen, { rural: true, status: 'none', perCapita: 9000 }),
    kpReentered: await household('开平返贫户', village.tangkou, { rural: true, status: 'reentered', perCapita: 7000 }),
    kpExited: await household('开平已脱贫', village.tangkou, { rural: true, status: 'exited', perCapita: 9000 }),
    xhUrbanBelow: await household('新会城镇', village.xinhui, { rural: false, status: 'registered', perCapita: 11339.99 }),
    xhOpen: await household('新会已申报', village.xinhui, { rural: true, status: 'registered', perCapita: 7000 }),
    // 31 members: poverty-exit's memberCount allows 30, so 恩平's first assessment fails.
    epLarge: await household('恩平大户', village.enping, { rural: true, status: 'registered', perCapita: 7000, members: 31 }),
    // For the disaster: exited in 端芬 and in another town of 台山, registered in 端芬.
    dfExited: await household('端芬已脱贫', village.duanfen, { rural: true, status: 'exited' }),
    otherExited: await household('他镇已脱贫', village.taishanOther, { rural: true, status: 'exited' }),
    dfRegistered: await household('端芬在册', village.duanfen, { rural: true, status: 'registered' }),
  };
  // 新会已申报 already has an exit case open (an officer proposed it): the assessment skips it.
  await t.dataSource.transaction((m) => t.app.get(HouseholdCasesService).startAsSystem(m, ids.xhOpen, 'poverty-exit', 2017));
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('disaster re-entry', () => {
  const DISASTER = { type: 'typhoon', date: '2017-08-23', affectedTowns: ['440781109', '440783108'], description: '台风“天鸽”过境，房屋、鱼塘受损。' };

  it('is recorded by administrators only, with towns that exist and a date not in the future', async () => {
    t.clock.set(new Date('2017-09-01T01:00:00.000Z'));
    expect((await (await as('ts-reviewer')).post('/api/disasters', DISASTER)).status).toBe(403);
    const future = await (await as('admin')).post('/api/disasters', { ...DISASTER, date: '2017-09-02' });
    expect([future.status, future.body.details.code]).toEqual([422, 'INVALID_DISASTER']);
    const unknown = await (await as('admin')).post('/api/disasters', { ...DISASTER, affectedTowns: ['440781999'] });
    expect(unknown.status).toBe(422);
    const badType = await (await as('admin')).post('/api/disasters', { ...DISASTER, type: 'meteor' });
    expect(badType.status).toBe(400);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM disasters`)).toEqual([{ n: 0 }]);
  });

  it('starts re-entry cases exactly for the exited households of the affected towns, once', async () => {
    const recorded = await (await as('admin')).post('/api/disasters', DISASTER);
    expect(recorded.status).toBe(201);
    expect(recorded.body.reentries.map((r: { householdId: string }) => r.householdId).sort()).toEqual([ids.dfExited, ids.kpExited].sort());
    const cases = await t.dataSource.query(
      `SELECT household_id, workflow_key, rules_year, created_by, data->>'disasterType' AS type, data->>'householdName' AS name FROM cases WHERE workflow_key = 'disaster-reentry' ORDER BY household_id`,
    );
    expect(cases).toEqual(
      [
        { household_id: ids.dfExited, workflow_key: 'disaster-reentry', rules_year: 2017, created_by: null, type: 'typhoon', name: '端芬已脱贫' },
        { household_id: ids.kpExited, workflow_key: 'disaster-reentry', rules_year: 2017, created_by: null, type: 'typhoon', name: '开平已脱贫' },
      ].sort((a, b) => a.household_id.localeCompare(b.household_id)),
    );
    const [audit] = await t.dataSource.query(`SELECT actor_username, target_id, details FROM audit_log WHERE kind = 'disaster.recorded'`);
    expect(audit).toMatchObject({ actor_username: 'admin', target_id: recorded.body.id, details: { type: 'typhoon', reentryCases: 2, affectedTowns: DISASTER.affectedTowns } });

    // A second disaster on the same towns: those households' re-entry is already running.
    const again = await (await as('admin')).post('/api/disasters', { ...DISASTER, date: '2017-08-27', type: 'flood' });
    expect(again.body.reentries).toEqual([]);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM cases WHERE workflow_key = 'disaster-reentry'`)).toEqual([{ n: 2 }]);
    // Visible to the county, which sees its own household only.
    const kaiping = await (await as('kp-reviewer')).get(`/api/disasters/${recorded.body.id}`);
    expect(kaiping.body.reentries.map((r: { householdId: string }) => r.householdId)).toEqual([ids.kpExited]);
    expect((await (await as('kp-reviewer')).get('/api/disasters')).body.items).toHaveLength(2);
  });

  it('an approved re-entry joins the next year’s plan of its county', async () => {
    const [{ id }] = await t.dataSource.query(`SELECT case_id AS id FROM disaster_reentries WHERE household_id = $1`, [ids.dfExited]);
    let c: CaseBody = (await driver.get('ts-reviewer', id)).body;
    for (const step of DEPARTMENTS) c = await driver.act('ts-reviewer', c, 'confirm', { opinion: '属实' }, { step });
    c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 3100, application: '因灾返贫' });
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'approve', { planYear: 2018 });
    expect(c.status).toBe('includedInPlan');
    expect(await t.dataSource.query(`SELECT register_status FROM households WHERE id = $1`, [ids.dfExited])).toEqual([{ register_status: 'reentered' }]);

    const progress = (await (await as('admin')).get('/api/plans/2018/progress')).body;
    const taishan = progress.counties.find((r: { code: string }) => r.code === '440781');
    expect(taishan).toMatchObject({ target: 2036, reenteredPeople: 2, reenteredCases: 1, plannedPeople: 2038 });
    expect(progress.towns.find((r: { code: string }) => r.code === '440781109')).toMatchObject({ target: null, reenteredPeople: 2, plannedPeople: null });
    expect(progress.counties.find((r: { code: string }) => r.code === '440783')).toMatchObject({ reenteredPeople: 0, plannedPeople: 1703 });
    expect(progress.total).toMatchObject({ target: 8329, reenteredPeople: 2, plannedPeople: 8331 });
    // Not in 2017's plan.
    expect((await (await as('admin')).get('/api/plans/2017/progress')).body.total).toMatchObject({ reenteredPeople: 0 });
  });
});

describe('the year-end assessment of 2017', () => {
  let firstRun: string;

  it('cannot be started before the year has ended, nor by others than the city’s administrators', async () => {
    t.clock.set(new Date('2017-12-31T15:00:00.000Z')); // 23:00 on 31 December in Beijing
    const early = await (await as('admin')).post('/api/plans/2017/assessment');
    expect([early.status, early.body.details.code]).toEqual([422, 'YEAR_NOT_OVER']);
    t.clock.set(new Date('2018-01-10T01:00:00.000Z'));
    for (const user of ['ts-reviewer', 'jm-supervisor', 'ts-officer']) {
      expect((await (await as(user)).post('/api/plans/2017/assessment')).status).toBe(403);
    }
    expect((await (await as('ts-officer')).get('/api/plans/2017/assessment')).status).toBe(403);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM assessment_runs`)).toEqual([{ n: 0 }]);
  });

  it('queues a run, audited; a second start while it is queued answers the same run', async () => {
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'queued', created: true });
    firstRun = started.body.runId;
    const queue = t.app.get<TypedQueue<QueueName.Runs>>(queueToken(QueueName.Runs));
    expect((await queue.getJob(assessmentJobId(firstRun)))?.data).toEqual({ runId: firstRun });
    const again = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(again.body).toEqual({ runId: firstRun, status: 'queued', created: false });
    const audit = await t.dataSource.query(`SELECT actor_username, target_id, details FROM audit_log WHERE kind = 'plan.assessment-started'`);
    expect(audit).toEqual([{ actor_username: 'admin', target_id: firstRun, details: { year: 2017, runId: firstRun } }]);
  });

  it('opens exits for exactly the households at the standard, one interview per county below target, and the circular; a failed county is recorded', async () => {
    // The job's body (RunYearEndAssessmentJob calls runJob(runId)).
    expect(await t.app.get(AssessmentService).runJob(firstRun, false)).toBe('failed');
    const exits = await t.dataSource.query(
      `SELECT x.household_id, c.workflow_key, c.rules_year, c.household_id AS linked, c.created_by FROM assessment_exits x JOIN cases c ON c.id = x.case_id WHERE x.year = 2017 ORDER BY x.household_id`,
    );
    const expected = [ids.tsAt, ids.tsUrban, ids.kpReentered].sort();
    expect(exits.map((e: { household_id: string }) => e.household_id)).toEqual(expected);
    for (const e of exits) expect(e).toMatchObject({ workflow_key: 'poverty-exit', rules_year: 2017, linked: e.household_id, created_by: null });

    const rows = await t.dataSource.query(`SELECT county_code, status, target, exited_people, missed, exit_cases_opened, (interview_case_id IS NOT NULL) AS interview FROM county_assessments WHERE year = 2017 ORDER BY county_code`);
    expect(rows).toEqual([
      { county_code: '440703', status: 'done', target: 0, exited_people: 0, missed: false, exit_cases_opened: 0, interview: false },
      { county_code: '440704', status: 'done', target: 0, exited_people: 0, missed: false, exit_cases_opened: 0, interview: false },
      { county_code: '440705', status: 'done', target: 1, exited_people: 0, missed: true, exit_cases_opened: 0, interview: true },
      { county_code: '440781', status: 'done', target: 3, exited_people: 3, missed: false, exit_cases_opened: 2, interview: false },
      { county_code: '440783', status: 'done', target: 6, exited_people: 5, missed: true, exit_cases_opened: 1, interview: true },
      { county_code: '440784', status: 'done', target: 0, exited_people: 0, missed: false, exit_cases_opened: 0, interview: false },
      { county_code: '440785', status: 'failed', target: null, exited_people: 0, missed: null, exit_cases_opened: 0, interview: false },
    ]);
    const interviews = await t.dataSource.query(
      `SELECT jurisdiction_code, data->>'unitCode' AS unit, created_by FROM cases WHERE workflow_key = 'accountability-interview' ORDER BY jurisdiction_code`,
    );
    expect(interviews).toEqual([
      { jurisdiction_code: '440705', unit: '440705', created_by: null },
      { jurisdiction_code: '440783', unit: '440783', created_by: null },
    ]);

    const result = (await (await as('jm-supervisor')).get('/api/plans/2017/assessment')).body;
    expect(result.latestRun).toMatchObject({ id: firstRun, status: 'failed', trigger: 'administrator' });
    expect(result.counties.find((c: { countyCode: string }) => c.countyCode === '440785').error).toMatch(/memberCount/);
    expect(result.circular.belowTarget).toEqual([
      expect.objectContaining({ countyCode: '440705', name: '新会区', target: 1, plannedPeople: 1, exitedPeople: 0, shortfall: 1 }),
      expect.objectContaining({ countyCode: '440783', name: '开平市', target: 6, plannedPeople: 6, exitedPeople: 5, shortfall: 1 }),
    ]);
    expect(result.circular.title).toBe('关于2017年度脱贫攻坚工作进展缓慢单位的通报');
  });

  it('is shown scoped to the caller’s jurisdiction: the city all counties, a county its own rows, another county nothing of it; the circular whole', async () => {
    const seen = async (username: string) => {
      const response = await (await as(username)).get('/api/plans/2017/assessment');
      expect({ username, status: response.status }).toEqual({ username, status: 200 });
      return response.body as {
        counties: { countyCode: string }[];
        exitCasesOpened: number;
        latestRun: { status: string; error: string | null; counties: { code: string }[] | null };
        runs: { error: string | null }[];
        circular: { belowTarget: { countyCode: string }[] };
      };
    };
    const codes = (rows: { countyCode?: string; code?: string }[] | null) => (rows ?? []).map((r) => r.countyCode ?? r.code);
    const everyCounty = ['440703', '440704', '440705', '440781', '440783', '440784', '440785'];
    // The counties' supervisors, administrators and auditors (ts-supervisor …, ep-supervisor, kp-auditor).
    await seedDemoUsers(t.dataSource, regionUsers([]));

    for (const username of ['jm-supervisor', 'auditor', 'admin']) {
      const city = await seen(username);
      expect(codes(city.counties)).toEqual(everyCounty);
      expect(codes(city.latestRun.counties)).toEqual(everyCounty);
      expect(city.exitCasesOpened).toBe(3);
      expect(city.latestRun.error).toBe('1 county(ies) failed: 440785');
    }
    // 台山's supervisor, auditor and administrator: 台山's row, exits and run outcome only.
    for (const username of ['ts-supervisor', 'ts-auditor', 'ts-admin']) {
      const taishan = await seen(username);
      expect(codes(taishan.counties)).toEqual(['440781']);
      expect(codes(taishan.latestRun.counties)).toEqual(['440781']);
      expect(taishan.exitCasesOpened).toBe(2);
      // The run failed in 恩平, which is not 台山's to know; its status is the run's.
      expect(taishan.latestRun).toMatchObject({ status: 'failed', error: null });
      expect(taishan.runs.map((r) => r.error)).toEqual([null]);
      // The circular is the city's document, the same for everyone.
      expect(codes(taishan.circular.belowTarget)).toEqual(['440705', '440783']);
    }
    // 恩平 sees its own failure; 开平 its interview row and none of 台山's.
    const enping = await seen('ep-supervisor');
    expect(codes(enping.counties)).toEqual(['440785']);
    expect(enping.latestRun.error).toBe('1 county(ies) failed: 440785');
    const kaiping = await seen('kp-auditor');
    expect(codes(kaiping.counties)).toEqual(['440783']);
    expect(kaiping.exitCasesOpened).toBe(1);
    expect(JSON.stringify(kaiping.counties) + JSON.stringify(kaiping.latestRun)).not.toContain('440781');

    // A town's auditor: no county row (like the plan progress), the circular still.
    await t.dataSource.query(`UPDATE users SET roles = '{auditor}', jurisdiction_code = '440781109' WHERE username = 'ts-officer2'`);
    try {
      const town = await seen('ts-officer2');
      expect(town.counties).toEqual([]);
      expect(town.latestRun.counties).toEqual([]);
      expect(town.exitCasesOpened).toBe(0);
      expect(codes(town.circular.belowTarget)).toEqual(['440705', '440783']);
    } finally {
      await t.dataSource.query(`UPDATE users SET roles = '{officer}', jurisdiction_code = '440781109' WHERE username = 'ts-officer2'`);
    }
    // Roles without the right to see it at all stay refused, whatever their county.
    for (const username of ['ts-officer', 'ts-reviewer', 'kp-reviewer']) expect((await (await as(username)).get('/api/plans/2017/assessment')).status).toBe(403);
  });

  it('a re-run completes the county that failed and changes nothing else', async () => {
    await t.dataSource.query(`DELETE FROM household_members WHERE household_id = $1 AND position = 30`, [ids.epLarge]);
    const before = await state();
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(started.body).toMatchObject({ created: true });
    expect(await t.app.get(AssessmentService).runJob(started.body.runId, false)).toBe('done');
    const after = await state();
    const newCases = after.cases.filter((c: { id: string }) => !before.cases.some((b: { id: string }) => b.id === c.id));
    expect(newCases).toEqual([expect.objectContaining({ workflow_key: 'poverty-exit', household_id: ids.epLarge, rules_year: 2017 })]);
    expect(after.cases.filter((c: { id: string }) => c.id !== newCases[0].id)).toEqual(before.cases);
    expect(after.assessments.filter((a: { county_code: string }) => a.county_code !== '440785')).toEqual(before.assessments.filter((a: { county_code: string }) => a.county_code !== '440785'));
    expect(after.assessments.find((a: { county_code: string }) => a.county_code === '440785')).toMatchObject({ status: 'done', target: 0, missed: false, exit_cases_opened: 1, error: null });
  });

  it('a further run changes nothing', async () => {
    const before = await state();
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(await t.app.get(AssessmentService).runJob(started.body.runId, false)).toBe('done');
    expect(await state()).toEqual(before);
    const [run] = await t.dataSource.query(`SELECT result FROM assessment_runs WHERE id = $1`, [started.body.runId]);
    expect(run.result.counties.map((c: { outcome: string }) => c.outcome)).toEqual(Array(7).fill('unchanged'));
    // The same job delivered twice: the finished run is stale.
    expect(await t.app.get(AssessmentService).runJob(started.body.runId, false)).toBe('stale');
  });
});

describe('a run whose job did not finish it', () => {
  const runs = () => t.app.get<TypedQueue<QueueName.Runs>>(queueToken(QueueName.Runs));
  const report = async () => (await (await as('admin')).get('/api/plans/2017/assessment')).body;

  beforeAll(() => t.clock.set(new Date('2018-01-10T01:00:00.000Z')));

  beforeEach(async () => {
    // The tests run their runs by calling the job's body (no worker here): their jobs still wait.
    await runs().drain();
    t.clock.advanceMinutes(1); // runs listed newest first: each test's a minute after the last
  });

  it('is marked failed on the job’s last attempt, and the next start makes a new run that goes ahead', async () => {
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(started.body).toMatchObject({ created: true });
    const runId: string = started.body.runId;
    // The run fails where a lost database would fail it: writing its result.
    await t.dataSource.query(`CREATE FUNCTION test_refuse_result() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the database went away'; END $$`);
    await t.dataSource.query(`CREATE TRIGGER test_refuse_result BEFORE UPDATE ON assessment_runs FOR EACH ROW WHEN (NEW.result IS NOT NULL) EXECUTE FUNCTION test_refuse_result()`);
    try {
      const job = new RunYearEndAssessmentJob(t.app.get(AssessmentService));
      const attempt = (n: number) => job.handle({ data: { runId }, attemptsMade: n - 1, opts: { attempts: 3 } } as TypedJob<JobName.RunYearEndAssessment>);
      // Not the last attempt: the job fails and BullMQ retries it; the run goes on meanwhile.
      await expect(attempt(1)).rejects.toThrow(/the database went away/);
      expect((await report()).latestRun).toMatchObject({ id: runId, status: 'running' });
      // The last attempt: no retry follows, so the run ends failed, with the reason.
      await expect(attempt(3)).resolves.toBe('failed');
    } finally {
      await t.dataSource.query(`DROP TRIGGER test_refuse_result ON assessment_runs`);
      await t.dataSource.query(`DROP FUNCTION test_refuse_result()`);
    }
    expect((await report()).latestRun).toMatchObject({ id: runId, status: 'failed', error: expect.stringMatching(/the database went away/), finishedAt: expect.any(String) });

    t.clock.advanceMinutes(1);
    const next = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(next.body).toMatchObject({ status: 'queued', created: true });
    expect(await t.app.get(AssessmentService).runJob(next.body.runId, false)).toBe('done');
    expect((await report()).latestRun).toMatchObject({ id: next.body.runId, status: 'done' });
  });

  it('is marked failed when BullMQ gave up on its job (its worker died again and again), and the next start goes ahead', async () => {
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    const runId: string = started.body.runId;
    // A worker takes the job and starts the run…
    const connection = new Redis(t.config.redisUrl, { maxRetriesPerRequest: null });
    const taker = new Worker(QueueName.Runs, null, { connection, prefix: t.config.delivery.bullmqPrefix });
    try {
      const job = await taker.getNextJob('test-token');
      expect(job?.id).toBe(assessmentJobId(runId));
      await t.dataSource.query(`UPDATE assessment_runs SET status = 'running', started_at = $2 WHERE id = $1`, [runId, t.clock.now()]);
      // …and dies, again and again, until BullMQ fails the job for good (maxStalledCount),
      // without the job's body ever being told (unrecoverable: no retry).
      await job!.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'test-token');
    } finally {
      await taker.close();
      connection.disconnect();
    }
    expect(await runs().getJobState(assessmentJobId(runId))).toBe('failed');

    // The report no longer shows it running; a new start is a new run, and it goes ahead.
    expect((await report()).latestRun).toMatchObject({ id: runId, status: 'failed', error: expect.stringMatching(/stalled/) });
    const next = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(next.body).toMatchObject({ status: 'queued', created: true });
    expect(await t.app.get(AssessmentService).runJob(next.body.runId, false)).toBe('done');
  });

  it('is queued again when Redis lost its job: a start answers the same run', async () => {
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    const runId: string = started.body.runId;
    await runs().remove(assessmentJobId(runId)); // as a FLUSHALL would
    const again = await (await as('admin')).post('/api/plans/2017/assessment');
    expect(again.body).toEqual({ runId, status: 'queued', created: false });
    expect((await runs().getJob(assessmentJobId(runId)))?.data).toEqual({ runId });
    expect(await t.app.get(AssessmentService).runJob(runId, false)).toBe('done');
  });

  /** A second API on the test's database whose Redis has not answered since it started. */
  async function apiWithoutRedis(): Promise<TestApp> {
    return createTestApp({
      databaseUrl: t.config.databaseUrl,
      keepDatabase: true,
      seed: false,
      now: t.clock.now(),
      env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, BULLMQ_PREFIX: t.config.delivery.bullmqPrefix },
    });
  }

  it('is taken as going on while Redis cannot be asked: the report still answers at once', async () => {
    const started = await (await as('admin')).post('/api/plans/2017/assessment');
    const runId: string = started.body.runId;
    // A second API process on the same database whose Redis has not answered since it started.
    const noRedis = await apiWithoutRedis();
    try {
      const response = await noRedis.http.get('/api/plans/2017/assessment').set('Authorization', `Bearer ${await noRedis.login('admin')}`);
      expect(response.status).toBe(200);
      expect(response.body.latestRun).toMatchObject({ id: runId, status: 'queued' });
    } finally {
      await noRedis.close();
    }
    expect(await t.app.get(AssessmentService).runJob(runId, false)).toBe('done');
  });

  it('is refused with 503 when Redis cannot take its job, and the run it recorded shows as failed', async () => {
    // BullMQ would wait for Redis's first connection without end; the start gives up after
    // REDIS_CALL_TIMEOUT_MS and says so.
    const noRedis = await apiWithoutRedis();
    try {
      const refused = await noRedis.http.post('/api/plans/2017/assessment').set('Authorization', `Bearer ${await noRedis.login('admin')}`);
      expect(refused.status).toBe(503);
      expect(refused.body.details).toMatchObject({ code: 'QUEUE_UNAVAILABLE', runId: expect.any(String) });
      const [run] = await t.dataSource.query(`SELECT status, error FROM assessment_runs WHERE id = $1`, [refused.body.details.runId]);
      expect(run).toEqual({ status: 'failed', error: 'The job queue did not take the run' });
    } finally {
      await noRedis.close();
    }
  }, 90_000);

  it('made by the yearly scheduler is recorded and queued as a run of its own, of the year just ended', async () => {
    // The scheduler's job carries no run: it records one for 2017 (it is January 2018) and queues it.
    expect(await t.app.get(AssessmentService).runJob(null, false)).toBe('queued');
    const [run] = await t.dataSource.query(`SELECT id, year, trigger, status FROM assessment_runs WHERE status = 'queued'`);
    expect(run).toMatchObject({ year: 2017, trigger: 'schedule' });
    expect((await runs().getJob(assessmentJobId(run.id)))?.data).toEqual({ runId: run.id });
    expect(await t.app.get(AssessmentService).runJob(run.id, false)).toBe('done');
  });
});

describe('plan progress export', () => {
  it('has the numbers of the JSON, scoped like it, as CSV and XLSX', async () => {
    const json = (await (await as('ts-reviewer')).get('/api/plans/2018/progress')).body;
    const csv = await (await as('ts-reviewer')).get('/api/plans/2018/progress/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.filter((r) => r[0] === 'county').map((r) => r[1])).toEqual(['440781']);
    const county = rows.find((r) => r[0] === 'county')!;
    const c = json.counties[0];
    expect(county.slice(4, 12).map(Number)).toEqual([c.target, c.reenteredPeople, c.plannedPeople, c.exitedPeople, c.exitedCases, c.pipelinePeople, c.pipelineCases, c.overdueTasks]);
    expect(rows.filter((r) => r[0] === 'town')).toHaveLength(json.towns.length);
    const total = rows.find((r) => r[0] === 'total')!;
    expect(total.slice(4, 8).map(Number)).toEqual([json.total.target, json.total.reenteredPeople, json.total.plannedPeople, json.total.exitedPeople]);

    const xlsx = await (await as('ts-reviewer')).raw('/api/plans/2018/progress/export?format=xlsx');
    expect(xlsx.status).toBe(200);
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.body as Buffer))['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain(`<v>${c.plannedPeople}</v>`);
    expect((await (await as('ts-reviewer')).get('/api/plans/2018/progress/export?format=pdf')).status).toBe(400);
  });
});
