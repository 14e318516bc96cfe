import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  CaseDriver,
  COUNTY_APPROVAL,
  ELIGIBLE_PROPOSAL,
  HOUSEHOLD,
  PASSING_APPRAISAL,
  steps,
  SUPPORT_PLAN,
} from '../support/case-driver.js';

let testApp: TestApp;
let driver: CaseDriver;
let firing: DeadlineFiringService;

// Monday 2026-03-02 09:00 Beijing time: no holiday within the next weeks.
const MONDAY = '2026-03-02T01:00:00.000Z';

beforeEach(async () => {
  testApp = await createTestApp({ now: MONDAY });
  driver = new CaseDriver(testApp);
  firing = testApp.app.get(DeadlineFiringService);
});

afterEach(async () => {
  await testApp.close();
});

interface DeadlineRow {
  id: string;
  step: string;
  step_entry: number;
  kind: string;
  rung: number;
  due_at: Date;
  generation: number;
  status: string;
}

async function deadlines(caseId: string): Promise<DeadlineRow[]> {
  return testApp.dataSource.query(
    `SELECT id, step, step_entry, kind, rung, due_at, generation, status FROM deadlines WHERE case_id = $1 ORDER BY step, kind, rung`,
    [caseId],
  );
}

/** What the worker does when the clock passes: fire every pending row that is due. */
async function fireDue(): Promise<string[]> {
  const due: { id: string; generation: number }[] = await testApp.dataSource.query(
    `SELECT id, generation FROM deadlines WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id`,
    [testApp.clock.now()],
  );
  const results: string[] = [];
  for (const row of due) results.push(await firing.fire(row.id, row.generation));
  return results;
}

async function history(caseId: string): Promise<{ event_type: string; action: string | null; payload: Record<string, unknown> }[]> {
  return testApp.dataSource.query(`SELECT event_type, action, payload FROM case_history WHERE case_id = $1 ORDER BY seq`, [caseId]);
}


describe('deadline rows follow the step visits', () => {
  it('starts the due time, reminder and escalation rungs on the statutory calendar', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const rows = await deadlines(c.id);
    // propose: 10wd from Monday 2026-03-02 → Monday 2026-03-16 17:30 Beijing; reminder 2wd before;
    // rungs at the due time, 5wd and 10wd after it.
    expect(rows.map((r) => [r.kind, r.rung, r.due_at.toISOString(), r.status])).toEqual([
      ['due', 0, '2026-03-16T09:30:00.000Z', 'pending'],
      ['escalation', 1, '2026-03-16T09:30:00.000Z', 'pending'],
      ['escalation', 2, '2026-03-23T09:30:00.000Z', 'pending'],
      ['escalation', 3, '2026-03-30T09:30:00.000Z', 'pending'],
      ['reminder', 0, '2026-03-12T09:30:00.000Z', 'pending'],
    ]);
    const moved = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const after = await deadlines(moved.id);
    expect(after.filter((r) => r.step === 'propose').every((r) => r.status === 'cancelled')).toBe(true);
    expect(after.filter((r) => r.step === 'support' && r.status === 'pending')).toHaveLength(4);
  });

  it('stops the clock on a return for correction and resumes it with the time left and the reminders', async () => {
    let c = await driver.entryAtCountyReview();
    const first = (await deadlines(c.id)).filter((r) => r.step === 'countyReview');
    const due = first.find((r) => r.kind === 'due')!;
    // countyReview: 10wd from Monday 2026-03-02 → 2026-03-16.
    expect(due.due_at.toISOString()).toBe('2026-03-16T09:30:00.000Z');

    // Three working days later (Thursday) the reviewer returns the case: 7 working days are left.
    testApp.clock.set('2026-03-05T02:00:00.000Z');
    c = await driver.act('ts-reviewer', c, 'return', { reason: '家庭成员信息有误' });
    const paused = (await deadlines(c.id)).filter((r) => r.step === 'countyReview');
    expect(paused.map((r) => r.status)).toEqual(['paused', 'paused', 'paused', 'paused']);

    // The town corrects it the following Monday and it comes back to the county.
    testApp.clock.set('2026-03-09T02:00:00.000Z');
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    expect(steps(c)).toEqual(['countyReview']);
    const resumed = (await deadlines(c.id)).filter((r) => r.step === 'countyReview');
    // 7 working days from Monday 2026-03-09 → Wednesday 2026-03-18.
    expect(resumed.map((r) => [r.kind, r.rung, r.step_entry, r.status, r.generation, r.due_at.toISOString()])).toEqual([
      ['due', 0, 2, 'pending', 2, '2026-03-18T09:30:00.000Z'],
      ['escalation', 1, 2, 'pending', 2, '2026-03-18T09:30:00.000Z'],
      ['escalation', 2, 2, 'pending', 2, '2026-03-25T09:30:00.000Z'],
      ['reminder', 0, 2, 'pending', 2, '2026-03-16T09:30:00.000Z'],
    ]);
    // The jobs of the first visit are stale now: the generation moved on.
    expect(await firing.fire(due.id, due.generation)).toBe('stale');
  });
});

describe('firing', () => {
  it('reminds, marks overdue and escalates once each, as history events and notifications', async () => {
    await testApp.dataSource.query(`UPDATE users SET email = username || '@example.gov.cn'`);
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    testApp.clock.set('2026-03-12T09:30:00.000Z');
    expect(await fireDue()).toEqual(['fired']);
    expect(await fireDue()).toEqual([]);
    testApp.clock.set('2026-03-16T09:30:00.000Z');
    expect(await fireDue()).toEqual(['fired', 'fired']);

    const events = (await history(c.id)).filter((h) => h.event_type === 'deadline').map((h) => h.action);
    expect(events).toEqual(['reminder', 'due', 'escalation']);
    const notified: { username: string; kind: string }[] = await testApp.dataSource.query(
      `SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.case_id = $1 ORDER BY n.kind, u.username`,
      [c.id],
    );
    // The town's officers are reminded and told it is overdue; 台山's supervisor gets the first rung.
    expect(notified).toEqual([
      { username: 'ts-officer', kind: 'deadline-due' },
      { username: 'ts-officer2', kind: 'deadline-due' },
      { username: 'ts-supervisor', kind: 'deadline-escalation' },
      { username: 'ts-officer', kind: 'deadline-reminder' },
      { username: 'ts-officer2', kind: 'deadline-reminder' },
    ]);
    // Firing the same rows again changes nothing.
    const fired: DeadlineRow[] = (await deadlines(c.id)).filter((r) => r.status === 'fired');
    for (const row of fired) expect(await firing.fire(row.id, row.generation)).toBe('stale');
    expect((await history(c.id)).filter((h) => h.event_type === 'deadline')).toHaveLength(3);
    const verify = await driver.verify('ts-officer', c.id);
    expect(verify.body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('fires timers of one case that fall due together, and an action at the same moment, without colliding', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    testApp.clock.set('2026-03-16T09:30:00.000Z');
    // The due time and the first escalation rung share their time; an officer acts at once too.
    const due = (await deadlines(c.id)).filter((r) => r.status === 'pending' && r.due_at.getTime() <= testApp.clock.now().getTime());
    expect(due.map((r) => r.kind).sort()).toEqual(['due', 'escalation', 'reminder']);
    const [fired, acted] = await Promise.all([
      Promise.all(due.map((r) => firing.fire(r.id, r.generation))),
      driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL),
    ]);
    expect(acted.status).toBe(200);
    // Each firing either got in before the action or found its step left behind.
    for (const result of fired) expect(['fired', 'stale']).toContain(result);
    const seqs: { seq: number }[] = await testApp.dataSource.query(`SELECT seq FROM case_history WHERE case_id = $1 ORDER BY seq`, [c.id]);
    expect(seqs.map((r) => r.seq)).toEqual(seqs.map((_, i) => i + 1));
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('does nothing for a deadline whose step the case has left, or that is not due yet', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const [due] = (await deadlines(c.id)).filter((r) => r.kind === 'due');
    expect(await firing.fire(due.id, due.generation)).toBe('early');
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    testApp.clock.set('2026-04-30T09:30:00.000Z');
    expect(await firing.fire(due.id, due.generation)).toBe('stale');
    expect((await history(c.id)).filter((h) => h.event_type === 'deadline')).toEqual([]);
  });

  it('climbs the whole ladder of a step and ends in an accountability interview of the county', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    testApp.clock.set('2026-04-01T02:00:00.000Z');
    expect(await fireDue()).toEqual(['fired', 'fired', 'fired', 'fired', 'fired']);
    const events = (await history(c.id)).filter((h) => h.event_type === 'deadline').map((h) => h.action);
    expect(events).toEqual(['reminder', 'due', 'escalation', 'escalation', 'escalation', 'case-opened']);

    const interviews: { workflow_key: string; jurisdiction_code: string; title: string; data: Record<string, unknown> }[] =
      await testApp.dataSource.query(`SELECT workflow_key, jurisdiction_code, title, data FROM cases WHERE workflow_key = 'accountability-interview'`);
    expect(interviews).toEqual([
      expect.objectContaining({ jurisdiction_code: '440781', title: '台山市', data: expect.objectContaining({ unitCode: '440781', subjectCaseId: c.id }) }),
    ]);
    // The interview is waiting for the city supervisor to issue the notice.
    const tasks = await testApp.dataSource.query(
      `SELECT t.step, t.role, t.jurisdiction_code FROM tasks t JOIN cases k ON k.id = t.case_id WHERE k.workflow_key = 'accountability-interview' AND t.status = 'open'`,
    );
    expect(tasks).toEqual([{ step: 'issueNotice', role: 'supervisor', jurisdiction_code: '440700' }]);
  });

  it('ends a quiet notice period by itself, through the system action', async () => {
    let c = await driver.entryAtCountyReview();
    c = await driver.act('ts-reviewer', c, 'approve', COUNTY_APPROVAL);
    c = await driver.act('jm-approver', c, 'approve', {});
    expect(steps(c)).toEqual(['publicNotice']);
    // 7 natural days from Monday 2026-03-02 → Monday 2026-03-09 17:30 Beijing.
    testApp.clock.set('2026-03-09T09:29:00.000Z');
    expect(await fireDue()).toEqual([]);
    testApp.clock.set('2026-03-09T09:30:00.000Z');
    expect(await fireDue()).toEqual(['fired']);
    const after = await driver.get('ts-officer', c.id);
    expect(after.body).toMatchObject({ status: 'registered', finished: true });
    const last = (await history(c.id)).at(-1)!;
    expect(last).toMatchObject({ event_type: 'action', action: 'conclude' });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });
});

describe('the calendar of a year not yet published', () => {
  it('marks deadlines beyond it provisional and recomputes them, with a history entry, when the year is published', async () => {
    // Monday 2026-12-28: 10 working days reach into 2027, which the shipped data does not know.
    testApp.clock.set('2026-12-28T01:00:00.000Z');
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const before = (await deadlines(c.id)).find((r) => r.kind === 'due')!;
    // Weekends only: 29, 30, 31 Dec, 1, 4, 5, 6, 7, 8, 11 Jan.
    expect(before.due_at.toISOString()).toBe('2027-01-11T09:30:00.000Z');
    const [{ provisional }] = await testApp.dataSource.query(`SELECT provisional FROM deadlines WHERE id = $1`, [before.id]);
    expect(provisional).toBe(true);

    const admin = await driver.token('admin');
    const officer = await testApp.http
      .put('/api/calendar/years/2027')
      .set('Authorization', `Bearer ${await driver.token('ts-officer')}`)
      .send({ holidays: ['2027-01-01'], workdays: [] });
    expect(officer.status).toBe(403);
    const invalid = await testApp.http
      .put('/api/calendar/years/2027')
      .set('Authorization', `Bearer ${admin}`)
      .send({ holidays: ['2027-01-01'], workdays: ['2027-01-06'] });
    expect(invalid.status).toBe(400); // 2027-01-06 is a Wednesday: not a make-up weekend day
    for (const [path, body] of [
      ['/api/calendar/years/0', { holidays: [], workdays: [] }],
      ['/api/calendar/years/abc', { holidays: [], workdays: [] }],
      ['/api/calendar/years/2027', { holidays: ['2027-02-31'], workdays: [] }],
      ['/api/calendar/years/2027', { holidays: ['2028-01-01'], workdays: [] }],
      ['/api/calendar/years/2027', { holidays: 'all', workdays: [] }],
    ] as const) {
      const bad = await testApp.http.put(path).set('Authorization', `Bearer ${admin}`).send(body);
      expect([path, bad.status]).toEqual([path, 400]);
    }
    expect((await testApp.http.get('/api/calendar/years/0').set('Authorization', `Bearer ${admin}`)).status).toBe(400);

    // A made-up 2027 schedule for the test (the real one is published by the State Council):
    // New Year 2027-01-01..03 off; Spring Festival not within reach of this deadline.
    const published = await testApp.http
      .put('/api/calendar/years/2027')
      .set('Authorization', `Bearer ${admin}`)
      .send({ holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], workdays: [] });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ year: 2027, published: true, recomputedDeadlines: expect.any(Number) });

    const after = (await deadlines(c.id)).find((r) => r.kind === 'due')!;
    // 1 January is now a holiday: one working day later.
    expect(after.due_at.toISOString()).toBe('2027-01-12T09:30:00.000Z');
    expect(after.generation).toBe(before.generation + 1);
    const [{ provisional: still }] = await testApp.dataSource.query(`SELECT provisional FROM deadlines WHERE id = $1`, [after.id]);
    expect(still).toBe(false);
    const recomputed = (await history(c.id)).filter((h) => h.event_type === 'deadline' && h.action === 'recomputed');
    expect(recomputed).toHaveLength(1);
    expect(recomputed[0].payload).toMatchObject({ step: 'propose', calendarYear: 2027 });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });
});

describe('the circular of units with overdue work', () => {
  it('lists the counties and towns whose steps went overdue in a period, worst first, within the reader’s jurisdiction', async () => {
    const a = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '李秀兰' });
    const kp = await driver.start('kp-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '关少芬' });
    // The 开平 case is settled in time (withdrawn); the 台山 ones are not.
    await driver.act('kp-officer', kp, 'cancel', { reason: '农户撤回申请' });
    testApp.clock.set('2026-03-17T02:00:00.000Z');
    await fireDue();
    await driver.act('ts-officer', a, 'submit', ELIGIBLE_PROPOSAL); // late, but done now

    const read = async (username: string, from = '2026-03-01', to = '2026-03-31') =>
      testApp.http.get(`/api/alerts/circular?from=${from}&to=${to}`).set('Authorization', `Bearer ${await driver.token(username)}`);
    const city = await read('jm-supervisor');
    expect(city.status).toBe(200);
    expect(city.body.title).toBe('关于2026-03-01至2026-03-31扶贫工作逾期情况的通报');
    expect(city.body.units).toEqual([
      {
        code: '440781',
        name: '台山市',
        overdue: 2,
        stillOpen: 1,
        escalations: 2,
        towns: [{ code: '440781109', name: '台山市端芬镇', overdue: 2, stillOpen: 1 }],
      },
    ]);
    expect((await read('kp-reviewer')).status).toBe(403);
    expect((await read('jm-supervisor', '2026-04-01', '2026-04-30')).body.units).toEqual([]);
    expect((await read('jm-supervisor', '2026-03-31', '2026-03-01')).status).toBe(400);
    expect((await read('jm-supervisor', 'yesterday', '2026-03-01')).status).toBe(400);
    expect((await read('jm-supervisor', '2026-02-01', '2026-02-31')).status).toBe(400);
  });
});
