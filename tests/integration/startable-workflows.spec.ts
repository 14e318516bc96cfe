import { CaseDriver } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /api/workflows/startable — what the web app's "new case" page offers — against the
 * start rule of POST /api/cases: every workflow listed starts, nothing refused is listed.
 */

const MONDAY = '2026-03-02T01:00:00.000Z';

interface Startable {
  key: string;
  label: string;
  version: number;
  start: { role: string; level: string; fields: Record<string, unknown> };
  jurisdiction: { level: string; required: boolean };
  household: { statuses: string[]; fromFile: string[] } | null;
  calledBy: { key: string }[];
}

describe('GET /api/workflows/startable', () => {
  let t: TestApp;
  let driver: CaseDriver;
  const as = async (username: string) => ({ Authorization: `Bearer ${await driver.token(username)}` });
  const startable = async (username: string): Promise<Startable[]> => {
    const response = await t.http.get('/api/workflows/startable').set(await as(username));
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    t = await createTestApp({ now: MONDAY });
    driver = new CaseDriver(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('gives a town officer the town’s procedures, each start form in the file’s order, and says which start from a household file', async () => {
    const officer = await startable('ts-officer');
    expect(officer.map((w) => w.key)).toEqual(['disaster-reentry', 'objection-investigation', 'poverty-entry', 'poverty-exit']);
    const entry = officer.find((w) => w.key === 'poverty-entry')!;
    const summaries: { key: string; latestVersion: number }[] = (await t.http.get('/api/workflows').set(await as('ts-officer'))).body;
    expect(entry.version).toBe(summaries.find((s) => s.key === 'poverty-entry')!.latestVersion);
    expect(entry).toMatchObject({ label: '贫困户识别（建档立卡）', start: { role: 'officer', level: 'town' }, jurisdiction: { level: 'town', required: false } });
    expect(Object.keys(entry.start.fields)).toEqual(['householdName', 'rural', 'memberCount', 'address', 'householderId']);
    expect(entry.household).toEqual({ statuses: ['none'], fromFile: ['householdName', 'rural', 'memberCount', 'address', 'householderId'] });
    expect(officer.find((w) => w.key === 'disaster-reentry')!.household).toEqual({ statuses: ['exited'], fromFile: ['householdName'] });
    const investigation = officer.find((w) => w.key === 'objection-investigation')!;
    expect(investigation.household).toBeNull();
    expect(investigation.calledBy.map((w) => w.key)).toEqual(['poverty-entry']);

    // What is listed starts, in the town or one of its villages, with the form as listed.
    const village = '440781109201';
    const started = await t.http
      .post('/api/cases')
      .set(await as('ts-officer'))
      .send({ workflow: 'objection-investigation', jurisdiction: village, data: { householdName: '陈某', objection: '家中有两辆小汽车。' } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ jurisdictionCode: village, currentSteps: [expect.objectContaining({ key: 'investigate' })] });
  });

  it('gives the city supervisor the accountability procedures, placed in a county; the city itself is refused', async () => {
    const supervisor = await startable('jm-supervisor');
    expect(supervisor.map((w) => [w.key, w.jurisdiction])).toEqual([
      ['accountability-interview', { level: 'county', required: true }],
      ['rectification', { level: 'county', required: true }],
    ]);
    expect(Object.keys(supervisor[1].start.fields)).toEqual(['unitCode', 'unitName', 'problems', 'circularNo']);

    const data = { unitCode: '440781', unitName: '台山市', problems: '帮扶措施落实不到位。' };
    const inCity = await t.http.post('/api/cases').set(await as('jm-supervisor')).send({ workflow: 'rectification', data });
    expect(inCity.status).toBe(422);
    expect(inCity.body.details).toMatchObject({ code: 'INVALID_JURISDICTION', placementLevel: 'county' });
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM cases WHERE workflow_key = 'rectification'`)).toEqual([{ n: 0 }]);
    const inCounty = await t.http.post('/api/cases').set(await as('jm-supervisor')).send({ workflow: 'rectification', data, jurisdiction: '440781' });
    expect(inCounty.status).toBe(201);
  });

  it('gives nothing to those who start nothing: an auditor, a county supervisor and reviewer, an approver — and they are refused', async () => {
    for (const username of ['auditor', 'ts-supervisor', 'ts-reviewer', 'jm-approver', 'admin']) expect([username, await startable(username)]).toEqual([username, []]);
    const refused = await t.http
      .post('/api/cases')
      .set(await as('auditor'))
      .send({ workflow: 'rectification', data: { unitCode: '440781', unitName: '台山市', problems: '—' }, jurisdiction: '440781' });
    expect(refused.status).toBe(403);
    expect(refused.body.details.code).toBe('START_NOT_ALLOWED');
    expect((await t.http.get('/api/workflows/startable')).status).toBe(401);
  });

  it('leaves out a workflow whose newest version is deprecated, until it is restored', async () => {
    const admin = await as('admin');
    expect((await t.http.post('/api/workflows/objection-investigation/versions/1/deprecate').set(admin)).status).toBe(200);
    expect((await startable('ts-officer')).map((w) => w.key)).not.toContain('objection-investigation');
    expect((await t.http.post('/api/workflows/objection-investigation/versions/1/restore').set(admin)).status).toBe(200);
    expect((await startable('ts-officer')).map((w) => w.key)).toContain('objection-investigation');
  });

  it('names the fields a household file fills: a re-entry from an exited file starts with the others alone', async () => {
    const officer = await as('ts-officer');
    const household = await t.http
      .post('/api/households')
      .set(officer)
      .send({
        villageCode: '440781109201',
        headName: '谭返贫',
        rural: true,
        registerStatus: 'exited',
        registeredOn: '2016-10-01',
        exitedOn: '2017-12-20',
        members: [{ name: '谭返贫', relation: '户主', age: 52, labourAbility: true }],
      });
    expect(household.status).toBe(201);
    const reentry = (await startable('ts-officer')).find((w) => w.key === 'disaster-reentry')!;
    const asked = Object.keys(reentry.start.fields).filter((field) => !reentry.household!.fromFile.includes(field));
    expect(asked).toEqual(['disasterType', 'disasterDate', 'lossDescription']);
    const values: Record<string, unknown> = { disasterType: 'typhoon', disasterDate: '2026-02-20', lossDescription: '房屋受损。' };
    const start = (data: Record<string, unknown>) => t.http.post(`/api/households/${household.body.id}/cases`).set(officer).send({ workflow: 'disaster-reentry', data });
    // A field the file fills may not be given.
    const overriding = await start({ ...values, householdName: '别人' });
    expect(overriding.status).toBe(422);
    expect(overriding.body.details.fields).toEqual(['householdName']);
    expect((await start(Object.fromEntries(asked.map((field) => [field, values[field]])))).status).toBe(201);
  });
});
