import { freePort, startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
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
import { HOUSEHOLD } from '../support/case-driver.js';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Production's shape: two API processes and two worker processes (the compiled code,
 * spawned), one PostgreSQL database and one Redis (a private redis-server). Cases are
 * started through both APIs; 200 deadlines on them come due within two seconds and the two
 * workers, sharing the rows with FOR UPDATE SKIP LOCKED and BullMQ's locks, fire each one
 * exactly once.
 */

let redis: PrivateRedis;
let testApp: TestApp;
const spawned: SpawnedProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  redis = await startPrivateRedis();
  // Creates, migrates and seeds the database (the in-process app only serves SQL here).
  testApp = await createTestApp({ env: { REDIS_URL: redis.url, BULLMQ_PREFIX: uniquePrefix('multi-process') } });
}, 120_000);

afterAll(async () => {
  await Promise.all(spawned.map((p) => p.kill()));
  await testApp?.close();
  await redis?.close();
});

async function login(port: number, username: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function startCase(port: number, token: string, name: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ workflow: 'poverty-entry', data: { ...HOUSEHOLD, householdName: name } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** `deadline 12 generation 1 fired (job …)` lines of a worker, as deadline ids. */
function firedLines(worker: SpawnedProcess): string[] {
  return worker.lines.flatMap((line) => {
    const match = /deadline (\d+) generation \d+ fired/.exec(line);
    return match ? [match[1]] : [];
  });
}

describe('two API processes and two workers', () => {
  it('fire 200 deadlines exactly once in total', async () => {
    const env = processEnv(testApp.config, { ...FAST_DELIVERY_ENV, DEADLINE_HORIZON: '1h' });
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port, i) => spawnCompiled(`api-${i + 1}`, 'main', { ...env, PORT: String(port) }));
    const workers = [1, 2].map((i) => spawnCompiled(`worker-${i}`, 'worker', env));
    spawned.push(...apis, ...workers);
    await Promise.all([...apis.map((p) => p.waitFor(/API listening/)), ...workers.map((p) => p.waitFor(/worker started/))]);

    // Forty cases, half through each API. Their own timers are days away (beyond the
    // workers' 1-hour horizon); five reminders per case are added, due within 2 seconds.
    const tokens = await Promise.all(ports.map((port) => login(port, 'ts-officer')));
    const cases: string[] = [];
    for (let i = 0; i < 40; i++) cases.push(await startCase(ports[i % 2], tokens[i % 2], `户主${i}`));
    const now = Date.now();
    const inserted: { id: string }[] = await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       SELECT d.case_id, d.step, d.step_entry, 'reminder', 0, $2::timestamptz + (random() * interval '2 seconds'), 1, 'pending', false, d.started_at, d.settings
         FROM deadlines d CROSS JOIN generate_series(1, 5)
        WHERE d.case_id = ANY($1::uuid[]) AND d.kind = 'reminder'
       RETURNING id::text AS id`,
      [cases, new Date(now + 500)],
    );
    const ids = inserted.map((r) => r.id).sort();
    expect(ids).toHaveLength(200);

    await eventually(
      '200 deadlines fired',
      async () => {
        const [{ n }] = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE id = ANY($1::bigint[]) AND status = 'fired'`, [ids]);
        return n === 200;
      },
      25_000,
      200,
    );
    await sleep(1000); // time for a duplicate, were there one

    // Each fired once: one history event per row, one "fired" line across both workers.
    const events: { id: string; n: number }[] = await testApp.dataSource.query(
      `SELECT payload->>'deadlineId' AS id, count(*)::int AS n FROM case_history
        WHERE event_type = 'deadline' AND payload->>'deadlineId' = ANY($1::text[]) GROUP BY 1 ORDER BY 1`,
      [ids],
    );
    expect(events.map((e) => e.n)).toEqual(ids.map(() => 1));
    const fired = workers.flatMap(firedLines);
    expect(fired.sort()).toEqual(ids);
    // Both workers took part (the rows are shared, not raced for).
    expect(workers.map((w) => firedLines(w).length).every((n) => n > 0)).toBe(true);

    // SIGTERM: the workers stop their timers, finish what they hold and exit cleanly.
    expect(await Promise.all(workers.map((w) => w.stop()))).toEqual([0, 0]);
    expect(await Promise.all(apis.map((a) => a.stop()))).toEqual([0, 0]);
  }, 120_000);

  it('stops a worker on SIGTERM even while its Redis is unreachable', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const worker = spawnCompiled('worker-without-redis', 'worker', processEnv(testApp.config, { ...FAST_DELIVERY_ENV, REDIS_URL: nobody }));
    spawned.push(worker);
    await worker.waitFor(/worker started/);
    await worker.waitFor(/Redis is not reachable/);
    const started = Date.now();
    expect(await worker.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 120_000);

  it('can also run the worker inside the API process (RUN_WORKER=true, as in development)', async () => {
    const port = await freePort();
    const api = spawnCompiled('api-with-worker', 'main', {
      ...processEnv(testApp.config, FAST_DELIVERY_ENV),
      PORT: String(port),
      RUN_WORKER: 'true',
    });
    spawned.push(api);
    await Promise.all([api.waitFor(/API listening/), api.waitFor(/Workers started/)]);
    const caseId = await startCase(port, await login(port, 'ts-officer'), '李四');
    const [row] = await testApp.dataSource.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, generation, status, provisional, started_at, settings)
       SELECT case_id, step, step_entry, 'reminder', 0, now(), 1, 'pending', false, started_at, settings
         FROM deadlines WHERE case_id = $1 AND kind = 'reminder'
       RETURNING id::text AS id`,
      [caseId],
    );
    await api.waitFor(new RegExp(`deadline ${row.id} generation 1 fired`));
    expect(await api.stop()).toBe(0);
  }, 120_000);
});
