import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { CaseDriver, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The eligibility explanation and the workflows' guards decide alike: households at and
 * around every threshold get a file, incomes and a case started from the file; the case's
 * first action, submitted with the file's own figures, is accepted exactly when the file's
 * explanation says the household passes. The guards read the yearly rules, so an
 * administrator's change of a year's figures moves both.
 */

let testApp: TestApp;
let driver: CaseDriver;
let taishanVillage: string;
let xinhuiVillage: string;
const tokens = new Map<string, string>();

/** The users this file creates share the demo users' password, so the case driver logs them in too. */
const PASSWORD = DEMO_PASSWORD;

async function token(username: string): Promise<string> {
  if (!tokens.has(username)) tokens.set(username, await testApp.login(username));
  return tokens.get(username)!;
}

async function as(username: string) {
  const bearer = `Bearer ${await token(username)}`;
  return {
    get: (url: string) => testApp.http.get(url).set('Authorization', bearer),
    post: (url: string, body: object) => testApp.http.post(url).set('Authorization', bearer).send(body),
    put: (url: string, body: object) => testApp.http.put(url).set('Authorization', bearer).send(body),
  };
}

interface Household {
  id: string;
  version: number;
}

/** A household of two, both able to work or neither, with the year's income summing to twice `perCapita`. */
async function household(officer: string, village: string, options: { rural: boolean; perCapita: number; able?: boolean; status?: 'none' | 'registered'; year?: number }): Promise<Household> {
  const api = await as(officer);
  const able = options.able ?? true;
  const created = await api.post('/api/households', {
    villageCode: village,
    headName: `户主${options.perCapita}`,
    rural: options.rural,
    dibao: true,
    consent: true,
    ...(options.status === 'registered' ? { registerStatus: 'registered', registeredOn: '2015-12-31' } : {}),
    members: [
      { name: `户主${options.perCapita}`, relation: '户主', age: 45, labourAbility: able },
      { name: '配偶', relation: '配偶', age: 43, labourAbility: able },
    ],
  });
  expect(created.status).toBe(201);
  const year = options.year ?? 2017;
  const total = Math.round(options.perCapita * 2 * 100) / 100;
  const incomes = await api.put(`/api/households/${created.body.id}/incomes/${year}`, {
    expectedVersion: created.body.version,
    records: [
      { source: 'wage', amount: Math.round((total - 1500) * 100) / 100 },
      { source: 'transfer', amount: 1500 },
    ],
  });
  expect(incomes.status).toBe(200);
  expect(incomes.body.incomes[0]).toMatchObject({ year, perCapita: options.perCapita });
  return { id: created.body.id, version: incomes.body.version };
}

/** Starts the workflow from the file and submits its first action with the file's figures: accepted or refused by the guard. */
async function throughGuard(officer: string, h: Household, workflow: 'poverty-entry' | 'poverty-exit', year = 2017, extra: Record<string, unknown> = {}) {
  const api = await as(officer);
  const started = await api.post(`/api/households/${h.id}/cases`, { workflow, year });
  expect(started.status).toBe(201);
  const body = started.body as { case: CaseBody; prefill: { step: string; action: string; data: Record<string, unknown> } };
  const response = await driver.try(officer, body.case, body.prefill.action, { ...body.prefill.data, ...extra });
  expect([200, 422]).toContain(response.status);
  if (response.status === 422) expect(response.body.details.code).toBe('GUARD_FAILED');
  return { accepted: response.status === 200, prefill: body.prefill, case: response.status === 200 ? (response.body as CaseBody) : body.case };
}

async function eligibility(username: string, id: string, year = 2017) {
  const response = await (await as(username)).get(`/api/households/${id}/eligibility?year=${year}`);
  expect(response.status).toBe(200);
  return response.body;
}

beforeAll(async () => {
  testApp = await createTestApp({ now: '2017-06-15T02:00:00Z' });
  driver = new CaseDriver(testApp);
  [{ code: taishanVillage }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
  const [{ code: xinhuiTown }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440705' AND level = 'town' ORDER BY code LIMIT 1`);
  [{ code: xinhuiVillage }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = $1 AND level = 'village' ORDER BY code LIMIT 1`, [xinhuiTown]);
  const admin = await as('admin');
  const created = await admin.post('/api/users', { username: 'xh-officer', displayName: '新会区经办人', password: PASSWORD, roles: ['officer'], jurisdictionCode: xinhuiTown });
  expect(created.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await testApp?.close();
});

describe('entry: the explanation and poverty-entry’s guard agree at every threshold', () => {
  const table: Array<[string, 'ts-officer' | 'xh-officer', boolean, number, boolean, boolean]> = [
    // description, officer (台山 or 新会), rural, per-capita, able to work, eligible
    ['rural 台山 at 5,039', 'ts-officer', true, 5039, true, true],
    ['rural 台山 at 5,040', 'ts-officer', true, 5040, true, false],
    ['urban 台山 at 6,599', 'ts-officer', false, 6599, true, true],
    ['urban 台山 at 6,600', 'ts-officer', false, 6600, true, false],
    ['urban 台山 at 6,601', 'ts-officer', false, 6601, true, false],
    ['rural 新会 at 5,039', 'xh-officer', true, 5039, true, true],
    ['rural 新会 at 5,040', 'xh-officer', true, 5040, true, true],
    ['rural 新会 at 6,599', 'xh-officer', true, 6599, true, true],
    ['rural 新会 at 6,600', 'xh-officer', true, 6600, true, false],
    ['rural 新会 at 6,601', 'xh-officer', true, 6601, true, false],
    ['rural 台山 at 4,000 without labour ability', 'ts-officer', true, 4000, false, false],
  ];
  it.each(table)('%s', async (_description, officer, rural, perCapita, able, eligible) => {
    const h = await household(officer, officer === 'ts-officer' ? taishanVillage : xinhuiVillage, { rural, perCapita, able });
    const report = await eligibility(officer, h.id);
    expect(report.perCapitaIncome).toBe(perCapita);
    expect(report.entry.pass).toBe(eligible);
    const guard = await throughGuard(officer, h, 'poverty-entry');
    expect(guard.prefill.data).toMatchObject({ perCapitaIncome: perCapita, hasLabourAbility: able, dibao: true, consent: true });
    expect(guard.accepted).toBe(eligible);
  });
});

describe('exit: the explanation and poverty-exit’s guard agree at every threshold', () => {
  const ALL = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };
  const table: Array<[string, boolean, number, Record<string, boolean>, boolean]> = [
    ['urban at 11,339.99 (below 150% of 7,560)', false, 11339.99, ALL, false],
    ['urban at 11,340', false, 11340, ALL, true],
    ['rural at 6,848.09 (below 45% of 15,218)', true, 6848.09, ALL, false],
    ['rural at 6,848.10', true, 6848.1, ALL, true],
    ['rural above the standard without safe housing', true, 9000, { ...ALL, housingSafety: false }, false],
  ];
  it.each(table)('%s', async (_description, rural, perCapita, checklist, exits) => {
    const h = await household('ts-officer', taishanVillage, { rural, perCapita, status: 'registered' });
    const api = await as('ts-officer');
    const checked = await api.put(`/api/households/${h.id}/checklist/2017`, { expectedVersion: h.version, items: checklist, checkedOn: '2017-06-01' });
    expect(checked.status).toBe(200);
    const report = await eligibility('ts-officer', h.id);
    expect(report.exit.pass).toBe(exits);
    const guard = await throughGuard('ts-officer', h, 'poverty-exit');
    expect(guard.prefill.data).toEqual({ perCapitaIncome: perCapita, ...checklist });
    expect(guard.accepted).toBe(exits);
  });
});

describe('the yearly rules drive the guards', () => {
  it('lists the seeded years with the seed’s figures and the placeholders named', async () => {
    const response = await (await as('ts-officer')).get('/api/rules');
    expect(response.status).toBe(200);
    expect(response.body.map((r: { year: number; villageCollectiveIncomeTarget: number }) => [r.year, r.villageCollectiveIncomeTarget])).toEqual([
      [2016, 150000],
      [2017, 180000],
      [2018, 200000],
    ]);
    expect(response.body[1]).toMatchObject({
      povertyLine: 6600,
      ruralLowLine: 5040,
      lowLineCounties: ['440781', '440783', '440785'],
      urbanExitRatio: 1.5,
      ruralExitRatio: 0.45,
      placeholders: ['ruralMeanIncome', 'urbanDibaoStandard'],
    });
  });

  it('an administrator of the city raises 2018’s line: audited, and a 2018 case accepts 6,800 where the definition’s 6,600 would refuse', async () => {
    const admin = await as('admin');
    const current = (await admin.get('/api/rules/2018')).body;
    const { updatedAt: _at, updatedBy: _by, year: _year, ...figures } = current;
    const changed = await admin.put('/api/rules/2018', { ...figures, povertyLine: 7000, urbanDibaoStandard: 7800, placeholders: ['ruralMeanIncome'] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ year: 2018, povertyLine: 7000, urbanDibaoStandard: 7800, placeholders: ['ruralMeanIncome'] });
    const [audit] = await testApp.dataSource.query(`SELECT actor_username, target_id, details FROM audit_log WHERE kind = 'rules.changed'`);
    expect(audit).toMatchObject({
      actor_username: 'admin',
      target_id: '2018',
      details: {
        year: 2018,
        created: false,
        changed: {
          povertyLine: { from: 6600, to: 7000 },
          urbanDibaoStandard: { from: 7560, to: 7800 },
          placeholders: { from: ['ruralMeanIncome', 'urbanDibaoStandard'], to: ['ruralMeanIncome'] },
        },
      },
    });

    const h = await household('xh-officer', xinhuiVillage, { rural: false, perCapita: 6800, year: 2018 });
    const report = await eligibility('xh-officer', h.id, 2018);
    expect(report.entry.lines.find((l: { rule: string }) => l.rule === 'income')).toMatchObject({ threshold: 7000, pass: true });
    expect((await throughGuard('xh-officer', h, 'poverty-entry', 2018)).accepted).toBe(true);

    // The same figures judged by 2017's rules (6,600) are refused, by the file and by the guard.
    const h2017 = await household('xh-officer', xinhuiVillage, { rural: false, perCapita: 6800 });
    expect((await eligibility('xh-officer', h2017.id)).entry.pass).toBe(false);
    expect((await throughGuard('xh-officer', h2017, 'poverty-entry', 2017)).accepted).toBe(false);
  });

  it('saving the same figures again changes nothing and writes no audit row', async () => {
    const admin = await as('admin');
    const { updatedAt: _at, updatedBy: _by, year: _year, ...figures } = (await admin.get('/api/rules/2018')).body;
    expect((await admin.put('/api/rules/2018', figures)).status).toBe(200);
    const [{ count }] = await testApp.dataSource.query(`SELECT count(*)::int AS count FROM audit_log WHERE kind = 'rules.changed'`);
    expect(count).toBe(1);
  });

  it('refuses non-administrators, administrators below the city, and inconsistent figures — changing nothing', async () => {
    const admin = await as('admin');
    const { updatedAt: _at, updatedBy: _by, year: _year, ...figures } = (await admin.get('/api/rules/2017')).body;
    const officer = await (await as('ts-officer')).put('/api/rules/2017', figures);
    expect(officer.status).toBe(403);
    const created = await admin.post('/api/users', { username: 'xh-admin', displayName: '新会区管理员', password: PASSWORD, roles: ['administrator'], jurisdictionCode: '440705' });
    expect(created.status).toBe(201);
    const countyAdmin = await (await as('xh-admin')).put('/api/rules/2017', figures);
    expect(countyAdmin.status).toBe(403);
    expect(countyAdmin.body.details.code).toBe('CITY_ADMINISTRATOR_ONLY');
    const inverted = await admin.put('/api/rules/2017', { ...figures, ruralLowLine: 7000 });
    expect(inverted.status).toBe(422);
    expect(inverted.body.message).toBe('The rules are not valid: ruralLowLine must not be above povertyLine');
    const unknown = await admin.put('/api/rules/2017', { ...figures, lowLineCounties: ['440799'] });
    expect(unknown.status).toBe(422);
    const malformed = await admin.put('/api/rules/2017', { ...figures, povertyLine: -1 });
    expect(malformed.status).toBe(400);
    expect((await admin.get('/api/rules/2017')).body).toMatchObject({ povertyLine: 6600, ruralLowLine: 5040, updatedBy: null });
  });
});

describe('the file follows its cases', () => {
  it('a poverty-entry case that ends registered registers the household, as a version by the officer who concluded it', async () => {
    const h = await household('ts-officer', taishanVillage, { rural: true, perCapita: 4500 });
    const { case: submitted } = await throughGuard('ts-officer', h, 'poverty-entry', 2017, {});
    let c = await driver.act('ts-officer', submitted, 'submit', { measures: ['industry'], pairedUnit: '台山市农业农村局', responsiblePerson: '黄志强' });
    c = await driver.act('ts-officer', c, 'record', { meetingDate: '2017-06-10', attendance: 30, votesFor: 25, votesAgainst: 2, minutes: '同意。' });
    c = await driver.act('ts-reviewer', c, 'approve', { opinion: '同意。' });
    c = await driver.act('jm-approver', c, 'approve', {});
    testApp.clock.advance(8 * 86_400_000);
    c = await driver.act('ts-officer', c, 'conclude');
    expect(c.status).toBe('registered');

    const file = (await (await as('ts-officer')).get(`/api/households/${h.id}`)).body;
    expect(file).toMatchObject({ registerStatus: 'registered', registeredOn: '2017-06-23' });
    expect(file.cases).toEqual([expect.objectContaining({ id: c.id, workflow: 'poverty-entry', status: 'registered', finished: true })]);
    const versions = (await (await as('ts-officer')).get(`/api/households/${h.id}/versions`)).body;
    expect(versions.at(-1)).toMatchObject({
      kind: 'case-status',
      actorUsername: 'ts-officer',
      caseId: c.id,
      changes: [
        { path: 'registerStatus', from: 'none', to: 'registered' },
        { path: 'registeredOn', from: null, to: '2017-06-23' },
      ],
    });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });
});
