import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { CaseDriver, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// 临时救助 (temporary relief) drawn in a modeler: user tasks on lanes, a parallel split and
// join, an exclusive decision on the amount, a working-day deadline with an escalation and an
// interrupting ten-day timer on the city's approval (tests/fixtures/temporary-relief.bpmn).
const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'temporary-relief.bpmn');
const MONDAY = '2026-03-02T01:00:00Z';

let t: TestApp;
let cases: CaseDriver;
let admin: { Authorization: string };
let village: string;

beforeAll(async () => {
  t = await createTestApp({ now: MONDAY });
  cases = new CaseDriver(t);
  admin = { Authorization: `Bearer ${await t.login('admin')}` };
  // The village appraisal is a village officer's: one in a village of 端芬镇.
  [{ code: village }] = await t.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
  const created = await t.http
    .post('/api/users')
    .set(admin)
    .send({ username: 'ts-village-officer', displayName: '端芬村干部', password: 'Village-officer-2026!', roles: ['officer'], jurisdictionCode: village });
  expect(created.status).toBe(201);
});

afterAll(() => t.close());

const RELIEF = { householdName: '李大福', amount: 5000, hardship: 'illness', reason: '重病住院，无力支付医疗费用' };

async function villageOfficer(): Promise<string> {
  return t.login('ts-village-officer', 'Village-officer-2026!');
}

describe('a workflow drawn in BPMN', () => {
  it('is saved as a draft from the .bpmn file, validates, and is published as version 1', async () => {
    const draft = await t.http.put('/api/workflows/temporary-relief/draft').set(admin).send({ format: 'bpmn', source: readFileSync(FIXTURE, 'utf8') });
    expect(draft.status).toBe(200);
    const validation = await t.http.post('/api/workflows/temporary-relief/draft/validate').set(admin).send({});
    expect(validation.status).toBe(200);
    expect(validation.body.issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    const published = await t.http.post('/api/workflows/temporary-relief/draft/publish').set(admin).send({});
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ key: 'temporary-relief', version: 1 });
  });

  it('runs a case to the end through the API: both checks in parallel, the county decides, more than 3,000 yuan goes to the city', async () => {
    let c: CaseBody = await cases.start('ts-officer', 'temporary-relief', RELIEF, village);
    expect(c.currentSteps.map((s) => s.key).sort()).toEqual(['civilAffairsCheck', 'villageAppraisal']);
    // The parallel branches are offered to different people: the village appraisal to the village officer.
    const inbox = await t.http.get('/api/tasks').set('Authorization', `Bearer ${await villageOfficer()}`);
    expect(inbox.body.items.map((task: { caseId: string; step: { key: string } }) => [task.caseId, task.step.key])).toEqual([[c.id, 'villageAppraisal']]);

    c = await cases.act('ts-reviewer', c, 'checkPassed', {});
    const response = await t.http
      .post(`/api/cases/${c.id}/actions`)
      .set('Authorization', `Bearer ${await villageOfficer()}`)
      .send({ action: 'pass', data: { minutes: '村民代表会议同意' }, expectedVersion: c.version });
    expect(response.status).toBe(200);
    c = response.body;
    expect(c.currentSteps.map((s) => s.key)).toEqual(['countyReview']);
    c = await cases.act('ts-reviewer', c, 'decide', { opinion: '情况属实' });
    expect(c.currentSteps.map((s) => s.key)).toEqual(['cityApproval']);
    c = await cases.act('jm-approver', c, 'approve', { approvedAmount: 4000 });
    expect(c).toMatchObject({ status: 'approved', currentSteps: [{ key: 'approved' }], openTasks: [] });
    expect((await cases.verify('ts-officer', c.id)).body).toMatchObject({ valid: true });
  });

  it('ends at the county for 3,000 yuan or less', async () => {
    let c: CaseBody = await cases.start('ts-officer', 'temporary-relief', { ...RELIEF, amount: 3000 }, village);
    c = await cases.act('ts-reviewer', c, 'checkPassed', {});
    const passed = await t.http
      .post(`/api/cases/${c.id}/actions`)
      .set('Authorization', `Bearer ${await villageOfficer()}`)
      .send({ action: 'pass', data: { minutes: '同意' }, expectedVersion: c.version });
    c = await cases.act('ts-reviewer', passed.body, 'decide', {});
    expect(c).toMatchObject({ status: 'approved', currentSteps: [{ key: 'approved' }], openTasks: [] });
  });

  it("approves by itself when the city's ten days pass: the timer boundary event is a deadline the worker fires", async () => {
    let c: CaseBody = await cases.start('ts-officer', 'temporary-relief', { ...RELIEF, amount: 8000 }, village);
    c = await cases.act('ts-reviewer', c, 'checkPassed', {});
    const passed = await t.http
      .post(`/api/cases/${c.id}/actions`)
      .set('Authorization', `Bearer ${await villageOfficer()}`)
      .send({ action: 'pass', data: { minutes: '同意' }, expectedVersion: c.version });
    c = await cases.act('ts-reviewer', passed.body, 'decide', {});
    expect(c.currentSteps.map((s) => s.key)).toEqual(['cityApproval']);

    t.clock.advance(11 * 24 * 3600 * 1000);
    const firing = t.app.get(DeadlineFiringService);
    const due: { id: string; generation: number }[] = await t.dataSource.query(
      `SELECT id, generation FROM deadlines WHERE case_id = $1 AND status = 'pending' AND due_at <= $2 ORDER BY due_at, id`,
      [c.id, t.clock.now()],
    );
    for (const row of due) await firing.fire(row.id, row.generation);
    const after = (await cases.get('ts-officer', c.id)).body;
    expect(after).toMatchObject({ status: 'approved', currentSteps: [{ key: 'approved' }], openTasks: [] });
    const [last] = await t.dataSource.query(`SELECT actor_id, action FROM case_history WHERE case_id = $1 AND event_type = 'action' ORDER BY seq DESC LIMIT 1`, [c.id]);
    expect(last).toEqual({ actor_id: null, action: 'autoApprove' });
  });
});
