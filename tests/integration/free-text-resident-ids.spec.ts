import { OutboxDeliveryService } from '../../src/notifications/outbox-delivery.service.js';
import { isValidResidentId, residentIdCheckCharacter } from '../../src/org/resident-id.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, SUPPORT_PLAN, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Resident ID numbers typed into free text — a comment, a text field of an action, its
 * comment, a task's reason, a citizen's objection — are sealed like the structured
 * `residentId` fields: masked in every read (case, history, comments, notifications, mail,
 * the public board, the objections table), never stored in clear, revealed only with the
 * permission and an audit row. Numbers that are not valid IDs stay as typed. The history
 * chain hashes what it stores, so it verifies and replays.
 */

const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);
/** Valid IDs used only in free text here (the household's own ID is sealed in its field). */
const MEMBER = withCheck('44078119850615001');
const NEIGHBOUR = withCheck('44078319700101123');
const CITIZEN = withCheck('44078119921111456');
const OFFICER_NOTE = withCheck('44078119600228002');
const ALL_CLEAR = [MEMBER, NEIGHBOUR, CITIZEN, OFFICER_NOTE];
const masked = (id: string) => `${id.slice(0, 4)}**********${id.slice(14)}`;
/** 18 digits with a valid shape and date but the wrong check character: not an ID, kept as typed. */
const NOT_AN_ID = `${MEMBER.slice(0, 17)}${MEMBER[17] === '0' ? '1' : '0'}`;
const PHONE = '13800138000';

let t: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  // Monday 2026-03-02 09:00 Beijing time.
  t = await createTestApp({ now: '2026-03-02T01:00:00.000Z', env: { TRUST_PROXY: 'loopback' } });
  driver = new CaseDriver(t);
  await t.dataSource.query(`UPDATE users SET email = username || '@fupin.test'`);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

function as(username: string) {
  const auth = async () => `Bearer ${await driver.token(username)}`;
  return {
    get: async (path: string) => t.http.get(path).set('Authorization', await auth()),
    post: async (path: string, body: object = {}) => t.http.post(path).set('Authorization', await auth()).send(body),
  };
}

async function reveal(username: string, caseId: string, body: { path: string; seq?: number }) {
  return (await as(username)).post(`/api/cases/${caseId}/resident-ids/reveal`, body);
}

/** The text of every row of every table that contains `needle`, as `table: row`. */
async function rowsContaining(needle: string): Promise<string[]> {
  const tables: { name: string }[] = await t.dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const found: string[] = [];
  for (const { name } of tables) {
    const rows: { row: string }[] = await t.dataSource.query(`SELECT row_to_json(x)::text AS row FROM "${name}" x WHERE row_to_json(x)::text LIKE $1`, [`%${needle}%`]);
    found.push(...rows.map((r) => `${name}: ${r.row.slice(0, 200)}`));
  }
  return found;
}

async function verified(caseId: string) {
  return (await driver.verify('ts-officer', caseId)).body;
}

async function historyRow(caseId: string, seq: number) {
  const history = (await (await as('ts-officer')).get(`/api/cases/${caseId}/history`)).body as { seq: number; eventType: string; payload: Record<string, unknown> }[];
  return history.find((h) => h.seq === seq)!;
}

async function deliverOutbox(): Promise<void> {
  const rows: { id: string }[] = await t.dataSource.query(`SELECT id::text AS id FROM outbox ORDER BY id`);
  for (const { id } of rows) await t.app.get(OutboxDeliveryService).deliver(id, { number: 1, final: true });
}

describe('resident IDs typed into free text', () => {
  it('the test numbers are what they claim to be', () => {
    expect(ALL_CLEAR.every((id) => isValidResidentId(id))).toBe(true);
    expect(isValidResidentId(NOT_AN_ID)).toBe(false);
    expect(new Set(ALL_CLEAR.map(masked)).size).toBe(ALL_CLEAR.length);
  });

  it('in a comment: masked in the answer, the list and the history, sealed in the stored row, revealed with the permission and audited', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '评论户' });
    const officer = await as('ts-officer');
    const text = `配偶身份证${MEMBER}，户口本上写成${NOT_AN_ID}，联系电话${PHONE}`;
    const shown = `配偶身份证${masked(MEMBER)}，户口本上写成${NOT_AN_ID}，联系电话${PHONE}`;

    const posted = await officer.post(`/api/cases/${c.id}/comments`, { text });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ seq: 2, text: shown });
    expect((await officer.get(`/api/cases/${c.id}/comments`)).body.map((x: { text: string }) => x.text)).toEqual([shown]);
    expect((await historyRow(c.id, 2)).payload).toEqual({ text: shown });

    // The stored row: the ID sealed in its place, the other number as typed.
    const [stored] = await t.dataSource.query(`SELECT payload, payload::text AS raw FROM case_history WHERE case_id = $1 AND seq = 2`, [c.id]);
    expect(stored.raw).not.toContain(MEMBER);
    expect(stored.raw).toContain(NOT_AN_ID);
    expect(stored.payload.text).toEqual({ sealedText: ['配偶身份证', { masked: masked(MEMBER), token: expect.stringMatching(/^v1\./) }, `，户口本上写成${NOT_AN_ID}，联系电话${PHONE}`] });
    expect(await verified(c.id)).toEqual({ caseId: c.id, valid: true, length: 2, replayMatches: true });

    // Without the permission: refused and audited. With it: the number, audited before it leaves.
    const denied = await reveal('ts-officer', c.id, { seq: 2, path: 'text/0' });
    expect([denied.status, denied.body.details.code]).toEqual([403, 'PERMISSION_REQUIRED']);
    const revealed = await reveal('admin', c.id, { seq: 2, path: 'text/0' });
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ path: 'text/0', residentId: MEMBER });
    expect(revealed.headers['cache-control']).toBe('no-store');
    const audit = await t.dataSource.query(
      `SELECT kind, actor_username, target_id, details FROM audit_log WHERE target_id = $1 AND kind IN ('resident-id.revealed', 'access.denied') ORDER BY id`,
      [c.id],
    );
    expect(audit).toEqual([
      { kind: 'access.denied', actor_username: 'ts-officer', target_id: c.id, details: { permission: 'reveal-resident-id', action: 'reveal-resident-id', path: 'text/0' } },
      { kind: 'resident-id.revealed', actor_username: 'admin', target_id: c.id, details: { caseId: c.id, seq: 2, path: 'text/0', masked: masked(MEMBER) } },
    ]);
    // The number that is not an ID was never sealed; a history row without IDs, or none, holds nothing to reveal.
    for (const body of [{ seq: 2, path: 'text/1' }, { seq: 1, path: 'data/householdName' }, { seq: 99, path: 'text/0' }]) {
      const missing = await reveal('admin', c.id, body);
      expect([missing.status, missing.body.details.code]).toEqual([404, 'RESIDENT_ID_NOT_FOUND']);
    }
    expect((await reveal('admin', c.id, { seq: 0, path: 'text/0' })).status).toBe(400);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE kind = 'resident-id.revealed' AND target_id = $1`, [c.id])).toEqual([{ n: 1 }]);
  });

  it('in an action’s text field and its comment: masked in the case, the history, the notification and the mail; sealed in the data; revealed by path', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: `户主${NEIGHBOUR}`, address: `端芬镇海阳村 邻居${NEIGHBOUR}` });
    // A start field is free text too; the title every list and notice shows is the masked text.
    expect(c.data).toMatchObject({ householdName: `户主${masked(NEIGHBOUR)}`, address: `端芬镇海阳村 邻居${masked(NEIGHBOUR)}` });
    expect((await t.dataSource.query(`SELECT title FROM cases WHERE id = $1`, [c.id]))[0].title).toBe(`户主${masked(NEIGHBOUR)}`);
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    await t.dataSource.query(`DELETE FROM outbox`); // only the return's notification below

    const reason = `成员${MEMBER}的户籍与${NOT_AN_ID}不符，请核实`;
    const comment = `已电话${PHONE}联系，另见${OFFICER_NOTE}`;
    const returned = await driver.try('ts-officer2', c, 'return', { reason }, { comment });
    expect(returned.status).toBe(200);
    c = returned.body as CaseBody;
    expect(c.data.reason).toBe(`成员${masked(MEMBER)}的户籍与${NOT_AN_ID}不符，请核实`);
    expect((await driver.get('ts-reviewer', c.id)).body.data.reason).toBe(c.data.reason);
    const action = await historyRow(c.id, 3);
    expect(action).toMatchObject({ eventType: 'action', payload: { input: { reason: c.data.reason }, comment: `已电话${PHONE}联系，另见${masked(OFFICER_NOTE)}` } });

    const [stored] = await t.dataSource.query(
      `SELECT c.data::text || c.snapshot::text || c.title AS kase, (SELECT string_agg(h.payload::text, ' ') FROM case_history h WHERE h.case_id = c.id) AS history FROM cases c WHERE c.id = $1`,
      [c.id],
    );
    for (const id of [MEMBER, OFFICER_NOTE, NEIGHBOUR]) expect(`${stored.kase} ${stored.history}`).not.toContain(id);
    expect(stored.kase).toContain(NOT_AN_ID);
    expect(await verified(c.id)).toMatchObject({ valid: true, replayMatches: true });

    // ts-officer is told of the return in the app and by mail, with the reason masked.
    await deliverOutbox();
    const [note] = await t.dataSource.query(`SELECT n.title, n.body FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'ts-officer' AND n.case_id = $1`, [c.id]);
    expect(`${note.title} ${note.body}`).toContain(`成员${masked(MEMBER)}的户籍`);
    const [mail] = await t.dataSource.query(`SELECT subject, body FROM email_deliveries WHERE to_address = 'ts-officer@fupin.test' ORDER BY created_at DESC LIMIT 1`);
    expect(mail.body).toContain(masked(MEMBER));
    expect(`${note.title} ${note.body} ${mail.subject} ${mail.body}`).not.toContain(MEMBER);

    // Revealed from the data, or from the action's row of the history (input and comment).
    expect((await reveal('admin', c.id, { path: 'reason/0' })).body).toEqual({ path: 'reason/0', residentId: MEMBER });
    expect((await reveal('admin', c.id, { path: 'address/0' })).body).toEqual({ path: 'address/0', residentId: NEIGHBOUR });
    expect((await reveal('admin', c.id, { seq: 3, path: 'input/reason/0' })).body.residentId).toBe(MEMBER);
    expect((await reveal('admin', c.id, { seq: 3, path: 'comment/0' })).body.residentId).toBe(OFFICER_NOTE);
    expect((await reveal('admin', c.id, { path: 'reason/1' })).status).toBe(404);
    const audited = await t.dataSource.query(`SELECT details FROM audit_log WHERE kind = 'resident-id.revealed' AND target_id = $1 ORDER BY id`, [c.id]);
    expect(audited.map((a: { details: Record<string, unknown> }) => a.details)).toEqual([
      { caseId: c.id, path: 'reason/0', masked: masked(MEMBER) },
      { caseId: c.id, path: 'address/0', masked: masked(NEIGHBOUR) },
      { caseId: c.id, seq: 3, path: 'input/reason/0', masked: masked(MEMBER) },
      { caseId: c.id, seq: 3, path: 'comment/0', masked: masked(OFFICER_NOTE) },
    ]);

    // Submitted again and withdrawn with a reason; a task claimed with a reason: the same rule.
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const withdrawn = await (await as('ts-officer')).post(`/api/cases/${c.id}/withdraw`, { expectedVersion: c.version, reason: `撤回：${MEMBER}的收入待补` });
    expect(withdrawn.status).toBe(200);
    c = withdrawn.body as CaseBody;
    const task = c.openTasks[0];
    expect((await (await as('ts-officer')).post(`/api/tasks/${task.id}/claim`, { reason: `核对${MEMBER}` })).status).toBe(200);
    const tail = ((await (await as('ts-officer')).get(`/api/cases/${c.id}/history`)).body as { eventType: string; payload: Record<string, unknown> }[]).slice(-2);
    expect(tail.map((h) => [h.eventType, h.payload.comment ?? h.payload.reason])).toEqual([
      ['action', `撤回：${masked(MEMBER)}的收入待补`],
      ['task.claimed', `核对${masked(MEMBER)}`],
    ]);
    expect(await verified(c.id)).toMatchObject({ valid: true, replayMatches: true });
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', { ...SUPPORT_PLAN, planSummary: `为${MEMBER}安排公益岗位` });
    expect(c.data.planSummary).toBe(`为${masked(MEMBER)}安排公益岗位`);
    expect(await verified(c.id)).toMatchObject({ valid: true, replayMatches: true });
  });

  it('in a citizen’s objection: the public board, the objections table and the officers’ notification show it masked; the case keeps it sealed', async () => {
    let c = await driver.entryAtNotice();
    const notices = (await t.http.get('/api/public/notices').query({ pageSize: 100 })).body.items as { id: string; householdName: string }[];
    const noticeId = notices.find((n) => n.householdName === HOUSEHOLD.householdName)!.id;
    const token = (await t.http.get(`/api/public/notices/${noticeId}/form-token`)).body.formToken as string;
    t.clock.advance(3000);
    const text = `该户成员${CITIZEN}在外务工，收入未申报；银行卡6222021234567890123有工资流水；${NOT_AN_ID}不是身份证号`;
    const filed = await t.http
      .post(`/api/public/notices/${noticeId}/objections`)
      .set('X-Forwarded-For', '203.0.113.77')
      .send({ text, name: '村民王五', contact: `${PHONE} 身份证${CITIZEN}`, formToken: token });
    expect(filed.status).toBe(202);

    const shown = text.replace(CITIZEN, masked(CITIZEN));
    const [row] = await t.dataSource.query(`SELECT text, name, contact FROM public_objections WHERE id = $1`, [filed.body.reference]);
    expect(row).toEqual({ text: shown, name: '村民王五', contact: `${PHONE} 身份证${masked(CITIZEN)}` });

    c = (await driver.get('ts-officer', c.id)).body as CaseBody;
    expect(c.data).toMatchObject({ objection: shown, objector: '村民王五' });
    const history = (await (await as('ts-officer')).get(`/api/cases/${c.id}/history`)).body as { seq: number; eventType: string; payload: Record<string, unknown> }[];
    const objection = history.find((h) => h.eventType === 'objection')!;
    expect(objection.payload).toMatchObject({ text: shown, contact: `${PHONE} 身份证${masked(CITIZEN)}` });
    const [notification] = await t.dataSource.query(`SELECT body FROM notifications WHERE kind = 'public-objection' AND case_id = $1 LIMIT 1`, [c.id]);
    expect(notification.body).toContain(masked(CITIZEN));
    expect(notification.body).not.toContain(CITIZEN);
    expect(JSON.stringify((await t.http.get('/api/public/notices').query({ pageSize: 100 })).body)).not.toContain(CITIZEN);
    expect(await verified(c.id)).toMatchObject({ valid: true, replayMatches: true });

    expect((await reveal('admin', c.id, { path: 'objection/0' })).body.residentId).toBe(CITIZEN);
    expect((await reveal('admin', c.id, { seq: objection.seq, path: 'contact/0' })).body.residentId).toBe(CITIZEN);

    // The same text again from the same address: the duplicate check still finds it, without a clear hash of the number.
    const token2 = (await t.http.get(`/api/public/notices/${noticeId}/form-token`)).body.formToken as string;
    t.clock.advance(3000);
    const again = await t.http.post(`/api/public/notices/${noticeId}/objections`).set('X-Forwarded-For', '203.0.113.77').send({ text, formToken: token2 });
    expect(again.body.reference).toBe(filed.body.reference);
  });

  it('is nowhere in the database in clear, while the number that is not an ID is', async () => {
    for (const id of ALL_CLEAR) expect({ id, rows: await rowsContaining(id) }).toEqual({ id, rows: [] });
    expect((await rowsContaining(NOT_AN_ID)).length).toBeGreaterThan(0);
  });
});
