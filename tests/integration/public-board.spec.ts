import { Redis } from 'ioredis';
import { DEMO_RESIDENT_IDS } from '../../src/database/demo-payloads.js';
import { seedDemoCases } from '../../src/database/seed-demo-cases.js';
import { PUBLIC_NOTICE_FIELDS } from '../../src/public/notice-board.js';
import { uniquePrefix } from '../support/processes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, CITY_APPROVAL, COUNTY_APPROVAL, ELIGIBLE_PROPOSAL, HOUSEHOLD, PASSING_APPRAISAL, steps, SUPPORT_PLAN, type CaseBody } from '../support/case-driver.js';

/**
 * The public notice board (公示) and objections, as a citizen without an account uses them.
 * TRUST_PROXY=loopback lets each test pose as its own client address (X-Forwarded-For), so
 * the objection limit (5 per address here) of one test does not spill into the next; the
 * counters live under a key prefix of this file's own, deleted afterwards.
 */

const PREFIX = uniquePrefix('public-board');
const DAY = 86_400_000;
// Monday 2026-03-02 09:00 Beijing time.
const MONDAY = '2026-03-02T01:00:00.000Z';
const EXIT_CHECKLIST = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };

let t: TestApp;
let driver: CaseDriver;
let redis: Redis;
/** Households in a notice: 台山 entry (town), 台山 exit (village), 开平 entry. */
let taishanEntry: CaseBody;
let taishanExit: CaseBody;
let kaipingEntry: CaseBody;
let notAtNotice: CaseBody;

beforeAll(async () => {
  t = await createTestApp({
    now: MONDAY,
    env: { TRUST_PROXY: 'loopback', PUBLIC_LIMIT_PREFIX: PREFIX, PUBLIC_OBJECTIONS_MAX_PER_ADDRESS: '5', PUBLIC_OBJECTIONS_WINDOW_MS: '60000' },
  });
  redis = new Redis(t.config.redisUrl, { lazyConnect: true });
  driver = new CaseDriver(t);
  // The demo cases first (seeding skips a database that holds cases): the board is checked against them too.
  await seedDemoCases(t.app);
  t.clock.advance(60_000);
  taishanEntry = await entryAtNotice('ts-officer', 'ts-reviewer', { ...HOUSEHOLD, householdName: '陈大明', address: '端芬镇海阳村12号 电话13800138000' });
  t.clock.advance(60_000);
  taishanExit = await exitAtNotice('440781109201');
  t.clock.advance(60_000);
  kaipingEntry = await entryAtNotice('kp-officer', 'kp-reviewer', { householdName: '关卓文', rural: true, memberCount: 3 });
  notAtNotice = await driver.entryAtCountyReview();
}, 120_000);

afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit().catch(() => redis.disconnect());
  }
  await t?.close();
});

async function entryAtNotice(officer: string, reviewer: string, household: Record<string, unknown>): Promise<CaseBody> {
  let c = await driver.start(officer, 'poverty-entry', household);
  c = await driver.act(officer, c, 'submit', ELIGIBLE_PROPOSAL);
  c = await driver.act(officer, c, 'submit', SUPPORT_PLAN);
  c = await driver.act(officer, c, 'record', PASSING_APPRAISAL);
  c = await driver.act(reviewer, c, 'approve', COUNTY_APPROVAL);
  return driver.act('jm-approver', c, 'approve', CITY_APPROVAL);
}

async function exitAtNotice(village: string): Promise<CaseBody> {
  let c = await driver.start('ts-officer', 'poverty-exit', { householdName: '梅国强', rural: true, memberCount: 5, householderId: DEMO_RESIDENT_IDS.spouse }, village);
  c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
  c = await driver.act('ts-officer', c, 'submit', { pairedUnit: '台山市人力资源和社会保障局', responsiblePerson: '伍家豪' });
  c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
  return driver.act('ts-reviewer', c, 'approve', {});
}

interface Notice {
  id: string;
  householdName: string;
  town: string | null;
  village: string | null;
  proposal: string;
  period: { start: string; end: string | null };
}

async function board(query: Record<string, string | number> = {}): Promise<{ items: Notice[]; total: number; page: number; pageSize: number }> {
  const response = await t.http.get('/api/public/notices').query(query);
  expect(response.status).toBe(200);
  return response.body;
}

/** The id the board shows for a household in a notice. */
async function noticeIdOf(name: string): Promise<string> {
  const notice = (await board({ pageSize: 100 })).items.find((n) => n.householdName === name);
  if (!notice) throw new Error(`${name} is not on the board`);
  return notice.id;
}

/** A form token the way the form gets one, already 3 seconds old. */
async function formToken(noticeId: string): Promise<string> {
  const response = await t.http.get(`/api/public/notices/${noticeId}/form-token`);
  expect(response.status).toBe(200);
  t.clock.advance(3000);
  return response.body.formToken;
}

function object(noticeId: string, address: string, body: Record<string, unknown>) {
  return t.http.post(`/api/public/notices/${noticeId}/objections`).set('X-Forwarded-For', address).set('User-Agent', 'Mozilla/5.0 (citizen)').send(body);
}

async function objectionRows(): Promise<number> {
  const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM public_objections`);
  return count;
}

/** Every leaf value of a case's data (sealed IDs included), as the board must never show them. */
function leaves(value: unknown, into: unknown[] = []): unknown[] {
  if (value === null || value === undefined) return into;
  if (Array.isArray(value)) value.forEach((v) => leaves(v, into));
  else if (typeof value === 'object') Object.values(value).forEach((v) => leaves(v, into));
  else into.push(value);
  return into;
}

describe('the public notice board', () => {
  it('lists the households in a notice step now, without a login, newest first, with where they live, what is proposed and the period', async () => {
    const page = await board();
    // The demo data's 邝永康 is at the notice too; 陈大明 at county review (the fourth case) is not.
    expect(page).toMatchObject({ total: 4, page: 1, pageSize: 20 });
    expect(page.items.map(({ id: _id, ...rest }) => rest)).toEqual([
      { householdName: '关卓文', town: '开平市塘口镇', village: null, proposal: '拟纳入建档立卡贫困户', period: { start: '2026-03-02', end: '2026-03-09' } },
      { householdName: '梅国强', town: '台山市端芬镇', village: '海阳村委会', proposal: '拟退出贫困户', period: { start: '2026-03-02', end: '2026-03-09' } },
      { householdName: '陈大明', town: '台山市端芬镇', village: null, proposal: '拟纳入建档立卡贫困户', period: { start: '2026-03-02', end: '2026-03-09' } },
      { householdName: '邝永康', town: '台山市端芬镇', village: null, proposal: '拟纳入建档立卡贫困户', period: { start: '2026-03-02', end: '2026-03-09' } },
    ]);
    expect(new Set(page.items.map((n) => n.id)).size).toBe(4);
    expect(steps(notAtNotice)).toEqual(['countyReview']);
  });

  it('shows no field outside its list and no value of any case’s data but the household name', async () => {
    const response = await t.http.get('/api/public/notices').query({ pageSize: 100 });
    const cases: { id: string; title: string; data: Record<string, unknown>; snapshot: unknown }[] = await t.dataSource.query(
      `SELECT id, title, data, snapshot FROM cases`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(12);
    const names = new Set(cases.map((c) => c.title));
    const secrets = new Set<string>([...Object.values(DEMO_RESIDENT_IDS), '13800138000']);
    for (const c of cases) {
      secrets.add(c.id);
      for (const value of leaves(c.data)) if (!names.has(String(value)) && typeof value !== 'boolean') secrets.add(String(value));
    }
    for (const notice of response.body.items as Notice[]) {
      expect(Object.keys(notice).sort()).toEqual([...PUBLIC_NOTICE_FIELDS].sort());
      expect(Object.keys(notice.period).sort()).toEqual(['end', 'start']);
      expect(names.has(notice.householdName)).toBe(true);
      const shown = [notice.town, notice.village, notice.proposal, notice.period.start, notice.period.end].filter((v): v is string => v !== null);
      for (const secret of secrets) {
        expect(notice.id).not.toContain(secret.length >= 8 ? secret : '\u0000');
        for (const value of shown) {
          expect(value).not.toBe(secret);
          if (secret.length >= 2) expect(value).not.toContain(secret);
        }
      }
    }
    // And nowhere in the answer: not a masked ID, a phone, an income, a case id.
    const text = response.text;
    for (const secret of [...Object.values(DEMO_RESIDENT_IDS), '**********', '13800138000', '4200', ...cases.map((c) => c.id)]) expect(text).not.toContain(secret);
  });

  it('filters by county and town and pages', async () => {
    expect((await board({ county: '440783' })).items.map((n) => n.householdName)).toEqual(['关卓文']);
    expect((await board({ county: '440781', town: '440781109' })).total).toBe(3);
    expect((await board({ town: '440783108' })).items.map((n) => n.householdName)).toEqual(['关卓文']);
    expect((await board({ county: '440705' })).items).toEqual([]);
    const first = await board({ pageSize: 3 });
    const second = await board({ pageSize: 3, page: 2 });
    expect(first).toMatchObject({ total: 4, page: 1, pageSize: 3 });
    expect([...first.items, ...second.items].map((n) => n.householdName)).toEqual(['关卓文', '梅国强', '陈大明', '邝永康']);
    for (const query of [{ county: '440781', town: '440783108' }, { county: '44078' }, { town: 'x' }, { pageSize: 101 }, { page: 0 }, { extra: 1 }]) {
      const response = await t.http.get('/api/public/notices').query(query);
      expect(response.status).toBe(400);
    }
  });

  it('is cache-friendly: shared caching for a minute, and 304 while nothing changed', async () => {
    const first = await t.http.get('/api/public/notices');
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    expect(first.headers.etag).toEqual(expect.any(String));
    const again = await t.http.get('/api/public/notices').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
  });
});

describe('objections', () => {
  it('from a citizen without an account become an objection-review task for the town officers, with the objection kept', async () => {
    const noticeId = await noticeIdOf('陈大明');
    const token = await formToken(noticeId);
    const response = await object(noticeId, '203.0.113.10', { text: '该户家中新购小轿车一辆，收入不实。', contact: '13912345678', name: '村民王五', formToken: token });
    expect(response.status).toBe(202);
    expect(Object.keys(response.body).sort()).toEqual(['message', 'receivedAt', 'reference']);
    expect(response.text).not.toContain(taishanEntry.id);

    // The officers of the town see the task in their inbox.
    const inbox = await t.http.get('/api/tasks').set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
    expect(inbox.body.items).toContainEqual(expect.objectContaining({ caseId: taishanEntry.id, step: expect.objectContaining({ key: 'objectionReview' }) }));
    const c = (await driver.get('ts-officer', taishanEntry.id)).body as CaseBody;
    expect(steps(c)).toEqual(['objectionReview']);
    expect(c.data).toMatchObject({ objection: '该户家中新购小轿车一辆，收入不实。', objector: '村民王五' });

    // Stored with where it came from.
    const [row] = await t.dataSource.query(`SELECT * FROM public_objections WHERE id = $1`, [response.body.reference]);
    expect(row).toMatchObject({
      notice_id: noticeId,
      case_id: taishanEntry.id,
      step: 'publicNotice',
      step_entry: 1,
      text: '该户家中新购小轿车一辆，收入不实。',
      contact: '13912345678',
      name: '村民王五',
      source_address: '203.0.113.10',
      user_agent: 'Mozilla/5.0 (citizen)',
      outcome: 'review-opened',
    });
    expect(new Date(row.received_at)).toEqual(t.clock.now());

    // The case's history: the system's objection action and the objection as received, chain intact.
    const history = await t.http.get(`/api/cases/${taishanEntry.id}/history`).set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
    const tail = history.body.slice(-2);
    expect(tail[0]).toMatchObject({ eventType: 'action', action: 'object', actor: expect.objectContaining({ kind: 'system' }) });
    expect(tail[1]).toMatchObject({
      eventType: 'objection',
      payload: expect.objectContaining({ objectionId: row.id, outcome: 'review-opened', contact: '13912345678', text: '该户家中新购小轿车一辆，收入不实。' }),
    });
    expect((await driver.verify('ts-officer', taishanEntry.id)).body).toMatchObject({ valid: true, replayMatches: true });
    // Off the board while it is reviewed.
    expect((await board()).items.map((n) => n.householdName)).not.toContain('陈大明');
  });

  it('that arrive after the notice ended, or while it is reviewed, are stored and shown to the officers', async () => {
    // Under review (the objection above sent 陈大明 there): stored, noted on the case, notified.
    const entryNoticeId = (await t.dataSource.query(`SELECT notice_id FROM public_objections WHERE case_id = $1`, [taishanEntry.id]))[0].notice_id as string;
    const late = await object(entryNoticeId, '203.0.113.20', { text: '同意上一位村民的意见。', formToken: await formToken(entryNoticeId) });
    expect(late.status).toBe(202);

    // Ended: 梅国强's notice period runs out and the case moves on before the objection comes.
    const exitNoticeId = await noticeIdOf('梅国强');
    t.clock.advance(7 * DAY);
    let exit = (await driver.get('ts-officer', taishanExit.id)).body as CaseBody;
    exit = await driver.act('ts-officer', exit, 'conclude');
    expect(exit.status).toBe('exited');
    const ended = await object(exitNoticeId, '203.0.113.21', { text: '该户仍无稳定收入。', contact: 'wang@example.cn', formToken: await formToken(exitNoticeId) });
    expect(ended.status).toBe(202);
    // The same answer whatever became of the case.
    expect(Object.keys(ended.body).sort()).toEqual(['message', 'receivedAt', 'reference']);
    expect(ended.body.message).toBe(late.body.message);

    const rows = await t.dataSource.query(`SELECT id, case_id, outcome FROM public_objections WHERE id = ANY($1) ORDER BY received_at`, [[late.body.reference, ended.body.reference]]);
    expect(rows).toEqual([
      { id: late.body.reference, case_id: taishanEntry.id, outcome: 'already-under-review' },
      { id: ended.body.reference, case_id: taishanExit.id, outcome: 'notice-ended' },
    ]);
    // The exit case stayed where it was, with the objection in its history.
    const after = (await driver.get('ts-officer', taishanExit.id)).body as CaseBody;
    expect(steps(after)).toEqual(['monitoring']);
    expect(after.version).toBe(exit.version);
    const history = await t.http.get(`/api/cases/${taishanExit.id}/history`).set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
    expect(history.body.at(-1)).toMatchObject({
      eventType: 'objection',
      payload: expect.objectContaining({ objectionId: ended.body.reference, outcome: 'notice-ended', text: '该户仍无稳定收入。', contact: 'wang@example.cn' }),
    });
    expect((await driver.verify('ts-officer', taishanExit.id)).body).toMatchObject({ valid: true, replayMatches: true });

    // Both officers of the town are told, in the app.
    for (const officer of ['ts-officer', 'ts-officer2']) {
      const notifications = await t.http.get('/api/notifications').set('Authorization', `Bearer ${await driver.token(officer)}`);
      const titles = (notifications.body.items as { kind: string; title: string; caseId: string }[]).filter((n) => n.kind === 'public-objection');
      expect(titles).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ caseId: taishanExit.id, title: '收到公示异议（公示期已结束）：梅国强' }),
          expect.objectContaining({ caseId: taishanEntry.id, title: '收到公示异议（该户已在异议核查中）：陈大明' }),
        ]),
      );
    }
    // 开平's officer is not.
    const kaiping = await t.http.get('/api/notifications').set('Authorization', `Bearer ${await driver.token('kp-officer')}`);
    expect((kaiping.body.items as { kind: string }[]).filter((n) => n.kind === 'public-objection')).toEqual([]);
  });

  it('store identical text from one address for one notice once', async () => {
    const noticeId = await noticeIdOf('关卓文');
    const before = await objectionRows();
    const first = await object(noticeId, '203.0.113.30', { text: '此户情况不实。', formToken: await formToken(noticeId) });
    // The case went to review with the first; the same words again (new token, spaces aside) add nothing.
    const second = await object(noticeId, '203.0.113.30', { text: '  此户情况不实。 ', formToken: await formToken(noticeId) });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.reference).toBe(first.body.reference);
    expect(await objectionRows()).toBe(before + 1);
  });

  it('refuse bad input with 4xx and store nothing', async () => {
    const noticeId = await noticeIdOf('邝永康');
    const [{ version: caseVersion }] = await t.dataSource.query(`SELECT c.version FROM cases c WHERE c.title = '邝永康'`);
    const before = await objectionRows();
    const valid = { text: '有异议。', formToken: await formToken(noticeId) };
    let address = 0;
    // Each request from an address of its own: the limit is not what is tested here.
    const send = (body: Record<string, unknown>, id = noticeId) => object(id, `198.51.100.${++address}`, body);

    const tooLong = await send({ ...valid, text: '异'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await send({ ...valid, text: '   ' })).status).toBe(400);
    expect((await send({ ...valid, contact: '1'.repeat(101) })).status).toBe(400);
    expect((await send({ ...valid, name: '名'.repeat(51) })).status).toBe(400);
    expect((await send({ text: '有异议。' })).status).toBe(400); // no token
    expect((await send({ ...valid, phone: '13800000000' })).status).toBe(400); // a field the form does not have
    const honeypot = await send({ ...valid, website: 'http://spam.example' });
    expect(honeypot.status).toBe(400);
    expect(honeypot.body.details).toEqual({ code: 'SUBMISSION_REFUSED' });
    const forged = await send({ ...valid, formToken: `${valid.formToken.slice(0, -2)}xx` });
    expect(forged.body.details).toEqual({ code: 'FORM_TOKEN_INVALID' });
    // A token of another notice.
    const other = await noticeIdOf('梅国强').catch(() => (t.dataSource.query(`SELECT notice_id FROM public_objections WHERE case_id = $1`, [taishanExit.id]) as Promise<{ notice_id: string }[]>).then((r) => r[0].notice_id));
    const wrongNotice = await send(valid, other);
    expect([wrongNotice.status, wrongNotice.body.details]).toEqual([400, { code: 'FORM_TOKEN_INVALID' }]);
    // Posted faster than a person types.
    const fresh = (await t.http.get(`/api/public/notices/${noticeId}/form-token`)).body.formToken;
    const early = await send({ ...valid, formToken: fresh });
    expect([early.status, early.body.details]).toEqual([400, { code: 'FORM_TOKEN_TOO_EARLY' }]);
    // Left lying more than two hours.
    t.clock.advance(2 * 60 * 60 * 1000 + 1000);
    const expired = await send({ ...valid, formToken: fresh });
    expect([expired.status, expired.body.details]).toEqual([400, { code: 'FORM_TOKEN_EXPIRED' }]);
    // Not a notice of this board.
    expect((await send(valid, 'bm90LWEtbm90aWNlLWlkLWF0LWFsbA')).status).toBe(404);
    expect((await t.http.get('/api/public/notices/bm90LWEtbm90aWNlLWlkLWF0LWFsbA/form-token')).status).toBe(404);
    expect((await send(valid, taishanEntry.id)).status).toBe(404);

    expect(await objectionRows()).toBe(before);
    const [{ version }] = await t.dataSource.query(`SELECT c.version FROM cases c WHERE c.title = '邝永康'`);
    expect(version).toBe(caseVersion);

    // A token files one objection: a replay is refused, whatever the text, and nothing more is stored.
    const token = await formToken(noticeId);
    expect((await send({ text: '第一次提交。', formToken: token })).status).toBe(202);
    const replay = await send({ text: '第一次提交。', formToken: token });
    expect([replay.status, replay.body.details]).toEqual([409, { code: 'FORM_TOKEN_USED' }]);
    expect((await send({ text: '换个说法再交一次。', formToken: token })).status).toBe(409);
    expect(await objectionRows()).toBe(before + 1);
  });

  it('from one address are throttled with 429 and Retry-After, while a citizen at another address still gets through', async () => {
    const noticeId = (await t.dataSource.query(`SELECT notice_id FROM public_objections WHERE case_id = $1 LIMIT 1`, [taishanEntry.id]))[0].notice_id as string;
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push((await t.http.get(`/api/public/notices/${noticeId}/form-token`)).body.formToken);
    t.clock.advance(3000);
    const before = await objectionRows();
    // In parallel: the counter must be atomic for exactly five to get through.
    const flood = await Promise.all(tokens.map((token, i) => object(noticeId, '192.0.2.66', { text: `刷屏第${i}条`, formToken: token })));
    expect(flood.map((r) => r.status).sort()).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    const refused = flood.find((r) => r.status === 429)!;
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
      details: { code: 'TOO_MANY_OBJECTIONS', retryAfterSeconds: expect.any(Number) },
    });
    expect(refused.headers['retry-after']).toBe(String(refused.body.details.retryAfterSeconds));
    expect(refused.body.details.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Even a well-formed objection from that address now waits.
    expect((await object(noticeId, '192.0.2.66', { text: '再来一条', formToken: await formToken(noticeId) })).status).toBe(429);

    const citizen = await object(noticeId, '192.0.2.77', { text: '我是本村村民，对该户情况有异议。', formToken: await formToken(noticeId) });
    expect(citizen.status).toBe(202);
    expect(await objectionRows()).toBe(before + 6);
  });
});
