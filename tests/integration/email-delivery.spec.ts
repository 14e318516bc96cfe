import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { DigestService } from '../../src/notifications/digest.service.js';
import { EmailAttemptFailedError, OutboxDeliveryService } from '../../src/notifications/outbox-delivery.service.js';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// Outgoing mail end to end against a real SMTP server in this process: outbox row →
// OutboxDeliveryService.deliver() (what the worker's BullMQ job calls) → nodemailer → SMTP.

let smtp: TestSmtpServer;
let testApp: TestApp;
let driver: CaseDriver;
let delivery: OutboxDeliveryService;
let notifications: NotificationsService;

const ADDRESS: Record<string, string> = {
  'ts-officer': 'ts-officer@fupin.test',
  'ts-officer2': 'ts-officer2@fupin.test',
};

beforeAll(async () => {
  smtp = await startSmtpServer();
  testApp = await createTestApp({ env: { SMTP_URL: smtp.url } });
  driver = new CaseDriver(testApp);
  delivery = testApp.app.get(OutboxDeliveryService);
  notifications = testApp.app.get(NotificationsService);
  // Demo users have no addresses; the officers get one, the reviewer stays in-app only.
  for (const [username, email] of Object.entries(ADDRESS)) {
    await testApp.dataSource.query(`UPDATE users SET email = $2 WHERE username = $1`, [username, email]);
  }
});

afterAll(async () => {
  await testApp?.close();
  await smtp?.close();
});

beforeEach(() => smtp.setMode('accept'));

async function userId(username: string): Promise<string> {
  const [row] = await testApp.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]);
  return row.id;
}

async function outbox(caseId: string, kind: string): Promise<{ id: string; payload: Record<string, unknown> }[]> {
  return testApp.dataSource.query(`SELECT id::text AS id, payload FROM outbox WHERE case_id = $1 AND kind = $2 ORDER BY id`, [caseId, kind]);
}

async function emailsOf(caseId: string) {
  return testApp.dataSource.query(
    `SELECT e.id, e.to_address, e.subject, e.body, e.status, e.attempts, e.last_error, e.sent_at, e.failed_at
       FROM email_deliveries e JOIN outbox o ON o.kind = 'sendEmail' AND o.payload->>'emailId' = e.id::text
      WHERE o.case_id = $1 ORDER BY e.created_at, e.id`,
    [caseId],
  );
}

async function notificationsOf(caseId: string) {
  return testApp.dataSource.query(
    `SELECT u.username, n.kind, n.title, n.body FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE n.case_id = $1 ORDER BY u.username`,
    [caseId],
  );
}

/** A 台山 proposal returned from 精准扶持 to 拟选对象 by ts-officer. */
async function returnedCase(): Promise<CaseBody> {
  let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
  c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
  return driver.act('ts-officer', c, 'return', { reason: '收入证明缺少村委会盖章' });
}

/** What an email failure must never touch. */
async function caseState(caseId: string) {
  const [row] = await testApp.dataSource.query(
    `SELECT c.version, c.status, c.snapshot, c.data, c.updated_at,
            (SELECT count(*)::int FROM case_history WHERE case_id = c.id) AS history,
            (SELECT max(hash) FROM case_history WHERE case_id = c.id AND seq = (SELECT max(seq) FROM case_history WHERE case_id = c.id)) AS head,
            (SELECT count(*)::int FROM tasks WHERE case_id = c.id AND status = 'open') AS open_tasks
       FROM cases c WHERE c.id = $1`,
    [caseId],
  );
  return row;
}

describe('case returned for correction', () => {
  it('tells the officers who must act now, in-app and by a mail with a Chinese subject', async () => {
    const c = await returnedCase();
    const [notify] = await outbox(c.id, 'notify');
    expect(notify.payload).toMatchObject({ type: 'notify', template: 'case-returned', step: 'support' });

    await expect(delivery.deliver(notify.id, { number: 1, final: false })).resolves.toBe('done');

    // ts-officer2 holds the reopened 拟选对象 task; ts-officer returned the case and is not told.
    const inbox = await notificationsOf(c.id);
    expect(inbox).toEqual([
      expect.objectContaining({ username: 'ts-officer2', kind: 'case-returned', title: '案件退回补正：陈大明' }),
    ]);
    expect(inbox[0].body).toContain('精准扶持');
    expect(inbox[0].body).toContain('拟选对象');
    expect(inbox[0].body).toContain('收入证明缺少村委会盖章');

    const [email] = await emailsOf(c.id);
    expect(email).toMatchObject({ to_address: ADDRESS['ts-officer2'], status: 'pending', attempts: 0 });
    const [send] = await outbox(c.id, 'sendEmail');
    expect(send.payload).toEqual({ emailId: email.id });

    const before = smtp.messages.length;
    await expect(delivery.deliver(send.id, { number: 1, final: false })).resolves.toBe('done');
    expect(smtp.messages).toHaveLength(before + 1);
    const mail = smtp.messages[smtp.messages.length - 1];
    expect(mail.to).toEqual([ADDRESS['ts-officer2']]);
    expect(mail.headers.get('to')).toContain(ADDRESS['ts-officer2']);
    expect(mail.subject).toBe('案件退回补正：陈大明');
    expect(mail.headers.get('subject')).toMatch(/^=\?UTF-8\?[BQ]\?/i); // encoded on the wire, decoded by us
    expect(mail.text).toContain('收入证明缺少村委会盖章');
    expect(mail.from).toBe('noreply@fupin-flow.local');

    const [sent] = await emailsOf(c.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(sent.sent_at).toBeInstanceOf(Date);
  });

  it('delivers a sent mail and a handled notify row again without any second effect', async () => {
    const c = await returnedCase();
    const [notify] = await outbox(c.id, 'notify');
    await delivery.deliver(notify.id, { number: 1, final: false });
    const [send] = await outbox(c.id, 'sendEmail');
    await delivery.deliver(send.id, { number: 1, final: false });
    const mails = smtp.messages.length;

    await expect(delivery.deliver(send.id, { number: 1, final: false })).resolves.toBe('skipped');
    await expect(delivery.deliver(notify.id, { number: 2, final: false })).resolves.toBe('done');

    expect(smtp.messages).toHaveLength(mails);
    expect(await notificationsOf(c.id)).toHaveLength(1);
    expect(await emailsOf(c.id)).toHaveLength(1);
    expect(await outbox(c.id, 'sendEmail')).toHaveLength(1);
    const [email] = await emailsOf(c.id);
    expect(email.attempts).toBe(1);
  });
});

describe('a mail server that answers 5xx', () => {
  it('retries, records each attempt, then marks the mail failed for administrators; the case is unchanged', async () => {
    const c = await returnedCase();
    const [notify] = await outbox(c.id, 'notify');
    await delivery.deliver(notify.id, { number: 1, final: false });
    const [send] = await outbox(c.id, 'sendEmail');
    const caseBefore = await caseState(c.id);
    const mails = smtp.messages.length;

    smtp.setMode('reject');
    // Not the last attempt: the job must fail (BullMQ then retries with backoff)…
    await expect(delivery.deliver(send.id, { number: 1, final: false })).rejects.toBeInstanceOf(EmailAttemptFailedError);
    let [email] = await emailsOf(c.id);
    // …and the attempt is recorded even though the job threw.
    expect(email).toMatchObject({ status: 'pending', attempts: 1, failed_at: null });
    expect(email.last_error).toMatch(/550/);

    await expect(delivery.deliver(send.id, { number: 2, final: false })).rejects.toThrow(/attempt 2 failed/);
    [email] = await emailsOf(c.id);
    expect(email).toMatchObject({ status: 'pending', attempts: 2 });

    // The last attempt records the failure for good and does not throw.
    await expect(delivery.deliver(send.id, { number: 3, final: true })).resolves.toBe('failed');
    [email] = await emailsOf(c.id);
    expect(email).toMatchObject({ status: 'failed', attempts: 3 });
    expect(email.failed_at).toBeInstanceOf(Date);
    expect(smtp.messages).toHaveLength(mails);
    expect(smtp.rejected).toBeGreaterThanOrEqual(3);

    // Administrators see it, with the server's answer.
    const admin = await testApp.login('admin');
    const listed = await testApp.http.get('/api/admin/emails?status=failed').set('Authorization', `Bearer ${admin}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: email.id, to: ADDRESS['ts-officer2'], username: 'ts-officer2', status: 'failed', attempts: 3, lastError: expect.stringMatching(/550/) }),
      ]),
    );
    const officer = await testApp.login('ts-officer');
    const refused = await testApp.http.get('/api/admin/emails?status=failed').set('Authorization', `Bearer ${officer}`);
    expect(refused.status).toBe(403);

    // The case did not move: same version, history, snapshot and open work, and it verifies.
    expect(await caseState(c.id)).toEqual(caseBefore);
    const verified = await driver.verify('ts-officer', c.id);
    expect(verified.body).toMatchObject({ valid: true, replayMatches: true });
    // And the officers can carry on with it.
    const current = (await driver.get('ts-officer', c.id)).body as CaseBody;
    await driver.act('ts-officer2', current, 'submit', ELIGIBLE_PROPOSAL);
  });

  it('sends a failed mail when it is delivered again once the server is back', async () => {
    const c = await returnedCase();
    const [notify] = await outbox(c.id, 'notify');
    await delivery.deliver(notify.id, { number: 1, final: false });
    const [send] = await outbox(c.id, 'sendEmail');
    smtp.setMode('reject');
    await expect(delivery.deliver(send.id, { number: 1, final: true })).resolves.toBe('failed');
    smtp.setMode('accept');
    await expect(delivery.deliver(send.id, { number: 1, final: false })).resolves.toBe('done');
    const [email] = await emailsOf(c.id);
    expect(email).toMatchObject({ status: 'sent', attempts: 2, failed_at: null });
  });
});

describe('a finished case', () => {
  it('tells the officer who started it', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    c = await driver.act('ts-officer2', c, 'cancel', { reason: '农户自愿撤回申请' });
    const [finished] = await outbox(c.id, 'caseFinished');
    await expect(delivery.deliver(finished.id, { number: 1, final: false })).resolves.toBe('done');
    expect(await notificationsOf(c.id)).toEqual([expect.objectContaining({ username: 'ts-officer', kind: 'case-finished', title: '办结：陈大明' })]);
    const [send] = await outbox(c.id, 'sendEmail');
    await expect(delivery.deliver(send.id, { number: 1, final: false })).resolves.toBe('done');
    const mail = smtp.messages[smtp.messages.length - 1];
    expect(mail.to).toEqual([ADDRESS['ts-officer']]);
    expect(mail.subject).toBe('办结：陈大明');
  });
});

describe('notify()', () => {
  it('writes one notification and one mail per recipient however often the same cause is notified', async () => {
    const officer = await userId('ts-officer');
    const reviewer = await userId('ts-reviewer'); // no address: in-app only
    const request = {
      recipients: [officer, reviewer, officer],
      caseId: null,
      kind: 'test',
      title: '测试通知：同一原因只通知一次',
      body: '正文',
      dedupKey: 'test-dedup-1',
      now: testApp.clock.now(),
    };
    await testApp.dataSource.transaction((manager) => notifications.notify(manager, request));
    await testApp.dataSource.transaction((manager) => notifications.notify(manager, request));
    await Promise.all([1, 2, 3].map(() => testApp.dataSource.transaction((manager) => notifications.notify(manager, request))));

    const rows = await testApp.dataSource.query(`SELECT user_id FROM notifications WHERE dedup_key = 'test-dedup-1' ORDER BY user_id`);
    expect(rows.map((r: { user_id: string }) => r.user_id).sort()).toEqual([officer, reviewer].sort());
    const emails = await testApp.dataSource.query(`SELECT id, dedup_key, to_address FROM email_deliveries WHERE dedup_key LIKE 'test-dedup-1:%'`);
    expect(emails).toEqual([expect.objectContaining({ dedup_key: `test-dedup-1:${officer}`, to_address: ADDRESS['ts-officer'] })]);
    const sends = await testApp.dataSource.query(`SELECT payload FROM outbox WHERE kind = 'sendEmail' AND payload->>'emailId' = $1`, [emails[0].id]);
    expect(sends).toHaveLength(1);
  });

  it('rolls back with the caller: nothing is written when the transaction fails', async () => {
    const officer = await userId('ts-officer');
    await expect(
      testApp.dataSource.transaction(async (manager) => {
        await notifications.notify(manager, {
          recipients: [officer],
          caseId: null,
          kind: 'test',
          title: '回滚',
          body: '',
          dedupKey: 'test-rollback',
          now: testApp.clock.now(),
        });
        throw new Error('the caller fails after notifying');
      }),
    ).rejects.toThrow('the caller fails');
    const [{ count }] = await testApp.dataSource.query(
      `SELECT (SELECT count(*) FROM notifications WHERE dedup_key = 'test-rollback') + (SELECT count(*) FROM email_deliveries WHERE dedup_key LIKE 'test-rollback:%') AS count`,
    );
    expect(Number(count)).toBe(0);
  });
});

describe('outbox rows that are not ours or are gone', () => {
  it('skips unknown kinds, missing rows and missing emails', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const [{ id: legacy }] = await testApp.dataSource.query(
      `INSERT INTO outbox (case_id, kind, payload, available_at) VALUES ($1, 'startDeadline', '{"type":"startDeadline"}', now()) RETURNING id::text AS id`,
      [c.id],
    );
    const [{ id: orphan }] = await testApp.dataSource.query(
      `INSERT INTO outbox (case_id, kind, payload, available_at) VALUES (NULL, 'sendEmail', $1, now()) RETURNING id::text AS id`,
      [{ emailId: '00000000-0000-4000-8000-000000000000' }],
    );
    const before = await caseState(c.id);
    await expect(delivery.deliver(legacy, { number: 1, final: false })).resolves.toBe('skipped');
    await expect(delivery.deliver(orphan, { number: 1, final: false })).resolves.toBe('skipped');
    await expect(delivery.deliver('987654321', { number: 1, final: false })).resolves.toBe('skipped');
    await expect(delivery.deliver('not-an-id', { number: 1, final: false })).resolves.toBe('skipped');
    expect(await caseState(c.id)).toEqual(before);
  });
});

describe('a deactivated user', () => {
  it('gets no reminder, escalation, returned-case notice or digest: nothing in the app, no mail', async () => {
    const admin = { Authorization: `Bearer ${await testApp.login('admin')}` };
    await testApp.dataSource.query(`UPDATE users SET email = username || '@fupin.test' WHERE username IN ('ts-supervisor', 'jm-supervisor')`);
    const gone = ['ts-officer2', 'ts-supervisor'];
    const ids = async (table: string): Promise<string[]> => (await testApp.dataSource.query(`SELECT id FROM ${table}`)).map((r: { id: string }) => r.id);
    const earlier = { notifications: await ids('notifications'), emails: await ids('email_deliveries') };
    const mailsBefore = smtp.messages.length;
    // An administrator deactivates a town officer and the county's supervisor (as through the web app).
    for (const username of gone) {
      const response = await testApp.http.patch(`/api/users/${await userId(username)}`).set(admin).send({ active: false });
      expect({ username, status: response.status, active: response.body.active }).toEqual({ username, status: 200, active: false });
    }
    try {
      // A return for correction: the officer who must act now is the deactivated colleague.
      const returned = await returnedCase();
      const [notify] = await outbox(returned.id, 'notify');
      await expect(delivery.deliver(notify.id, { number: 1, final: false })).resolves.toBe('done');

      // A case of the town runs past its reminder and due time: the first escalation rung is
      // for the county's supervisors.
      const late = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
      const [due] = await testApp.dataSource.query(`SELECT due_at FROM deadlines WHERE case_id = $1 AND kind = 'due'`, [late.id]);
      testApp.clock.set(new Date(due.due_at.getTime() + 3_600_000));
      const rows: { id: string; generation: number }[] = await testApp.dataSource.query(
        `SELECT id, generation FROM deadlines WHERE case_id = $1 AND status = 'pending' AND due_at <= $2 ORDER BY due_at, id`,
        [late.id, testApp.clock.now()],
      );
      const firing = testApp.app.get(DeadlineFiringService);
      expect(await Promise.all(rows.map((r) => firing.fire(r.id, r.generation)))).toEqual(['fired', 'fired', 'fired']);
      // The day's digest of overdue work.
      const digest = await testApp.app.get(DigestService).sendDailyDigest(testApp.clock.now());
      expect(digest.notified.map((n) => n.username)).toEqual(['jm-supervisor']);

      // Every mail queued since goes to the SMTP server.
      const sends: { id: string }[] = await testApp.dataSource.query(
        `SELECT o.id::text AS id FROM outbox o JOIN email_deliveries e ON e.id::text = o.payload->>'emailId'
          WHERE o.kind = 'sendEmail' AND e.id <> ALL($1::uuid[]) ORDER BY o.id`,
        [earlier.emails],
      );
      for (const send of sends) await delivery.deliver(send.id, { number: 1, final: false });

      const inApp: { username: string; kind: string }[] = await testApp.dataSource.query(
        `SELECT u.username, n.kind FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.id <> ALL($1::uuid[]) ORDER BY n.kind, u.username`,
        [earlier.notifications],
      );
      // The active ones hear of it; the deactivated ones of nothing.
      expect(inApp).toEqual([
        { username: 'ts-officer', kind: 'deadline-due' },
        { username: 'ts-officer', kind: 'deadline-reminder' },
        { username: 'jm-supervisor', kind: 'overdue-digest' },
      ]);
      const mailedTo = smtp.messages.slice(mailsBefore).flatMap((m) => m.to).sort();
      expect(mailedTo).toEqual(['jm-supervisor@fupin.test', ADDRESS['ts-officer'], ADDRESS['ts-officer']].sort());
    } finally {
      await testApp.dataSource.query(`UPDATE users SET active = true WHERE username = ANY($1)`, [gone]);
    }
  });
});
