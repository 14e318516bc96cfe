import { DEMO_USERS } from '../../src/database/seed-demo.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, COUNTY_APPROVAL, ELIGIBLE_PROPOSAL, HOUSEHOLD, PASSING_APPRAISAL, steps, SUPPORT_PLAN, type CaseBody } from '../support/case-driver.js';

let testApp: TestApp;
let driver: CaseDriver;

// Monday 2026-03-02 09:00 Beijing time.
const MONDAY = '2026-03-02T01:00:00.000Z';

beforeEach(async () => {
  testApp = await createTestApp({ now: MONDAY });
  driver = new CaseDriver(testApp);
}, 60_000);

afterEach(async () => {
  await testApp.close();
}, 30_000);

interface InboxItem {
  taskId: string;
  caseId: string;
  caseVersion: number;
  workflow: { key: string; version: number; label: string };
  step: { key: string; label: string | null };
  role: string;
  level: string;
  jurisdictionCode: string;
  caseJurisdictionCode: string;
  title: string | null;
  dueAt: string | null;
  overdue: boolean;
  openedAt: string;
  assignment: string;
  assigneeId: string | null;
  ownerId: string | null;
}

async function inbox(username: string, query: Record<string, string | number | boolean> = {}) {
  return testApp.http
    .get('/api/tasks')
    .query(query)
    .set('Authorization', `Bearer ${await driver.token(username)}`);
}

async function items(username: string, query: Record<string, string | number | boolean> = {}): Promise<InboxItem[]> {
  const response = await inbox(username, query);
  expect(response.status).toBe(200);
  return response.body.items as InboxItem[];
}

async function userId(username: string): Promise<string> {
  const [row] = await testApp.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]);
  return row.id;
}

/** The due time of the 'due' timer of the case's current visit of `step`, from the deadline rows. */
async function dueOf(caseId: string, step: string): Promise<string> {
  const [row] = await testApp.dataSource.query(
    `SELECT d.due_at FROM deadlines d JOIN tasks t ON t.case_id = d.case_id AND t.step = d.step AND t.step_entry = d.step_entry
      WHERE d.case_id = $1 AND d.step = $2 AND d.kind = 'due' AND t.status = 'open'`,
    [caseId, step],
  );
  return (row.due_at as Date).toISOString();
}

/** Every demo user's inbox, as the case ids it holds for `caseId` (username → steps). */
async function whoHas(caseId: string): Promise<Record<string, string[]>> {
  const holders: Record<string, string[]> = {};
  for (const user of DEMO_USERS) {
    const mine = (await items(user.username)).filter((i) => i.caseId === caseId);
    if (mine.length > 0) holders[user.username] = mine.map((i) => i.step.key);
  }
  return holders;
}

describe('tasks.due_at', () => {
  it("is the due time of the visit's deadline, after a return and resume, and after a calendar recompute", async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    let [item] = await items('ts-officer');
    expect(item).toMatchObject({ caseId: c.id, step: { key: 'propose' }, dueAt: await dueOf(c.id, 'propose') });
    expect(item.dueAt).toBe('2026-03-16T09:30:00.000Z');

    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    [item] = await items('ts-reviewer');
    expect(item).toMatchObject({ caseId: c.id, step: { key: 'countyReview' }, dueAt: '2026-03-16T09:30:00.000Z' });

    // Returned on Thursday with 7 working days left, resumed the next Monday: due Wednesday 18th.
    testApp.clock.set('2026-03-05T02:00:00.000Z');
    c = await driver.act('ts-reviewer', c, 'return', { reason: '家庭成员信息有误' });
    expect(await items('ts-reviewer')).toEqual([]);
    testApp.clock.set('2026-03-09T02:00:00.000Z');
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    expect(steps(c)).toEqual(['countyReview']);
    [item] = await items('ts-reviewer');
    expect(item).toMatchObject({ caseId: c.id, caseVersion: c.version, dueAt: '2026-03-18T09:30:00.000Z' });
    expect(item.dueAt).toBe(await dueOf(c.id, 'countyReview'));
  }, 60_000);

  it('moves with the deadline when a published calendar recomputes it', async () => {
    // Monday 2026-12-28: 10 working days reach into 2027, not yet published (provisional).
    testApp.clock.set('2026-12-28T01:00:00.000Z');
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect((await items('ts-officer'))[0].dueAt).toBe('2027-01-11T09:30:00.000Z');
    const published = await testApp.http
      .put('/api/calendar/years/2027')
      .set('Authorization', `Bearer ${await driver.token('admin')}`)
      .send({ holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], workdays: [] });
    expect(published.status).toBe(200);
    const [item] = await items('ts-officer');
    expect(item.dueAt).toBe('2027-01-12T09:30:00.000Z');
    expect(item.dueAt).toBe(await dueOf(c.id, 'propose'));
  }, 60_000);
});

describe('GET /api/tasks', () => {
  it("follows a 台山 case from the town's officers to the county reviewer to the city approver, and nobody else", async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect(await whoHas(c.id)).toEqual({ 'ts-officer': ['propose'], 'ts-officer2': ['propose'] });
    const [item] = await items('ts-officer2');
    expect(item).toEqual({
      taskId: c.openTasks[0].id,
      caseId: c.id,
      caseVersion: 0,
      workflow: { key: 'poverty-entry', version: 4, label: '贫困户识别（建档立卡）' },
      step: { key: 'propose', label: '拟选对象' },
      role: 'officer',
      level: 'town',
      jurisdictionCode: '440781109',
      caseJurisdictionCode: '440781109',
      title: HOUSEHOLD.householdName,
      dueAt: '2026-03-16T09:30:00.000Z',
      overdue: false,
      openedAt: MONDAY,
      assignment: 'offered',
      assigneeId: null,
      ownerId: null,
    });

    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    expect(await whoHas(c.id)).toEqual({ 'ts-officer': ['appraisal'], 'ts-officer2': ['appraisal'] });
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    expect(await whoHas(c.id)).toEqual({ 'ts-reviewer': ['countyReview'] });
    c = await driver.act('ts-reviewer', c, 'approve', COUNTY_APPROVAL);
    expect(await whoHas(c.id)).toEqual({ 'jm-approver': ['cityApproval'] });
    c = await driver.act('jm-approver', c, 'approve', {});
    // The notice period is the town's again.
    expect(steps(c)).toEqual(['publicNotice']);
    expect(await whoHas(c.id)).toEqual({ 'ts-officer': ['publicNotice'], 'ts-officer2': ['publicNotice'] });
  }, 60_000);

  it('shows assigned tasks, pending signatures and (on request) delegated ones; not signed ones; nothing for inactive users', async () => {
    const a = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const b = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '李秀兰' });
    const officer = await userId('ts-officer');
    const officer2 = await userId('ts-officer2');
    const reviewer = await userId('ts-reviewer');
    // a: claimed by ts-officer, delegated to ts-officer2 (owner ts-officer). b: ts-reviewer must sign it.
    await testApp.dataSource.query(`UPDATE tasks SET assignee_id = $2, owner_id = $3 WHERE id = $1`, [a.openTasks[0].id, officer2, officer]);
    await testApp.dataSource.query(
      `INSERT INTO task_signers (task_id, user_id, kind, status, added_by, added_at) VALUES ($1, $2, 'before', 'pending', $3, now())`,
      [b.openTasks[0].id, reviewer, officer],
    );

    expect((await items('ts-officer')).map((i) => [i.caseId, i.assignment])).toEqual([[b.id, 'offered']]);
    expect((await items('ts-officer', { include: 'delegated' })).map((i) => [i.caseId, i.assignment, i.ownerId, i.assigneeId]).sort()).toEqual(
      [
        [a.id, 'delegated-away', officer, officer2],
        [b.id, 'offered', null, null],
      ].sort(),
    );
    expect((await items('ts-officer2')).map((i) => [i.caseId, i.assignment]).sort()).toEqual(
      [
        [a.id, 'assigned'],
        [b.id, 'offered'],
      ].sort(),
    );
    expect((await items('ts-reviewer')).map((i) => [i.caseId, i.assignment])).toEqual([[b.id, 'signer']]);

    // Once signed, the signer's task leaves the signer's inbox.
    await testApp.dataSource.query(`UPDATE task_signers SET status = 'signed', signed_at = now(), decision = 'approve' WHERE user_id = $1`, [reviewer]);
    expect(await items('ts-reviewer')).toEqual([]);
    // A voter who signed does not see the task again even though it is still offered to the role.
    await testApp.dataSource.query(
      `INSERT INTO task_signers (task_id, user_id, kind, status, added_at, decision, signed_at) VALUES ($1, $2, 'countersign', 'signed', now(), 'approve', now())`,
      [b.openTasks[0].id, officer2],
    );
    expect((await items('ts-officer2')).map((i) => i.caseId)).toEqual([a.id]);

    // A deactivated user's token stops working at once (the guard reloads the user), and the
    // inbox statement itself matches no inactive user either.
    await testApp.dataSource.query(`UPDATE users SET active = false WHERE id = $1`, [officer2]);
    expect((await inbox('ts-officer2')).status).toBe(401);
  }, 60_000);

  it('sorts by due time (none last), pages with a cursor, and filters', async () => {
    const names = ['甲一', '乙二', '丙三', '丁四', '戊五', '己%六'];
    const cases: CaseBody[] = [];
    for (const [i, name] of names.entries()) {
      // Monday to Friday, then the next Monday: each due one working day after the previous.
      testApp.clock.set(new Date(Date.parse(MONDAY) + [0, 1, 2, 3, 4, 7][i] * 86_400_000));
      const village = i % 2 === 0 ? '440781109201' : '440781109202';
      cases.push(await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: name }, village));
    }
    // One task without a due time (a step without a deadline, simulated).
    await testApp.dataSource.query(`UPDATE tasks SET due_at = NULL WHERE id = $1`, [cases[0].openTasks[0].id]);
    // Wednesday 18th, 18:00 Beijing: the Tuesday and Wednesday starts (due 17th and 18th, 17:30) are overdue.
    testApp.clock.set('2026-03-18T10:00:00.000Z');

    const all = await items('ts-officer');
    expect(all.map((i) => i.title)).toEqual(['乙二', '丙三', '丁四', '戊五', '己%六', '甲一']);
    const dues = all.map((i) => i.dueAt);
    expect(dues.at(-1)).toBeNull();
    expect([...dues.slice(0, -1)].sort()).toEqual(dues.slice(0, -1));
    expect(all.map((i) => i.overdue)).toEqual([true, true, false, false, false, false]);

    // Pages of 2 (and of 1) give the same sequence; the last page has no cursor.
    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const response = await inbox('ts-officer', { limit, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        seen.push(...response.body.items.map((i: InboxItem) => i.title));
        cursor = response.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect([limit, seen]).toEqual([limit, all.map((i) => i.title)]);
    }

    expect((await items('ts-officer', { overdue: true })).map((i) => i.title)).toEqual(['乙二', '丙三']);
    expect((await items('ts-officer', { dueBefore: all[2].dueAt! })).map((i) => i.title)).toEqual(['乙二', '丙三']);
    expect((await items('ts-officer', { dueAfter: all[2].dueAt! })).map((i) => i.title)).toEqual(['戊五', '己%六']);
    expect((await items('ts-officer', { jurisdiction: '440781109202' })).map((i) => i.title)).toEqual(['乙二', '丁四', '己%六']);
    expect((await items('ts-officer', { jurisdiction: '440781' })).length).toBe(6);
    expect(await items('ts-officer', { jurisdiction: '440783' })).toEqual([]);
    expect((await items('ts-officer', { q: '%' })).map((i) => i.title)).toEqual(['己%六']);
    expect((await items('ts-officer', { q: '丙' })).map((i) => i.title)).toEqual(['丙三']);
    expect((await items('ts-officer', { workflow: 'poverty-entry', step: 'propose' })).length).toBe(6);
    expect(await items('ts-officer', { workflow: 'poverty-exit' })).toEqual([]);
    expect(await items('ts-officer', { step: 'support' })).toEqual([]);
    // A filtered page still pages.
    const first = await inbox('ts-officer', { jurisdiction: '440781109201', limit: 1 });
    const second = await inbox('ts-officer', { jurisdiction: '440781109201', limit: 2, cursor: first.body.nextCursor });
    expect([...first.body.items, ...second.body.items].map((i: InboxItem) => i.title)).toEqual(['丙三', '戊五', '甲一']);
    expect(second.body.nextCursor).toBeNull();
  }, 60_000);

  it('answers bad query parameters with 400', async () => {
    for (const query of <Record<string, string | number | boolean>[]>[
      { limit: 0 },
      { limit: 201 },
      { limit: 'ten' },
      { overdue: 'yes' },
      { dueBefore: 'tomorrow' },
      { dueAfter: '2026-13-01T00:00:00Z' },
      { dueAfter: '2026-03-10T00:00:00Z', dueBefore: '2026-03-01T00:00:00Z' },
      { jurisdiction: '4407' },
      { workflow: 'Poverty Entry' },
      { step: '1st' },
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from(JSON.stringify({ d: 'x', i: 'y' })).toString('base64url') },
      { include: 'everything' },
      { unknown: 1 },
      { q: 'x'.repeat(101) },
    ]) {
      const response = await inbox('ts-officer', query);
      expect([query, response.status]).toEqual([query, 400]);
      expect(response.body.details.code).toMatch(/^(VALIDATION_FAILED|INVALID_CURSOR|INVALID_QUERY)$/);
    }
    expect((await testApp.http.get('/api/tasks')).status).toBe(401);
  }, 60_000);
});
