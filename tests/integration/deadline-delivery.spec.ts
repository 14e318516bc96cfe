import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { deadlineJobId, JobName, QueueName, queueToken, type TypedQueue } from '../../src/common/queues.js';
import { APP_CONFIG, loadAppConfig } from '../../src/config/app-config.js';
import { DeadlineReconcilerService } from '../../src/deadlines/deadline-reconciler.service.js';
import { JobHandler } from '../../src/jobs/job-handler.js';
import { JobWorkersService } from '../../src/jobs/job-workers.service.js';
import { CaseDriver, HOUSEHOLD } from '../support/case-driver.js';
import { eventually, FAST_DELIVERY_ENV, sleep, startInProcessWorker, uniquePrefix, type InProcessWorker } from '../support/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The deadline delivery machinery against real PostgreSQL and a real (private) Redis:
 * the scheduler hands rows to BullMQ, the reconciler rebuilds what Redis lost, overdue
 * jobs are promoted when the clock jumps, and DeadlineFiringService fires each row once.
 * The worker runs in-process, sharing the test app's ManualClock.
 */

// Monday 2026-03-02 09:00 Beijing time.
const MONDAY = '2026-03-02T01:00:00.000Z';
const HOUR = 3_600_000;

let redis: PrivateRedis;
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
  worker = undefined;
  testApp = undefined;
}, 120_000);

async function start(env: Record<string, string>): Promise<{ testApp: TestApp; worker: InProcessWorker; driver: CaseDriver }> {
  const prefix = uniquePrefix('deadline-delivery');
  testApp = await createTestApp({ now: MONDAY, env: { REDIS_URL: redis.url, BULLMQ_PREFIX: prefix } });
  worker = await startInProcessWorker(testApp.config.databaseUrl, testApp.clock, {
    ...FAST_DELIVERY_ENV,
    REDIS_URL: redis.url,
    BULLMQ_PREFIX: prefix,
    ...env,
  });
  return { testApp, worker, driver: new CaseDriver(testApp) };
}

interface Row {
  id: string;
  generation: number;
  status: string;
  enqueued_generation: number | null;
  fired_at: Date | null;
}

async function rows(app: TestApp, ids?: string[]): Promise<Row[]> {
  return app.dataSource.query(
    `SELECT id, generation, status, enqueued_generation, fired_at FROM deadlines
      WHERE ($1::bigint[] IS NULL OR id = ANY($1::bigint[])) ORDER BY id`,
    [ids ?? null],
  );
}

/** Deadline history events per deadline id: what "fired" means on the case. */
async function firingEvents(app: TestApp): Promise<Map<string, number>> {
  const found: { id: string; n: string }[] = await app.dataSource.query(
    `SELECT payload->>'deadlineId' AS id, count(*) AS n FROM case_history
      WHERE event_type = 'deadline' AND action IN ('reminder', 'due', 'escalation') GROUP BY 1`,
  );
  return new Map(found.map((r) => [r.id, Number(r.n)]));
}

/** Deadline ids of the 'fired' results the worker reported, in order. */
function firedByWorker(w: InProcessWorker): string[] {
  return w.outcomes
    .filter((o) => o.name === JobName.FireDeadline && o.result === 'fired')
    .map((o) => (o.data as { deadlineId: string }).deadlineId);
}

function expectEachOnce(ids: string[], expected: string[]): void {
  expect([...ids].sort()).toEqual([...expected].sort());
  expect(new Set(ids).size).toBe(ids.length);
}

describe('deadline delivery', () => {
  it('rebuilds every job after a Redis FLUSHALL: 50 deadlines fire, each once', async () => {
    const { testApp, worker, driver } = await start({ DEADLINE_HORIZON: '30d' });
    // Ten cases waiting at their first step: five timers each (reminder, due time, three
    // escalation rungs), due between 10 and 28 days from now.
    for (let i = 0; i < 10; i++) await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: `户主${i}` });
    const pending = await rows(testApp);
    expect(pending).toHaveLength(50);
    const ids = pending.map((r) => r.id);
    const queue = worker.app.get<TypedQueue<QueueName.Deadlines>>(queueToken(QueueName.Deadlines));
    const jobStates = () => Promise.all(pending.map((r) => queue.getJobState(deadlineJobId(r.id, r.generation))));

    // The scheduler hands all of them to BullMQ as delayed jobs.
    await eventually('all 50 rows enqueued', async () => (await rows(testApp, ids)).every((r) => r.enqueued_generation === r.generation));
    expect(new Set(await jobStates())).toEqual(new Set(['delayed']));

    // Redis loses everything.
    const client: Redis = redis.client();
    await client.flushall();
    expect(new Set(await jobStates())).toEqual(new Set(['unknown']));

    // The reconciler finds the 50 rows without a job and the scheduler adds them again.
    const report = await worker.app.get(DeadlineReconcilerService).reconcile();
    expect(report).toMatchObject({ checked: 50, missing: 50, failed: 0 });
    await eventually('jobs re-added', async () => (await jobStates()).every((s) => s === 'delayed'));
    // The digest's job scheduler, lost with the rest, is back too.
    const outbox = worker.app.get<TypedQueue<QueueName.Outbox>>(queueToken(QueueName.Outbox));
    expect(await outbox.getJobScheduler(JobName.SendDailyDigest)).toMatchObject({ pattern: '0 8 * * *', tz: 'Asia/Shanghai' });

    // A month later every one of them is overdue: the delayed jobs are promoted and fire.
    testApp.clock.set('2026-04-01T02:00:00.000Z');
    await eventually('50 deadlines fired', async () => (await rows(testApp, ids)).every((r) => r.status === 'fired'), 60_000);
    await sleep(500); // time for a duplicate, were there one
    const after = await rows(testApp, ids);
    expect(after.every((r) => r.fired_at !== null)).toBe(true);
    expectEachOnce(firedByWorker(worker), ids);
    const events = await firingEvents(testApp);
    expect(ids.map((id) => events.get(id))).toEqual(ids.map(() => 1));

    // Nothing is missing any more (the accountability cases the last rungs opened have
    // their own, future, timers enqueued).
    const again = await worker.app.get(DeadlineReconcilerService).reconcile();
    expect(again).toMatchObject({ missing: 0, failed: 0 });
  }, 120_000);

  it('schedules and reconciles more rows than one batch, each exactly once', async () => {
    const { testApp, worker, driver } = await start({ DEADLINE_HORIZON: '24h' });
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    // 2,500 reminders due at one and the same instant (with microseconds, as SQL makes them).
    await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       SELECT d.case_id, d.step, d.step_entry, 'reminder', 0, $2::timestamptz + interval '0.123456 seconds', 1, 'pending', false, d.started_at, d.settings
         FROM (SELECT * FROM deadlines WHERE case_id = $1 AND kind = 'reminder' LIMIT 1) d CROSS JOIN generate_series(1, 2500)`,
      [c.id, new Date(Date.parse(MONDAY) + 12 * HOUR)],
    );
    const enqueued = async () => {
      const [{ n }] = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE enqueued_generation = generation`);
      return n as number;
    };
    await eventually('2,500 rows enqueued', async () => (await enqueued()) === 2500);
    const queue = worker.app.get<TypedQueue<QueueName.Deadlines>>(queueToken(QueueName.Deadlines));
    expect(await queue.getDelayedCount()).toBe(2500);

    await redis.client().flushall();
    const report = await worker.app.get(DeadlineReconcilerService).reconcile();
    expect(report).toMatchObject({ checked: 2500, missing: 2500 });
    await eventually('2,500 jobs again', async () => (await queue.getDelayedCount()) === 2500);
    expect(await enqueued()).toBe(2500);
  }, 120_000);

  it('fires every overdue deadline once when the clock jumps forward three days, and nothing twice when it goes back', async () => {
    const { testApp, worker, driver } = await start({ DEADLINE_HORIZON: '24h' });
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    // Forty more reminders on the case's current step: every 2 hours from now, for 30 of
    // them within the next three days, and 10 more between 80 and 98 hours from now.
    const hours = [...Array.from({ length: 30 }, (_, i) => 2 * (i + 1)), ...Array.from({ length: 10 }, (_, i) => 80 + 2 * i)];
    const inserted: { id: string }[] = await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       SELECT d.case_id, d.step, d.step_entry, 'reminder', 0, t.due, 1, 'pending', false, d.started_at, d.settings
         FROM (SELECT * FROM deadlines WHERE case_id = $1 AND kind = 'reminder' LIMIT 1) d
        CROSS JOIN unnest($2::timestamptz[]) WITH ORDINALITY AS t(due, n)
        ORDER BY t.n
       RETURNING id`,
      [c.id, hours.map((h) => new Date(Date.parse(MONDAY) + h * HOUR))],
    );
    const soon = inserted.slice(0, 30).map((r) => r.id);
    const later = inserted.slice(30).map((r) => r.id);

    // Only the rows due within the 24-hour horizon get a job; the rest wait in the table.
    await eventually('rows due within 24 h enqueued', async () => (await rows(testApp, soon.slice(0, 12))).every((r) => r.enqueued_generation === 1));
    await sleep(300);
    expect((await rows(testApp, [...soon.slice(12), ...later])).every((r) => r.enqueued_generation === null)).toBe(true);

    // Three days later: the 30 are overdue, whether their job was waiting out a delay of
    // hours (promoted) or not made yet (enqueued now, no delay).
    testApp.clock.advance(72 * HOUR);
    await eventually('30 overdue deadlines fired', async () => (await rows(testApp, soon)).every((r) => r.status === 'fired'), 60_000);
    await sleep(500);
    expectEachOnce(firedByWorker(worker), soon);
    expect((await rows(testApp, later)).every((r) => r.status === 'pending')).toBe(true);

    // The clock is set back three days: nothing fires again, nothing new fires.
    testApp.clock.set(MONDAY);
    await sleep(1500);
    expectEachOnce(firedByWorker(worker), soon);
    expect((await rows(testApp, later)).every((r) => r.status === 'pending')).toBe(true);

    // …and forward past the later ten: those fire, once; the first thirty stay fired once.
    testApp.clock.set(new Date(Date.parse(MONDAY) + 100 * HOUR));
    await eventually('the later 10 fired', async () => (await rows(testApp, later)).every((r) => r.status === 'fired'), 60_000);
    await sleep(500);
    expectEachOnce(firedByWorker(worker), [...soon, ...later]);
    const events = await firingEvents(testApp);
    expect([...soon, ...later].map((id) => events.get(id))).toEqual([...soon, ...later].map(() => 1));
    // The case's own timers (due in 8 working days and more) did not move.
    const own = (await rows(testApp)).filter((r) => !soon.includes(r.id) && !later.includes(r.id));
    expect(own.map((r) => r.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
  }, 120_000);
});

describe('the worker', () => {
  it('refuses to start while a job has no handler', async () => {
    @Injectable()
    @JobHandler(JobName.FireDeadline)
    class OnlyDeadlines {
      async handle(): Promise<'stale'> {
        return 'stale';
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [JobWorkersService, OnlyDeadlines, { provide: APP_CONFIG, useValue: loadAppConfig({ NODE_ENV: 'test' }) }],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(/no handler registered for deliver-outbox-message, send-daily-digest/);
    await moduleRef.close();
  });

  it('runs the daily digest job with the injected clock', async () => {
    const { worker } = await start({});
    const outbox = worker.app.get<TypedQueue<QueueName.Outbox>>(queueToken(QueueName.Outbox));
    await outbox.add(JobName.SendDailyDigest, {}, { jobId: 'digest-now' });
    await eventually('the digest ran', () => worker.outcomes.some((o) => o.name === JobName.SendDailyDigest));
    expect(worker.outcomes.filter((o) => o.name === JobName.SendDailyDigest).map((o) => o.result)).toEqual(['sent']);
  }, 120_000);

  it('takes its test-only and delivery settings from the environment, refusing bad ones', () => {
    const delivery = loadAppConfig({ NODE_ENV: 'test', DEADLINE_HORIZON: '2h', BULLMQ_PREFIX: 'x-1' }).delivery;
    expect(delivery).toMatchObject({ deadlineHorizonMs: 7_200_000, bullmqPrefix: 'x-1', runWorker: false, schedulerIntervalMs: 5000 });
    expect(loadAppConfig({}).delivery.runWorker).toBe(true); // development
    expect(loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), JWT_REFRESH_SECRET: 'y'.repeat(40), PUBLIC_BOARD_SECRET: 'z'.repeat(40), IDEMPOTENCY_SECRET: 'i'.repeat(40), RESIDENT_ID_KEY: Buffer.alloc(32, 7).toString('base64') }).delivery.runWorker).toBe(false);
    expect(() => loadAppConfig({ NODE_ENV: 'development', FIRE_DELAY_MS: '100' })).toThrow(/FIRE_DELAY_MS/);
    expect(() => loadAppConfig({ BULLMQ_PREFIX: 'a:b', RUN_WORKER: 'maybe', SCHEDULER_INTERVAL_MS: '0' })).toThrow(
      /RUN_WORKER[\s\S]*BULLMQ_PREFIX[\s\S]*SCHEDULER_INTERVAL_MS/,
    );
  });
});
