import { DigestService } from '../../src/notifications/digest.service.js';
import { NotificationsService, type NotificationRequest } from '../../src/notifications/notifications.service.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let driver: CaseDriver;
let notifications: NotificationsService;

// Monday 2026-03-02 09:00 Beijing time.
const NOW = new Date('2026-03-02T01:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  testApp = await createTestApp({ now: NOW });
  driver = new CaseDriver(testApp);
  notifications = testApp.app.get(NotificationsService);
});

afterAll(async () => {
  await testApp?.close();
});

async function userId(username: string): Promise<string> {
  const [row] = await testApp.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]);
  return row.id;
}

async function notify(request: Partial<NotificationRequest> & Pick<NotificationRequest, 'recipients' | 'dedupKey'>): Promise<void> {
  await testApp.dataSource.transaction((manager) =>
    notifications.notify(manager, { caseId: null, kind: 'test', title: request.dedupKey, body: '', now: testApp.clock.now(), ...request }),
  );
}

async function as(username: string) {
  const token = await driver.token(username);
  return {
    get: (url: string) => testApp.http.get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string) => testApp.http.post(url).set('Authorization', `Bearer ${token}`),
  };
}

describe('the inbox API', () => {
  let mine: string[]; // ts-officer2's notification titles, newest first
  let othersId: string;

  beforeAll(async () => {
    const me = await userId('ts-officer2');
    const other = await userId('kp-officer');
    // Seven notifications an hour apart, plus two at the same instant (ordered by id then).
    mine = [];
    for (let i = 0; i < 7; i++) {
      await notify({ recipients: [me], dedupKey: `inbox-${i}`, title: `通知 ${i}`, now: new Date(NOW.getTime() + i * HOUR) });
    }
    const same = new Date(NOW.getTime() + 10 * HOUR);
    await notify({ recipients: [me], dedupKey: 'inbox-same-a', title: '同时 a', now: same });
    await notify({ recipients: [me], dedupKey: 'inbox-same-b', title: '同时 b', now: same });
    const rows = await testApp.dataSource.query(
      `SELECT title FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
      [me],
    );
    mine = rows.map((r: { title: string }) => r.title);
    await notify({ recipients: [other], dedupKey: 'inbox-other', title: '开平的通知' });
    [{ id: othersId }] = await testApp.dataSource.query(`SELECT id FROM notifications WHERE dedup_key = 'inbox-other'`);
  });

  it('lists only your own notifications, newest first, page by page with the cursor', async () => {
    const api = await as('ts-officer2');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await api.get(`/api/notifications?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(4);
      expect(response.body.unreadCount).toBe(9);
      seen.push(...response.body.items.map((n: { title: string }) => n.title));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(mine);
    expect(seen).toHaveLength(9);
    expect(seen[2]).toBe('通知 6');
    expect(seen).not.toContain('开平的通知');
  });

  it('marks one read, filters unread, and answers 404 for someone else’s', async () => {
    const api = await as('ts-officer2');
    const first = await api.get('/api/notifications?limit=1');
    const newest = first.body.items[0];
    expect(newest.readAt).toBeNull();

    testApp.clock.set(new Date(NOW.getTime() + DAY));
    const read = await api.post(`/api/notifications/${newest.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: newest.id, readAt: new Date(NOW.getTime() + DAY).toISOString() });
    // Reading again keeps the first time.
    testApp.clock.set(new Date(NOW.getTime() + 2 * DAY));
    const again = await api.post(`/api/notifications/${newest.id}/read`);
    expect(again.body.readAt).toBe(read.body.readAt);

    const unread = await api.get('/api/notifications?unread=true&limit=100');
    expect(unread.body.items.map((n: { title: string }) => n.title)).toEqual(mine.slice(1));
    expect(unread.body.unreadCount).toBe(8);
    expect(unread.body.nextCursor).toBeNull();

    const others = await api.post(`/api/notifications/${othersId}/read`);
    expect(others.status).toBe(404);
    expect(others.body.details.code).toBe('NOTIFICATION_NOT_FOUND');
    const [row] = await testApp.dataSource.query(`SELECT read_at FROM notifications WHERE id = $1`, [othersId]);
    expect(row.read_at).toBeNull();
    expect((await api.post('/api/notifications/00000000-0000-4000-8000-000000000000/read')).status).toBe(404);
    expect((await api.post('/api/notifications/not-a-uuid/read')).status).toBe(400);
  });

  it('marks all read', async () => {
    const api = await as('ts-officer2');
    const response = await api.post('/api/notifications/read-all');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ updated: 8 });
    const after = await api.get('/api/notifications?unread=true');
    expect(after.body).toMatchObject({ items: [], nextCursor: null, unreadCount: 0 });
    // Only the caller's: kp-officer's stays unread.
    const kp = await (await as('kp-officer')).get('/api/notifications');
    expect(kp.body.unreadCount).toBe(1);
  });

  it('refuses bad query parameters and anonymous callers', async () => {
    const api = await as('ts-officer2');
    expect((await api.get('/api/notifications?cursor=bm90LWEtY3Vyc29y')).body.details.code).toBe('INVALID_CURSOR');
    expect((await api.get('/api/notifications?limit=0')).status).toBe(400);
    expect((await api.get('/api/notifications?unread=yes')).status).toBe(400);
    expect((await api.get('/api/notifications?page=2')).status).toBe(400);
    expect((await testApp.http.get('/api/notifications')).status).toBe(401);
  });
});

describe('usersToNotify', () => {
  it('finds the active holders of a role bound exactly to a node', async () => {
    const found = async (role: Parameters<NotificationsService['usersToNotify']>[1], code: string) => {
      const ids = await notifications.usersToNotify(testApp.dataSource.manager, role, code);
      const rows: { username: string }[] = await testApp.dataSource.query(`SELECT username FROM users WHERE id = ANY($1::uuid[]) ORDER BY username`, [ids]);
      return rows.map((r) => r.username);
    };
    expect(await found('officer', '440781109')).toEqual(['ts-officer', 'ts-officer2']);
    expect(await found('supervisor', '440781')).toEqual(['ts-supervisor']);
    expect(await found('supervisor', '440700')).toEqual(['jm-supervisor']);
    expect(await found('officer', '440781')).toEqual([]); // a county node: its towns' officers are not bound to it
    // A deactivated user is nobody to tell.
    await testApp.dataSource.query(`UPDATE users SET active = false WHERE username = 'ts-officer2'`);
    try {
      expect(await found('officer', '440781109')).toEqual(['ts-officer']);
    } finally {
      await testApp.dataSource.query(`UPDATE users SET active = true WHERE username = 'ts-officer2'`);
    }
  });
});

describe('overdue alerts and the supervisors’ digest', () => {
  const cases: Record<string, CaseBody> = {};

  /**
   * Makes the due time of a task's step visit `dueAt`: updates the `due` row the deadlines
   * service wrote for the visit, or inserts one where there is none.
   */
  async function setDue(c: CaseBody, step: string, dueAt: Date, status = 'pending'): Promise<void> {
    const entry = c.currentSteps.find((s) => s.key === step)?.entry ?? 1;
    // The open task carries its visit's due time (as the deadlines service keeps it); a
    // paused clock has none.
    await testApp.dataSource.query(
      `UPDATE tasks SET due_at = $4 WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'open'`,
      [c.id, step, entry, status === 'paused' ? null : dueAt],
    );
    const [, updated] = await testApp.dataSource.query(
      `UPDATE deadlines SET due_at = $4, status = $5 WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND kind = 'due'`,
      [c.id, step, entry, dueAt, status],
    );
    if (updated > 0) return;
    await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       VALUES ($1, $2, $3, 'due', 0, $4, 1, $5, false, $6, $7)`,
      [c.id, step, entry, dueAt, status, new Date(dueAt.getTime() - 14 * DAY), { duration: '10wd' }],
    );
  }

  beforeAll(async () => {
    const start = (username: string, name: string) => driver.start(username, 'poverty-entry', { ...HOUSEHOLD, householdName: name });
    // 台山 (440781109): three days late, one day late, due tomorrow, late but paused for 补正.
    cases.ts3 = await start('ts-officer', '台山甲');
    cases.ts1 = await start('ts-officer', '台山乙');
    cases.tsFuture = await start('ts-officer', '台山丙');
    cases.tsPaused = await start('ts-officer', '台山丁');
    // 开平 (440783108): two days late.
    cases.kp2 = await start('kp-officer', '开平甲');
    // A case that moved on: its old visit of 拟选对象 was late, its new step is not.
    const moved = await start('ts-officer', '台山戊');
    await setDue(moved, 'propose', new Date(NOW.getTime() - 5 * DAY));
    cases.moved = await driver.act('ts-officer', moved, 'submit', ELIGIBLE_PROPOSAL);

    await setDue(cases.ts3, 'propose', new Date(NOW.getTime() - 3 * DAY));
    await setDue(cases.ts1, 'propose', new Date(NOW.getTime() - DAY));
    await setDue(cases.tsFuture, 'propose', new Date(NOW.getTime() + DAY));
    await setDue(cases.tsPaused, 'propose', new Date(NOW.getTime() - 4 * DAY), 'paused');
    await setDue(cases.kp2, 'propose', new Date(NOW.getTime() - 2 * DAY), 'fired');
    await setDue(cases.moved, 'support', new Date(NOW.getTime() + 5 * DAY));

    // 恩平 has a supervisor and no overdue work.
    await testApp.dataSource.query(
      `INSERT INTO users (username, display_name, password_hash, roles, jurisdiction_code, email)
       VALUES ('ep-supervisor', '恩平市督查', 'x', '{supervisor}', '440785', 'ep-supervisor@fupin.test')`,
    );
    await testApp.dataSource.query(
      `UPDATE users SET email = username || '@fupin.test' WHERE username IN ('jm-supervisor', 'ts-supervisor')`,
    );
    testApp.clock.set(NOW);
  });

  it('shows a county supervisor only the overdue tasks of the county, most overdue first', async () => {
    const response = await (await as('ts-supervisor')).get('/api/alerts/overdue');
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.items.map((t: { caseId: string }) => t.caseId)).toEqual([cases.ts3.id, cases.ts1.id]);
    expect(body.total).toBe(2);
    expect(body.items[0]).toMatchObject({
      title: '台山甲',
      workflow: { key: 'poverty-entry', label: expect.any(String) },
      step: { key: 'propose', label: '拟选对象', entry: 1 },
      role: 'officer',
      level: 'town',
      jurisdictionCode: '440781109',
      jurisdictionName: '台山市端芬镇',
      dueAt: new Date(NOW.getTime() - 3 * DAY).toISOString(),
      overdue: { seconds: 3 * 86_400, days: 3, text: '3天' },
    });
    expect(body.summary).toEqual({
      byCounty: [{ code: '440781', name: '台山市', count: 2 }],
      byTown: [{ code: '440781109', name: '台山市端芬镇', count: 2 }],
    });
  });

  it('shows the city supervisor every county', async () => {
    const response = await (await as('jm-supervisor')).get('/api/alerts/overdue');
    expect(response.status).toBe(200);
    expect(response.body.items.map((t: { caseId: string }) => t.caseId)).toEqual([cases.ts3.id, cases.kp2.id, cases.ts1.id]);
    expect(response.body.summary.byCounty).toEqual([
      { code: '440781', name: '台山市', count: 2 },
      { code: '440783', name: '开平市', count: 1 },
    ]);
    expect(response.body.summary.byTown).toEqual([
      { code: '440781109', name: '台山市端芬镇', count: 2 },
      { code: '440783108', name: '开平市塘口镇', count: 1 },
    ]);
    const limited = await (await as('jm-supervisor')).get('/api/alerts/overdue?limit=1');
    expect(limited.body.items).toHaveLength(1);
    expect(limited.body.total).toBe(3);
  });

  it('refuses everyone who is not a supervisor', async () => {
    for (const username of ['ts-officer', 'ts-reviewer', 'admin']) {
      const response = await (await as(username)).get('/api/alerts/overdue');
      expect(response.status).toBe(403);
    }
  });

  it('follows the clock: a task becomes overdue when its due time passes', async () => {
    testApp.clock.set(new Date(NOW.getTime() + DAY + HOUR));
    try {
      const response = await (await as('ts-supervisor')).get('/api/alerts/overdue');
      expect(response.body.items.map((t: { caseId: string }) => t.caseId)).toEqual([cases.ts3.id, cases.ts1.id, cases.tsFuture.id]);
    } finally {
      testApp.clock.set(NOW);
    }
  });

  it('sends the daily digest only to supervisors with overdue work, once a day', async () => {
    const digest = testApp.app.get(DigestService);
    const result = await digest.sendDailyDigest(NOW);
    expect(result.date).toBe('2026-03-02');
    expect(result.notified.map((n) => [n.username, n.overdue]).sort()).toEqual([
      ['jm-supervisor', 3],
      ['ts-supervisor', 2],
    ]);
    // The same day again (a retried job, a second worker): nothing new.
    await digest.sendDailyDigest(new Date(NOW.getTime() + 2 * HOUR));

    const rows: { username: string; title: string; body: string; dedup_key: string }[] = await testApp.dataSource.query(
      `SELECT u.username, n.title, n.body, n.dedup_key FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.kind = 'overdue-digest' ORDER BY u.username`,
    );
    expect(rows.map((r) => r.username)).toEqual(['jm-supervisor', 'ts-supervisor']);
    const ts = rows[1];
    expect(ts.dedup_key).toBe(`digest-2026-03-02-${await userId('ts-supervisor')}`);
    expect(ts.title).toBe('逾期待办日报（2026-03-02）：台山市共 2 件');
    expect(ts.body).toContain('台山甲');
    expect(ts.body).toContain('台山乙');
    expect(ts.body).not.toContain('开平甲');
    expect(rows[0].body).toContain('开平甲');

    const emails: { to_address: string; subject: string }[] = await testApp.dataSource.query(
      `SELECT e.to_address, e.subject FROM email_deliveries e
         JOIN outbox o ON o.kind = 'sendEmail' AND o.payload->>'emailId' = e.id::text
        WHERE e.dedup_key LIKE 'digest-%' ORDER BY e.to_address`,
    );
    expect(emails).toEqual([
      { to_address: 'jm-supervisor@fupin.test', subject: '逾期待办日报（2026-03-02）：江门市共 3 件' },
      { to_address: 'ts-supervisor@fupin.test', subject: ts.title },
    ]);

    // The next Beijing day is a new digest.
    const nextDay = await digest.sendDailyDigest(new Date(NOW.getTime() + DAY));
    expect(nextDay.date).toBe('2026-03-03');
    const [{ count }] = await testApp.dataSource.query(`SELECT count(*)::int AS count FROM notifications WHERE kind = 'overdue-digest'`);
    expect(count).toBe(4);
  });

  it('shows a supervisor the digest the 08:00 mail sent, without sending anything', async () => {
    // The mail the job wrote for ts-supervisor at NOW (the test above ran the job at NOW).
    const [mail]: { subject: string; body: string }[] = await testApp.dataSource.query(
      `SELECT subject, body FROM email_deliveries WHERE dedup_key = $1`,
      [`digest-2026-03-02-${await userId('ts-supervisor')}:${await userId('ts-supervisor')}`],
    );
    expect(mail.subject).toBe('逾期待办日报（2026-03-02）：台山市共 2 件');
    const before = await testApp.dataSource.query(`SELECT count(*)::int AS count FROM email_deliveries`);

    const response = await (await as('ts-supervisor')).get('/api/notifications/digest');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      date: '2026-03-02',
      jurisdictionCode: '440781',
      jurisdictionName: '台山市',
      total: 2,
      title: mail.subject,
      body: mail.body,
    });
    expect(response.body.body.split('\n')).toEqual([
      '截至 2026-03-02 09:00，台山市辖区内共有 2 件待办已逾期：',
      expect.stringMatching(/^1\. 台山甲（.+·拟选对象，台山市端芬镇）应于 2026-02-27 09:00 前办理，已逾期 3天$/),
      expect.stringMatching(/^2\. 台山乙（.+·拟选对象，台山市端芬镇）应于 2026-03-01 09:00 前办理，已逾期 1天$/),
    ]);
    expect(await testApp.dataSource.query(`SELECT count(*)::int AS count FROM email_deliveries`)).toEqual(before);
  });

  it('shows an empty digest when nothing is overdue, and refuses non-supervisors', async () => {
    // Four days and an hour earlier, none of 台山's tasks was due yet.
    testApp.clock.set(new Date(NOW.getTime() - 4 * DAY - HOUR));
    try {
      const response = await (await as('ts-supervisor')).get('/api/notifications/digest');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ date: '2026-02-26', jurisdictionCode: '440781', jurisdictionName: '台山市', total: 0, title: null, body: null });
    } finally {
      testApp.clock.set(NOW);
    }
    for (const username of ['ts-officer', 'admin']) {
      expect((await (await as(username)).get('/api/notifications/digest')).status).toBe(403);
    }
  });
});
