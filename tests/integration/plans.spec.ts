import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, PASSING_APPRAISAL, steps, type CaseBody } from '../support/case-driver.js';

/**
 * The 2:3:5 plan: the seeded targets, their administration, and progress against them on
 * prepared poverty-exit cases, checked against counts done independently in SQL (from the
 * history's conclude events, not the snapshot the service reads).
 */

const DAY = 86_400_000;
const EXIT_CHECKLIST = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };
const EXIT_SUPPORT = { pairedUnit: '台山市农业农村局', responsiblePerson: '黄志强' };

let t: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  // Tuesday 2016-12-20 09:00 Beijing time.
  t = await createTestApp({ now: '2016-12-20T01:00:00.000Z' });
  driver = new CaseDriver(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function as(username: string) {
  return {
    get: async (path: string) => t.http.get(path).set('Authorization', `Bearer ${await driver.token(username)}`),
    put: async (path: string, body: object) => t.http.put(path).set('Authorization', `Bearer ${await driver.token(username)}`).send(body),
  };
}

/** A poverty-exit case of `memberCount` people, driven up to its public notice. */
async function exitAtNotice(officer: string, reviewer: string, householdName: string, memberCount: number, jurisdiction?: string): Promise<CaseBody> {
  let c = await driver.start(officer, 'poverty-exit', { householdName, rural: true, memberCount }, jurisdiction);
  c = await driver.act(officer, c, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
  c = await driver.act(officer, c, 'submit', EXIT_SUPPORT);
  c = await driver.act(officer, c, 'record', PASSING_APPRAISAL);
  return driver.act(reviewer, c, 'approve', {});
}

async function refreshed(c: CaseBody): Promise<CaseBody> {
  return (await driver.get('ts-officer', c.id)).body as CaseBody;
}

/** People exited per county in a year, counted apart from the service: the latest conclude action in the history, read in Beijing time. */
async function exitedBySql(year: number, digits: 6 | 9): Promise<Record<string, number>> {
  const rows: { unit: string; people: number }[] = await t.dataSource.query(
    `SELECT left(c.jurisdiction_code, $2) AS unit, sum((c.data->>'memberCount')::int)::int AS people
       FROM cases c
      WHERE c.workflow_key = 'poverty-exit' AND c.status = 'exited'
        AND extract(year FROM ((SELECT max(h.at) FROM case_history h
                                 WHERE h.case_id = c.id AND h.event_type = 'action' AND h.action = 'conclude') AT TIME ZONE 'Asia/Shanghai')) = $1
      GROUP BY 1`,
    [year, digits],
  );
  return Object.fromEntries(rows.map((r) => [r.unit, r.people]));
}

/** Running, not exited cases per county, and their open tasks past due at `now`. */
async function pipelineBySql(now: Date): Promise<Record<string, { people: number; overdue: number }>> {
  const rows: { county: string; people: number; overdue: number }[] = await t.dataSource.query(
    `SELECT left(c.jurisdiction_code, 6) AS county, sum((c.data->>'memberCount')::int)::int AS people,
            sum((SELECT count(*) FROM tasks t WHERE t.case_id = c.id AND t.status = 'open' AND t.due_at < $1))::int AS overdue
       FROM cases c WHERE c.workflow_key = 'poverty-exit' AND c.status = 'active' GROUP BY 1`,
    [now],
  );
  return Object.fromEntries(rows.map((r) => [r.county, { people: r.people, overdue: r.overdue }]));
}

describe('the reduction plan targets', () => {
  it('split each year of 2:3:5 over the seven counties, summing to the city figures', async () => {
    for (const [year, city] of [[2016, 3332], [2017, 4998], [2018, 8329]]) {
      const response = await as('ts-officer').get(`/api/plans/${year}/targets`);
      expect(response.status).toBe(200);
      expect(response.body.cityTarget).toBe(city);
      expect(response.body.targets).toHaveLength(7);
      expect(response.body.targets.reduce((s: number, r: { targetPeople: number }) => s + r.targetPeople, 0)).toBe(city);
    }
    const [{ sum }] = await t.dataSource.query(`SELECT sum(target_people)::int AS sum FROM plan_targets WHERE year BETWEEN 2016 AND 2018`);
    expect(sum).toBe(16_659);
    expect((await as('ts-officer').get('/api/plans/2017/targets')).body.targets).toContainEqual({ countyCode: '440781', name: '台山市', targetPeople: 1222 });
  });
});

describe('progress against the plan', () => {
  let a: CaseBody; // 台山, 4 people, exits in 2016
  let b: CaseBody; // 台山, 3 people, exits half an hour into 2017, Beijing time
  let c: CaseBody; // 开平, 5 people, exits in 2017, monitoring ended in 2017
  let d: CaseBody; // 台山 (a village of 端芬), 2 people, exits in 2017 and falls back
  let e: CaseBody; // 台山, 6 people, still at the proposal, overdue
  let f: CaseBody; // 开平, 2 people, at county review, not overdue

  beforeAll(async () => {
    a = await exitAtNotice('ts-officer', 'ts-reviewer', '甲', 4);
    b = await exitAtNotice('ts-officer', 'ts-reviewer', '乙', 3);
    e = await driver.start('ts-officer', 'poverty-exit', { householdName: '戊', rural: true, memberCount: 6 });
    t.clock.advance(7 * DAY); // 2016-12-27
    a = await driver.act('ts-officer', await refreshed(a), 'conclude');
    expect(a.status).toBe('exited');
    // A poverty-entry case is no exit, whatever its size.
    await driver.start('ts-officer', 'poverty-entry', { householdName: '非退出', rural: true, memberCount: 9 });

    t.clock.set(new Date('2016-12-31T16:30:00.000Z')); // 2017-01-01 00:30 in Beijing
    b = await driver.act('ts-officer', await refreshed(b), 'conclude');

    t.clock.set(new Date('2017-03-01T01:00:00.000Z'));
    c = await exitAtNotice('kp-officer', 'kp-reviewer', '丙', 5);
    d = await exitAtNotice('ts-officer', 'ts-reviewer', '丁', 2, '440781109201');
    t.clock.advance(7 * DAY);
    c = await driver.act('kp-officer', c, 'conclude');
    d = await driver.act('ts-officer', d, 'conclude');
    t.clock.set(new Date('2017-04-10T01:00:00.000Z'));
    d = await driver.act('ts-officer', d, 'resumeSupport', { reason: '因病返贫' });
    t.clock.set(new Date('2017-06-01T01:00:00.000Z'));
    c = await driver.act('kp-officer', c, 'endMonitoring', { note: '帮扶期满' });
    expect(c).toMatchObject({ status: 'exited', finished: true });

    t.clock.set(new Date('2017-06-30T01:00:00.000Z'));
    f = await driver.start('kp-officer', 'poverty-exit', { householdName: '己', rural: true, memberCount: 2 });
    f = await driver.act('kp-officer', f, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
    f = await driver.act('kp-officer', f, 'submit', EXIT_SUPPORT);
    f = await driver.act('kp-officer', f, 'record', PASSING_APPRAISAL);
    expect(steps(f)).toEqual(['countyReview']);
    expect(steps(e)).toEqual(['propose']);
    expect(steps(d)).toEqual(['support']);

    // 2017-07-02 00:00 in Beijing: 182 of the year's 365 days gone.
    t.clock.set(new Date('2017-07-01T16:00:00.000Z'));
  }, 120_000);

  it('counts exits of the year in Beijing time, the pipeline and its overdue tasks per county, as SQL counts them apart', async () => {
    const response = await as('jm-supervisor').get('/api/plans/2017/progress');
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ year: 2017, elapsedShare: 0.4986, scope: { code: '440700', name: '江门市' } });
    expect(body.counties.map((c: { code: string }) => c.code)).toEqual(['440703', '440704', '440705', '440781', '440783', '440784', '440785']);
    const county = (code: string) => body.counties.find((c: { code: string }) => c.code === code);

    expect(county('440781')).toEqual({
      code: '440781',
      name: '台山市',
      target: 1222,
      reenteredPeople: 0, // no disaster re-entry joined 2017's plan
      reenteredCases: 0,
      plannedPeople: 1222,
      exitedPeople: 3, // 乙 only: 甲 left in 2016, 丁 fell back
      exitedCases: 1,
      pipelinePeople: 8, // 丁 2 + 戊 6
      pipelineCases: 2,
      overdueTasks: 2,
      percentage: 0.2,
      expectedByNow: 610, // ⌈1222 × 182/365⌉
      behind: true,
    });
    expect(county('440783')).toMatchObject({ target: 1022, exitedPeople: 5, exitedCases: 1, pipelinePeople: 2, pipelineCases: 1, overdueTasks: 0, behind: true });
    expect(county('440705')).toMatchObject({ target: 897, exitedPeople: 0, pipelinePeople: 0, overdueTasks: 0, percentage: 0, behind: true });
    expect(body.total).toMatchObject({ target: 4998, exitedPeople: 8, exitedCases: 2, pipelinePeople: 10, pipelineCases: 3, overdueTasks: 2 });

    // The same numbers counted independently.
    const exited = await exitedBySql(2017, 6);
    const pipeline = await pipelineBySql(t.clock.now());
    for (const row of body.counties as Array<{ code: string; exitedPeople: number; pipelinePeople: number; overdueTasks: number }>) {
      expect([row.code, row.exitedPeople, row.pipelinePeople, row.overdueTasks]).toEqual([
        row.code,
        exited[row.code] ?? 0,
        pipeline[row.code]?.people ?? 0,
        pipeline[row.code]?.overdue ?? 0,
      ]);
    }
    const exitedTowns = await exitedBySql(2017, 9);
    for (const town of body.towns as Array<{ code: string; exitedPeople: number; target: number | null }>) {
      expect([town.code, town.exitedPeople, town.target]).toEqual([town.code, exitedTowns[town.code] ?? 0, null]);
    }
    expect(body.towns.find((r: { code: string }) => r.code === '440781109')).toMatchObject({ name: '端芬镇', countyCode: '440781', exitedPeople: 3, pipelinePeople: 8, overdueTasks: 2 });
    expect(body.towns.find((r: { code: string }) => r.code === '440783108')).toMatchObject({ exitedPeople: 5, pipelinePeople: 2, overdueTasks: 0 });
  });

  it('counts an exit in the year it happened: 2016 is 甲’s, and 2016 is over', async () => {
    const body = (await as('jm-supervisor').get('/api/plans/2016/progress')).body;
    expect(body.elapsedShare).toBe(1);
    expect(await exitedBySql(2016, 6)).toEqual({ '440781': 4 });
    expect(body.counties.find((c: { code: string }) => c.code === '440781')).toMatchObject({
      target: 814,
      exitedPeople: 4,
      percentage: 0.5,
      expectedByNow: 814,
      behind: true,
    });
    expect(body.total).toMatchObject({ target: 3332, exitedPeople: 4 });
  });

  it('shows each caller their own jurisdiction only', async () => {
    const county = (await as('ts-supervisor').get('/api/plans/2017/progress')).body;
    expect(county.scope).toEqual({ code: '440781', name: '台山市' });
    expect(county.counties.map((c: { code: string }) => c.code)).toEqual(['440781']);
    expect(county.towns.every((r: { countyCode: string }) => r.countyCode === '440781')).toBe(true);
    expect(county.total).toMatchObject({ target: 1222, exitedPeople: 3, pipelinePeople: 8 });

    const town = (await as('ts-officer').get('/api/plans/2017/progress')).body;
    expect(town.counties).toEqual([]);
    expect(town.towns.map((r: { code: string }) => r.code)).toEqual(['440781109']);
    expect(town.total).toMatchObject({ target: null, exitedPeople: 3, pipelinePeople: 8, overdueTasks: 2, behind: null });

    const kaiping = (await as('kp-reviewer').get('/api/plans/2017/progress')).body;
    expect(kaiping.counties.map((c: { code: string; exitedPeople: number }) => [c.code, c.exitedPeople])).toEqual([['440783', 5]]);
  });

  it('refuses a year outside 2000–2100 and a year that is not a number', async () => {
    expect((await as('jm-supervisor').get('/api/plans/1999/progress')).status).toBe(400);
    expect((await as('jm-supervisor').get('/api/plans/next/progress')).status).toBe(400);
    expect((await t.http.get('/api/plans/2017/progress')).status).toBe(401);
  });
});

describe('editing the targets', () => {
  const TARGETS_2017 = [
    { countyCode: '440703', targetPeople: 445 },
    { countyCode: '440704', targetPeople: 217 },
    { countyCode: '440705', targetPeople: 897 },
    { countyCode: '440781', targetPeople: 1300 },
    { countyCode: '440783', targetPeople: 944 },
    { countyCode: '440784', targetPeople: 523 },
    { countyCode: '440785', targetPeople: 672 },
  ];

  async function auditRows(): Promise<Array<{ actor_username: string; target_id: string; jurisdiction_code: string; details: Record<string, unknown> }>> {
    return t.dataSource.query(`SELECT actor_username, target_id, jurisdiction_code, details FROM audit_log WHERE kind = 'plan.targets-changed' ORDER BY id`);
  }

  it('is refused to everyone but administrators, and changes nothing', async () => {
    for (const user of ['ts-supervisor', 'jm-approver', 'jm-supervisor', 'auditor', 'ts-officer']) {
      const response = await as(user).put('/api/plans/2017/targets', { targets: TARGETS_2017 });
      expect([user, response.status, response.body.details?.code]).toEqual([user, 403, 'FORBIDDEN_ROLE']);
    }
    expect((await t.http.put('/api/plans/2017/targets').send({ targets: TARGETS_2017 })).status).toBe(401);
    expect((await as('ts-officer').get('/api/plans/2017/targets')).body.cityTarget).toBe(4998);
    expect(await auditRows()).toEqual([]);
  });

  it('is refused to an administrator of a county: the plan is the city’s', async () => {
    const user = await t.http
      .post('/api/users')
      .set('Authorization', `Bearer ${await driver.token('admin')}`)
      .send({ username: 'ts-admin', displayName: '台山市扶贫办 管理员', password: DEMO_PASSWORD, roles: ['administrator'], jurisdictionCode: '440781' });
    expect(user.status).toBe(201);
    const response = await as('ts-admin').put('/api/plans/2017/targets', { targets: TARGETS_2017 });
    expect([response.status, response.body.details]).toEqual([403, { code: 'CITY_ADMINISTRATORS_ONLY' }]);
  });

  it('by a city administrator replaces the year’s counties, with an audit row of every change', async () => {
    const response = await as('admin').put('/api/plans/2017/targets', { targets: TARGETS_2017 });
    expect(response.status).toBe(200);
    expect(response.body.cityTarget).toBe(4998);
    expect(response.body.targets).toContainEqual({ countyCode: '440781', name: '台山市', targetPeople: 1300 });
    expect(await auditRows()).toEqual([
      {
        actor_username: 'admin',
        target_id: '2017',
        jurisdiction_code: '440700',
        details: { year: 2017, cityTarget: { from: 4998, to: 4998 }, changed: { '440781': { from: 1222, to: 1300 }, '440783': { from: 1022, to: 944 } } },
      },
    ]);
    // The progress reads the new targets.
    expect((await as('ts-supervisor').get('/api/plans/2017/progress')).body.counties[0]).toMatchObject({ target: 1300, expectedByNow: 649 });

    // The same targets again change nothing and write no row; a new year may be planned.
    expect((await as('admin').put('/api/plans/2017/targets', { targets: TARGETS_2017 })).status).toBe(200);
    expect(await auditRows()).toHaveLength(1);
    const next = await as('admin').put('/api/plans/2019/targets', { targets: TARGETS_2017.map((x) => ({ ...x, targetPeople: 10 })) });
    expect(next.body.cityTarget).toBe(70);
    expect((await auditRows())[1].details).toMatchObject({ year: 2019, cityTarget: { from: null, to: 70 } });
  });

  it('refuses targets that are not every county once, or not whole numbers of people, and changes nothing', async () => {
    const before = await auditRows();
    const cases: Array<[object, number, string]> = [
      [{ targets: TARGETS_2017.slice(1) }, 422, 'INVALID_TARGETS'],
      [{ targets: [...TARGETS_2017, { countyCode: '440781', targetPeople: 1 }] }, 422, 'INVALID_TARGETS'],
      [{ targets: [...TARGETS_2017.slice(1), { countyCode: '440799', targetPeople: 445 }] }, 422, 'INVALID_TARGETS'],
      [{ targets: TARGETS_2017.map((x) => ({ ...x, targetPeople: -1 })) }, 400, 'VALIDATION_FAILED'],
      [{ targets: TARGETS_2017.map((x) => ({ ...x, targetPeople: 1.5 })) }, 400, 'VALIDATION_FAILED'],
      [{ targets: [] }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const response = await as('admin').put('/api/plans/2017/targets', body);
      expect([response.status, response.body.details?.code]).toEqual([status, code]);
    }
    expect((await as('admin').put('/api/plans/1999/targets', { targets: TARGETS_2017 })).status).toBe(400);
    expect(await auditRows()).toEqual(before);
    expect((await as('admin').get('/api/plans/2017/targets')).body.targets).toContainEqual({ countyCode: '440781', name: '台山市', targetPeople: 1300 });
  });
});
