import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../support/case-driver.js';
import { seedWorkflowSource } from '../support/seed-workflows.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * What-if counts a clock paused for correction (补正) as the engine does: a case's overdue
 * steps now (the engine's timers) and under a draft equal to its version (the timers the
 * replayed history gives) agree with each other and with the supervisors' overdue list.
 */
let t: TestApp;
let driver: CaseDriver;

/** Beijing time. */
const at = (beijing: string) => new Date(`${beijing}+08:00`).toISOString();

beforeAll(async () => {
  t = await createTestApp({ now: at('2026-03-02T10:00:00') });
  driver = new CaseDriver(t);
});

afterAll(async () => {
  await t.close();
});

it('does not count the time a case spent returned for correction: overdue when the engine says so, now and under the draft', async () => {
  const admin = { Authorization: `Bearer ${await driver.token('admin')}` };
  // 精准扶持 (10wd) entered on Monday 03-02 10:00 (March 2026 has no holiday), returned for
  // correction on Friday 03-13 with one working day left, sent on again on Monday 03-23 after
  // six working days away: due Tuesday 03-24 17:30.
  let c = await driver.act('ts-officer', await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD), 'submit', ELIGIBLE_PROPOSAL);
  t.clock.set(at('2026-03-13T10:00:00'));
  c = await driver.act('ts-officer', c, 'return', { reason: '家庭成员信息不全' });
  t.clock.set(at('2026-03-23T10:00:00'));
  c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
  const unchanged = { format: 'yaml', source: seedWorkflowSource('poverty-entry'), caseIds: [c.id] };

  // Sixteen working days after the step began, but ten on the clock: not overdue.
  t.clock.set(at('2026-03-24T12:00:00'));
  let response = await t.http.post('/api/workflows/poverty-entry/what-if').set(admin).send(unchanged);
  expect(response.status).toBe(200);
  expect(response.body.cases).toEqual([expect.objectContaining({ outcome: 'same', overdueNow: [], overdueUnderDraft: [] })]);

  // The next morning it is, by the one working day that was left — not by 10wd from the return.
  t.clock.set(at('2026-03-25T10:00:00'));
  response = await t.http.post('/api/workflows/poverty-entry/what-if').set(admin).send(unchanged);
  const overdue = {
    step: 'support',
    enteredAt: at('2026-03-23T10:00:00'),
    duration: '10wd',
    dueAt: at('2026-03-24T17:30:00'),
    resumed: { at: at('2026-03-23T10:00:00'), remaining: '1wd' },
  };
  expect(response.body.cases).toEqual([expect.objectContaining({ outcome: 'same', overdueNow: [overdue], overdueUnderDraft: [overdue] })]);
  expect(response.body.totals).toMatchObject({ cases: 1, overdueNow: 1, overdueUnderDraft: 1 });

  // The supervisors' overdue list has the task with the same due time.
  const alerts = await t.http.get('/api/alerts/overdue').set('Authorization', `Bearer ${await driver.token('ts-supervisor')}`);
  expect(alerts.body.items.map((item: { caseId: string; step: { key: string }; dueAt: string }) => [item.caseId, item.step.key, item.dueAt])).toEqual([[c.id, 'support', overdue.dueAt]]);
});
