import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, COUNTY_APPROVAL, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';

let testApp: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  testApp = await createTestApp({ now: '2026-03-02T01:00:00.000Z' });
  driver = new CaseDriver(testApp);
}, 60_000);

afterAll(async () => {
  await testApp.close();
}, 30_000);

interface BatchItem {
  taskId: string;
  action: string;
  data?: Record<string, unknown>;
  comment?: string;
  expectedVersion: number;
}

async function batch(username: string, body: unknown) {
  return testApp.http
    .post('/api/tasks/batch')
    .set('Authorization', `Bearer ${await driver.token(username)}`)
    .send(body as object);
}

function approveItem(c: CaseBody, expectedVersion = c.version): BatchItem {
  return { taskId: c.openTasks[0].id, action: 'approve', data: COUNTY_APPROVAL, expectedVersion };
}

describe('POST /api/tasks/batch', () => {
  it('approves 50 cases at the county review for the same reviewer: 47 succeed, 3 stale versions get 409 and stay', async () => {
    const cases: CaseBody[] = [];
    for (let i = 0; i < 50; i++) cases.push(await driver.entryAtCountyReview());
    const inbox = await testApp.http.get('/api/tasks').query({ limit: 200 }).set('Authorization', `Bearer ${await driver.token('ts-reviewer')}`);
    expect(inbox.body.items).toHaveLength(50);
    const stale = new Set([cases[3].id, cases[17].id, cases[42].id]);

    const response = await batch('ts-reviewer', {
      items: cases.map((c) => approveItem(c, stale.has(c.id) ? c.version - 1 : c.version)),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: 47, failed: 3 });
    expect(response.body.results).toHaveLength(50);
    for (const [i, c] of cases.entries()) {
      const result = response.body.results[i];
      if (stale.has(c.id)) {
        expect(result).toMatchObject({ taskId: c.openTasks[0].id, status: 409, caseId: c.id, error: { code: 'VERSION_CONFLICT' } });
      } else {
        expect(result).toEqual({ taskId: c.openTasks[0].id, status: 200, caseId: c.id, version: c.version + 1 });
      }
    }

    for (const c of cases) {
      const now = await driver.get('ts-reviewer', c.id);
      expect(now.status).toBe(200);
      if (stale.has(c.id)) {
        expect([c.id, now.body.version, steps(now.body)]).toEqual([c.id, c.version, ['countyReview']]);
      } else {
        expect([c.id, now.body.version, steps(now.body)]).toEqual([c.id, c.version + 1, ['cityApproval']]);
      }
    }
    // The three left are still the reviewer's; the 47 are the city approver's now.
    const left = await testApp.http.get('/api/tasks').set('Authorization', `Bearer ${await driver.token('ts-reviewer')}`);
    expect(left.body.items.map((i: { caseId: string }) => i.caseId).sort()).toEqual([...stale].sort());
    const city = await testApp.http.get('/api/tasks').query({ limit: 200 }).set('Authorization', `Bearer ${await driver.token('jm-approver')}`);
    expect(city.body.items).toHaveLength(47);
  }, 120_000);

  it('answers each item on its own: 404 for tasks that are not yours, 422 and 400 as the action would; a bad body is a 400 for the whole batch', async () => {
    const mine = await driver.entryAtCountyReview();
    const other = await driver.entryAtCountyReview();
    const third = await driver.entryAtCountyReview();
    const atTown = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const kaiping = await driver.start('kp-officer', 'poverty-entry', HOUSEHOLD);
    const closed = await driver.entryAtCountyReview();
    const closedTask = closed.openTasks[0].id;
    await driver.act('ts-reviewer', closed, 'approve', COUNTY_APPROVAL);

    const response = await batch('ts-reviewer', {
      items: [
        approveItem(mine),
        { taskId: other.openTasks[0].id, action: 'conclude', expectedVersion: other.version }, // not an action of the step
        { taskId: atTown.openTasks[0].id, action: 'submit', expectedVersion: 0 }, // the town's task, not offered to a reviewer
        { taskId: kaiping.openTasks[0].id, action: 'approve', expectedVersion: 0 }, // another county
        { taskId: closedTask, action: 'approve', expectedVersion: closed.version }, // no longer open
        { taskId: '6f1c2b7e-0000-4000-8000-000000000000', action: 'approve', expectedVersion: 0 }, // no such task
        { taskId: third.openTasks[0].id.toUpperCase(), action: 'approve', data: { opinion: 7 }, expectedVersion: third.version }, // invalid form input
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { status: number; error?: { code: string } }) => [r.status, r.error?.code])).toEqual([
      [200, undefined],
      [422, 'ACTION_NOT_IN_STEP'],
      [404, 'TASK_NOT_FOUND'],
      [404, 'TASK_NOT_FOUND'],
      [404, 'TASK_NOT_FOUND'],
      [404, 'TASK_NOT_FOUND'],
      [400, 'INVALID_INPUT'],
    ]);
    expect(response.body).toMatchObject({ succeeded: 1, failed: 6 });

    // The town's task is the town officer's to act on.
    const officer = await batch('ts-officer', { items: [{ taskId: atTown.openTasks[0].id, action: 'cancel', data: { reason: '农户撤回申请' }, expectedVersion: 0 }] });
    expect(officer.body.results[0]).toMatchObject({ status: 200, version: 1 });

    const bad: unknown[] = [
      {},
      { items: [] },
      { items: 'all' },
      { items: Array.from({ length: 201 }, () => approveItem(other)) },
      { items: [approveItem(other), approveItem(other)] },
      { items: [{ ...approveItem(other), taskId: 'task-1' }] },
      { items: [{ ...approveItem(other), action: 'approve now' }] },
      { items: [{ ...approveItem(other), expectedVersion: -1 }] },
      { items: [{ ...approveItem(other), expectedVersion: '3' }] },
      { items: [{ ...approveItem(other), data: 'yes' }] },
      { items: [{ ...approveItem(other), extra: true }] },
      { items: [{ taskId: other.openTasks[0].id, action: 'approve' }] },
    ];
    for (const body of bad) {
      const refused = await batch('ts-reviewer', body);
      expect([JSON.stringify(body).slice(0, 80), refused.status]).toEqual([JSON.stringify(body).slice(0, 80), 400]);
      expect(refused.body.details.code).toMatch(/^(VALIDATION_FAILED|DUPLICATE_TASK)$/);
    }
    // Nothing of the refused batches ran.
    expect((await driver.get('ts-reviewer', other.id)).body.version).toBe(other.version);
  }, 120_000);

  it('refuses an action the engine does not allow the caller with a per-item 403', async () => {
    // A task assigned to the town officer at the county's step (a transfer gone wrong): visible, but not theirs to take.
    const c = await driver.entryAtCountyReview();
    const [officer] = await testApp.dataSource.query(`SELECT id FROM users WHERE username = 'ts-officer'`);
    await testApp.dataSource.query(`UPDATE tasks SET assignee_id = $2 WHERE id = $1`, [c.openTasks[0].id, officer.id]);
    const response = await batch('ts-officer', { items: [approveItem(c)] });
    expect(response.status).toBe(200);
    expect(response.body.results[0]).toMatchObject({ status: 403, caseId: c.id, error: { code: 'ROLE_NOT_ALLOWED' } });
    expect(response.body).toMatchObject({ succeeded: 0, failed: 1 });
  }, 60_000);
});
