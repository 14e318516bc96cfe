import { JobName, outboxJobId, QueueName, queueToken, type TypedQueue } from '../../src/common/queues.js';
import { DeadlineReconcilerService } from '../../src/deadlines/deadline-reconciler.service.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';
import { seedWorkflowSource } from '../support/seed-workflows.js';
import { eventually, FAST_DELIVERY_ENV, sleep, startInProcessWorker, uniquePrefix, type InProcessWorker } from '../support/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The outbox relay against real PostgreSQL, a private redis-server this file starts, stops
 * and restarts (the machine's Redis is never touched) and a real SMTP server: actions keep
 * committing while Redis is down, their outbox rows wait in PostgreSQL, and once Redis is
 * back every row is published and delivered once.
 */

const MONDAY = '2026-03-02T01:00:00.000Z';

let redis: PrivateRedis;
let smtp: TestSmtpServer | undefined;
let testApp: TestApp | undefined;
let worker: InProcessWorker | undefined;

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await redis.close();
});

afterEach(async () => {
  await worker?.close();
  await testApp?.close();
  await smtp?.close();
  worker = undefined;
  testApp = undefined;
  smtp = undefined;
}, 120_000);

/**
 * The app, and the worker on its database. `before` runs between the two (the worker not
 * started yet), `afterStart` once the worker has started; `workerEnv` is laid over the
 * fast test settings.
 */
async function start(
  options: {
    workerEnv?: Record<string, string>;
    before?: (app: TestApp, driver: CaseDriver) => Promise<void>;
    afterStart?: () => Promise<void>;
  } = {},
): Promise<{ testApp: TestApp; worker: InProcessWorker; driver: CaseDriver; smtp: TestSmtpServer }> {
  smtp = await startSmtpServer();
  const env = { REDIS_URL: redis.url, BULLMQ_PREFIX: uniquePrefix('outbox-relay'), SMTP_URL: smtp.url };
  testApp = await createTestApp({ now: MONDAY, env });
  // Everyone has an address, so a notification also queues a mail (an outbox row of its own).
  await testApp.dataSource.query(`UPDATE users SET email = username || '@example.gov.cn'`);
  const driver = new CaseDriver(testApp);
  await options.before?.(testApp, driver);
  worker = await startInProcessWorker(testApp.config.databaseUrl, testApp.clock, { ...FAST_DELIVERY_ENV, ...env, ...options.workerEnv }, { afterStart: options.afterStart });
  return { testApp, worker, driver, smtp };
}

interface OutboxRow {
  id: string;
  kind: string;
  published_at: Date | null;
}

async function outbox(app: TestApp): Promise<OutboxRow[]> {
  return app.dataSource.query(`SELECT id::text AS id, kind, published_at FROM outbox ORDER BY id`);
}

/** How many times the worker completed the delivery job of each outbox row. */
function deliveries(w: InProcessWorker): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of w.outcomes) {
    if (o.name !== JobName.DeliverOutboxMessage) continue;
    const id = (o.data as { outboxId: string }).outboxId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The town officer sends a proposal back from the support plan: the other officer is told. */
async function proposeAndReturn(driver: CaseDriver, name: string): Promise<CaseBody> {
  let c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: name });
  c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
  return driver.act('ts-officer', c, 'return', { reason: '家庭成员信息有误' });
}

describe('outbox relay', () => {
  it('lets officers act while Redis is down and drains the outbox, each row once, when it is back', async () => {
    const { testApp, worker, driver, smtp } = await start();

    await proposeAndReturn(driver, '王一');
    // The return's notification, then the mail it queued: two rows, both delivered.
    await eventually('the first return delivered', async () => {
      const rows = await outbox(testApp);
      return rows.length === 2 && rows.every((r) => deliveries(worker).get(r.id) === 1);
    });
    await eventually('the first mail', () => smtp.messages.length === 1);
    const before = new Set((await outbox(testApp)).map((r) => r.id));

    // Redis goes away. Officers keep working: every action commits (200).
    await redis.stop();
    for (const name of ['王二', '王三', '王四']) await proposeAndReturn(driver, name);
    await sleep(600); // several relay ticks
    const waiting = (await outbox(testApp)).filter((r) => !before.has(r.id));
    expect(waiting.map((r) => [r.kind, r.published_at])).toEqual([
      ['notify', null],
      ['notify', null],
      ['notify', null],
    ]);

    // Redis is back (empty: no persistence): the rows are published and delivered, and the
    // mails those deliveries queue go out in turn.
    await redis.start();
    await eventually('the outbox drained', async () => {
      const rows = await outbox(testApp);
      return rows.length === 8 && rows.every((r) => r.published_at !== null && deliveries(worker).get(r.id) === 1);
    }, 60_000);
    await eventually('four mails', () => smtp.messages.length === 4);
    await sleep(500); // time for a duplicate, were there one

    const counts = deliveries(worker);
    const rows = await outbox(testApp);
    expect(rows.map((r) => counts.get(r.id))).toEqual(rows.map(() => 1));
    expect(smtp.messages).toHaveLength(4);
    expect(smtp.messages.every((m) => m.to.join() === 'ts-officer2@example.gov.cn')).toBe(true);
    const emails: { status: string; attempts: number }[] = await testApp.dataSource.query(`SELECT status, attempts FROM email_deliveries`);
    expect(emails).toEqual(Array.from({ length: 4 }, () => ({ status: 'sent', attempts: 1 })));
    const notified = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'case-returned'`);
    expect(notified).toEqual([{ n: 4 }]);
  }, 120_000);

  it('republishes a published row whose job Redis lost', async () => {
    const { testApp, worker, driver, smtp } = await start();
    const queue = worker.app.get<TypedQueue<QueueName.Outbox>>(queueToken(QueueName.Outbox));
    // Hold deliveries, so the job is published but has not run when Redis loses it.
    await queue.pause();
    await proposeAndReturn(driver, '李一');
    const [row] = await outbox(testApp);
    await eventually('the row published', async () => (await outbox(testApp))[0].published_at !== null);
    expect(await queue.getJobState(outboxJobId(row.id))).toBe('waiting');

    await redis.client().flushall(); // the job, and the pause, are gone
    expect(await queue.getJobState(outboxJobId(row.id))).toBe('unknown');
    const report = await worker.app.get(DeadlineReconcilerService).reconcile();
    expect(report).toMatchObject({ outboxChecked: 1, outboxMissing: 1 });

    await eventually('the row delivered', () => deliveries(worker).get(row.id) === 1);
    await eventually('the mail', () => smtp.messages.length === 1);
    await sleep(300);
    expect(deliveries(worker).get(row.id)).toBe(1);
    // The completed job is kept for the reconciler's window: nothing more to republish.
    expect(await worker.app.get(DeadlineReconcilerService).reconcile()).toMatchObject({ outboxMissing: 0 });
  }, 120_000);

  it('publishes what waited in the outbox, and schedules what is due, as soon as Redis answers after the worker started', async () => {
    // Relay and scheduler tick once an hour here: only their first tick can do it in time.
    const { testApp, worker, smtp } = await start({
      workerEnv: { OUTBOX_INTERVAL_MS: '3600000', SCHEDULER_INTERVAL_MS: '3600000' },
      before: async (app, driver) => {
        // Written while no worker runs: a return's notification, and a reminder due now.
        const c = await proposeAndReturn(driver, '赵一');
        await app.dataSource.query(`UPDATE deadlines SET due_at = $2 WHERE case_id = $1 AND step = 'propose' AND kind = 'reminder'`, [c.id, app.clock.now()]);
        // The worker starts while Redis is not there yet (both started at once, Redis the slower).
        await redis.stop();
      },
      afterStart: () => redis.start(),
    });
    const [waiting] = await outbox(testApp);
    expect(waiting).toMatchObject({ kind: 'notify' });
    await eventually('the waiting row delivered', () => deliveries(worker).get(waiting.id) === 1, 30_000);
    await eventually(
      'the reminder fired',
      async () => {
        const rows: { status: string }[] = await testApp.dataSource.query(`SELECT status FROM deadlines WHERE kind = 'reminder' AND step = 'propose' AND status <> 'cancelled'`);
        return rows.length === 1 && rows[0].status === 'fired';
      },
      30_000,
    );
    // The mails those queued wait for the relay's next tick, an hour away: it was the first
    // tick, waiting for Redis rather than skipping, that published the row.
    expect(smtp.messages).toHaveLength(0);
  }, 120_000);

  it('delivers mail while a long migration run is in progress, even with one outbox slot', async () => {
    const { testApp, worker, driver, smtp } = await start({ workerEnv: { WORKER_OUTBOX_CONCURRENCY: '1' } });
    const admin = { Authorization: `Bearer ${await testApp.login('admin')}` };
    // A case on version 4, then version 5 (15 working days for the proposal instead of 10).
    const moved = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '钱一' });
    const version5 = seedWorkflowSource('poverty-entry').replace('      duration: 10wd', '      duration: 15wd');
    await testApp.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: version5 });
    await testApp.http.post('/api/workflows/poverty-entry/draft/validate').set(admin);
    expect((await testApp.http.post('/api/workflows/poverty-entry/draft/publish').set(admin)).body).toMatchObject({ version: 5 });

    // The run is held at the case (its row locked here, as by a long transaction): it stays running.
    const holder = testApp.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM cases WHERE id = $1 FOR UPDATE`, [moved.id]);
      const queued = await testApp.http.post('/api/workflows/poverty-entry/migrations').set(admin).send({ fromVersion: 4, toVersion: 5 });
      expect(queued.status).toBe(202);
      const runOf = async () => (await testApp.http.get(`/api/workflows/poverty-entry/migrations/${queued.body.id}`).set(admin)).body;
      await eventually('the run to wait for the held case', async () => {
        const [{ waiting }] = await testApp.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return waiting === 1 && (await runOf()).status === 'running';
      });

      // Meanwhile an officer returns another case: the colleague hears of it, in the app and by mail.
      const returned = await proposeAndReturn(driver, '钱二');
      await eventually('the mail of the return', () => smtp.messages.length === 1, 30_000);
      expect(smtp.messages[0]).toMatchObject({ to: ['ts-officer2@example.gov.cn'], subject: '案件退回补正：钱二' });
      const told = await testApp.dataSource.query(`SELECT kind FROM notifications WHERE case_id = $1`, [returned.id]);
      expect(told).toEqual([{ kind: 'case-returned' }]);
      expect(await runOf()).toMatchObject({ status: 'running', counts: { total: 1, pending: 1 } });
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    await eventually('the run to finish', async () => {
      const runs = (await testApp.http.get('/api/workflows/poverty-entry/migrations').set(admin)).body;
      return runs[0]?.status === 'done' && runs[0].counts.migrated === 1;
    });
    expect(worker.outcomes.filter((o) => o.name === JobName.RunCaseMigration).map((o) => o.result)).toEqual(['done']);
  }, 120_000);
});
