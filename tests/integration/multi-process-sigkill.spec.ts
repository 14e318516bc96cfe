import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import smtpServer from 'smtp-server';
import { deadlineJobId, outboxJobId } from '../../src/common/queues.js';
import { CaseDriver, HOUSEHOLD } from '../support/case-driver.js';
import {
  ensureBuilt,
  eventually,
  FAST_DELIVERY_ENV,
  processEnv,
  sleep,
  spawnCompiled,
  uniquePrefix,
  type SpawnedProcess,
} from '../support/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const { SMTPServer } = smtpServer;

/**
 * A worker killed with SIGKILL in the middle of a job: the compiled worker is spawned,
 * killed while the job is provably in flight, and a second worker gets the job again
 * (BullMQ's stalled-job check, after WORKER_LOCK_DURATION_MS) — and its effect happens once.
 */

let redis: PrivateRedis;
let testApp: TestApp;
let client: Redis;
const spawned: SpawnedProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  redis = await startPrivateRedis();
  client = redis.client();
  // The spawned workers read the system clock: the test app's clock starts at the real now.
  testApp = await createTestApp({ now: new Date(), env: { REDIS_URL: redis.url, BULLMQ_PREFIX: uniquePrefix('sigkill') } });
}, 120_000);

afterAll(async () => {
  await Promise.all(spawned.map((p) => p.kill()));
  await testApp?.close();
  await redis?.close();
});

function spawnWorker(name: string, extra: Record<string, string>): SpawnedProcess {
  const worker = spawnCompiled(name, 'worker', processEnv(testApp.config, { ...FAST_DELIVERY_ENV, ...extra }));
  spawned.push(worker);
  return worker;
}

/** The BullMQ queue as the workers see it, for looking at one job. */
async function job(queueName: string, jobId: string) {
  const queue = new Queue(queueName, { connection: client, prefix: testApp.config.delivery.bullmqPrefix });
  try {
    return await queue.getJob(jobId);
  } finally {
    await queue.close();
  }
}

/**
 * An SMTP peer that takes the first message's DATA and then never answers: the sender is
 * stuck mid-send, exactly where a crash hurts most. Later messages are accepted.
 */
async function startHoldingSmtp() {
  let held: () => void = () => undefined;
  const firstHeld = new Promise<void>((resolve) => (held = resolve));
  const accepted: { to: string[]; raw: string }[] = [];
  let holding = true;
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (holding) {
          holding = false;
          held(); // no callback: the 250 never comes
          return;
        }
        accepted.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    firstHeld,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a worker killed with SIGKILL mid-job', () => {
  it('has its half-sent email delivered again by another worker, and sent once', async () => {
    const smtp = await startHoldingSmtp();
    try {
      const [email] = await testApp.dataSource.query(
        `INSERT INTO email_deliveries (dedup_key, to_address, subject, body, status, attempts, created_at)
         VALUES ('sigkill-test', 'ts-officer@example.gov.cn', '逾期提醒：陈大明 · 拟选对象', '请及时办理。', 'pending', 0, now())
         RETURNING id`,
      );
      const [row] = await testApp.dataSource.query(
        `INSERT INTO outbox (case_id, kind, payload, created_at, available_at)
         VALUES (NULL, 'sendEmail', jsonb_build_object('emailId', $1::text), now(), now()) RETURNING id::text AS id`,
        [email.id],
      );

      // The first worker relays the row, takes the job and is stuck in the SMTP exchange…
      const first = spawnWorker('worker-a', { SMTP_URL: smtp.url });
      await smtp.firstHeld;
      // …when it dies. Its transaction (holding the email row) dies with its connection.
      await first.kill();
      const [afterKill] = await testApp.dataSource.query(`SELECT status, attempts FROM email_deliveries WHERE id = $1`, [email.id]);
      expect(afterKill).toEqual({ status: 'pending', attempts: 0 });
      expect(smtp.accepted).toHaveLength(0);

      // A second worker finds the job stalled once its lock expires, and sends the mail.
      const second = spawnWorker('worker-b', { SMTP_URL: smtp.url });
      await eventually('the email sent by the second worker', async () => {
        const [state] = await testApp.dataSource.query(`SELECT status FROM email_deliveries WHERE id = $1`, [email.id]);
        return state.status === 'sent';
      }, 60_000);
      await sleep(1000); // time for a duplicate, were there one
      expect(smtp.accepted).toHaveLength(1);
      expect(smtp.accepted[0].to).toEqual(['ts-officer@example.gov.cn']);
      const [sent] = await testApp.dataSource.query(`SELECT status, attempts FROM email_deliveries WHERE id = $1`, [email.id]);
      expect(sent).toEqual({ status: 'sent', attempts: 1 });
      const delivered = await job('outbox', outboxJobId(row.id));
      expect(delivered).toMatchObject({ returnvalue: 'done', stalledCounter: 1 });
      expect(await second.stop()).toBe(0);
    } finally {
      await smtp.close();
    }
  }, 120_000);

  it('has its fired deadline job delivered again, and the deadline fires once', async () => {
    const driver = new CaseDriver(testApp);
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const [deadline] = await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       SELECT case_id, step, step_entry, 'reminder', 0, now(), 1, 'pending', false, started_at, settings
         FROM deadlines WHERE case_id = $1 AND kind = 'reminder'
       RETURNING id::text AS id`,
      [c.id],
    );

    // FIRE_DELAY_MS (honoured only with NODE_ENV=test) holds the job after the firing has
    // committed and before BullMQ hears of it: the worst moment to die.
    const first = spawnWorker('worker-c', { FIRE_DELAY_MS: '60000' });
    await first.waitFor(new RegExp(`deadline ${deadline.id} generation 1 fired`));
    await first.kill();

    const second = spawnWorker('worker-d', {});
    await second.waitFor(new RegExp(`deadline ${deadline.id} generation 1: stale`), 20_000);
    await eventually('the job completed', async () => (await job('deadlines', deadlineJobId(deadline.id, 1))) === undefined);

    const [row] = await testApp.dataSource.query(`SELECT status FROM deadlines WHERE id = $1`, [deadline.id]);
    expect(row.status).toBe('fired');
    const events = await testApp.dataSource.query(
      `SELECT count(*)::int AS n FROM case_history WHERE event_type = 'deadline' AND payload->>'deadlineId' = $1`,
      [deadline.id],
    );
    expect(events).toEqual([{ n: 1 }]);
    const notified = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE dedup_key = $1`, [`deadline-${deadline.id}-1`]);
    expect(notified[0].n).toBeGreaterThan(0);
    expect(second.lines.some((line) => new RegExp(`deadline ${deadline.id} generation 1 fired`).test(line))).toBe(false);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
