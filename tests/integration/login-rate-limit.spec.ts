import { Redis } from 'ioredis';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { LOCK_DURATION_MS } from '../../src/auth/auth.service.js';
import { freePort } from '../support/redis-server.js';
import { ensureBuilt, processEnv, sleep, spawnCompiled, uniquePrefix, type SpawnedProcess } from '../support/processes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Login rate limiting, counted in the shared Redis under a key prefix of this file's own
 * (only those keys are deleted afterwards). TRUST_PROXY=loopback lets each test pose as
 * its own client address with X-Forwarded-For, so the per-address counter of one test
 * does not spill into the next.
 */

// Long enough that the 30 argon2 verifications of a test fit in one window on a loaded CI
// machine (a window that ends midway lets attempts through that the test expects refused);
// the one test that waits the window out waits from the refusal's Retry-After.
const WINDOW_MS = 15_000;
const PREFIX = uniquePrefix('login-rate-limit');

let t: TestApp;
let redis: Redis;
const spawned: SpawnedProcess[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_LIMIT_PREFIX: PREFIX, LOGIN_WINDOW_MS: String(WINDOW_MS), TRUST_PROXY: 'loopback' } });
  redis = new Redis(t.config.redisUrl, { lazyConnect: true });
}, 120_000);

afterAll(async () => {
  await Promise.all(spawned.map((p) => p.kill()));
  if (redis) {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit().catch(() => redis.disconnect());
  }
  await t?.close();
});

function attempt(username: string, password: string, address: string) {
  return t.http.post('/api/auth/login').set('X-Forwarded-For', address).send({ username, password });
}

async function failTimes(n: number, username: string, address: string): Promise<number[]> {
  // In parallel: the counter must be atomic for exactly n to get through.
  const responses = await Promise.all(Array.from({ length: n }, () => attempt(username, 'wrong', address)));
  return responses.map((r) => r.status);
}

describe('login rate limit', () => {
  it('answers the 11th failed login of an account with 429 and Retry-After, even with the right password, until the window ends', async () => {
    expect(await failTimes(10, 'ts-officer', '198.51.100.1')).toEqual(Array(10).fill(401));

    const refused = await attempt('ts-officer', DEMO_PASSWORD, '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/application\/json/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
      details: { code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: retryAfter },
    });
    // Also from another address: the account's counter is per account.
    expect((await attempt('ts-officer', DEMO_PASSWORD, '198.51.100.2')).status).toBe(429);

    // Another account is unaffected.
    expect((await attempt('kp-officer', DEMO_PASSWORD, '198.51.100.1')).status).toBe(200);

    // After the window the right password works — once the database lock (5 failures) has
    // expired too, which the test's clock fast-forwards.
    // Retry-After (whole seconds, rounded up) is when the window ends: waiting from the
    // refusal, not from the test's start, holds however long the hashing of the ten failed
    // passwords took on a loaded machine.
    await sleep(retryAfter * 1000 + 200);
    t.clock.advance(LOCK_DURATION_MS + 1000);
    expect((await attempt('ts-officer', DEMO_PASSWORD, '198.51.100.1')).status).toBe(200);
  }, 60_000);

  it('starts the count again after a successful login', async () => {
    const address = '198.51.100.3';
    expect(await failTimes(4, 'ts-reviewer', address)).toEqual(Array(4).fill(401));
    expect((await attempt('ts-reviewer', DEMO_PASSWORD, address)).status).toBe(200);
    // Without the reset the 7th of these would be the 11th attempt.
    expect(await failTimes(10, 'ts-reviewer', address)).toEqual(Array(10).fill(401));
    expect((await attempt('ts-reviewer', 'wrong', address)).status).toBe(429);
  });

  it('limits the attempts of one address over every account', async () => {
    const address = '198.51.100.4';
    const accounts = ['auditor', 'jm-approver', 'jm-supervisor', 'kp-reviewer', 'nobody-1', 'nobody-2'];
    // 30 attempts, 5 per account (under the account limit).
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attempt(accounts[i % accounts.length], 'wrong', address).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(30).fill(401));

    const refused = await attempt('admin', DEMO_PASSWORD, address);
    expect(refused.status).toBe(429);
    expect(refused.body.details).toEqual({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
    expect(refused.headers['retry-after']).toBe(String(refused.body.details.retryAfterSeconds));

    // Another address is not.
    expect((await attempt('admin', DEMO_PASSWORD, '198.51.100.5')).status).toBe(200);
  });

  it('holds across two API processes sharing Redis', async () => {
    ensureBuilt();
    // A long window here: the attempts must not outlive it while spread over the processes.
    const env = processEnv(t.config, { LOGIN_LIMIT_PREFIX: PREFIX, LOGIN_WINDOW_MS: '60000', RUN_WORKER: 'false' });
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port, i) => spawnCompiled(`api-${i + 1}`, 'main', { ...env, PORT: String(port) }));
    spawned.push(...apis);
    await Promise.all(apis.map((p) => p.waitFor(/API listening/)));

    const post = async (port: number, password: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ts-supervisor', password }),
      });
    for (let i = 0; i < 10; i++) expect((await post(ports[i % 2], 'wrong')).status).toBe(401);
    const refused = await post(ports[1], DEMO_PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { details: { code: string } }).details.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await post(ports[0], DEMO_PASSWORD)).status).toBe(429);
    await Promise.all(apis.map((p) => p.stop()));
  }, 120_000);

  it('falls back to the account lock alone, without hanging, when Redis is unreachable', async () => {
    const noRedis = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, LOGIN_MAX_PER_ACCOUNT: '1' } });
    try {
      const started = Date.now();
      const wrong = await noRedis.http.post('/api/auth/login').send({ username: 'ts-officer', password: 'wrong' });
      const wrongAgain = await noRedis.http.post('/api/auth/login').send({ username: 'ts-officer', password: 'wrong' });
      const right = await noRedis.http.post('/api/auth/login').send({ username: 'ts-officer', password: DEMO_PASSWORD });
      expect([wrong.status, wrongAgain.status, right.status]).toEqual([401, 401, 200]);
      expect(Date.now() - started).toBeLessThan(5000);
      // Other routes are served as usual.
      const me = await noRedis.http.get('/api/auth/me').set('Authorization', `Bearer ${right.body.accessToken}`);
      expect(me.status).toBe(200);
    } finally {
      await noRedis.close();
    }
  }, 120_000);
});
