import { JwtService } from '@nestjs/jwt';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { sleep } from '../support/processes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Access and refresh tokens, their revocation, and the audit rows of logins and refreshes. */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_MAX_PER_ADDRESS: '10000', LOGIN_MAX_PER_ACCOUNT: '3' } });
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
}

async function loginPair(app: TestApp, username: string, password = DEMO_PASSWORD): Promise<Pair> {
  const res = await app.http.post('/api/auth/login').send({ username, password });
  expect(res.status).toBe(200);
  return res.body as Pair;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function userId(username: string): Promise<string> {
  const [{ id }] = (await t.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username])) as Array<{ id: string }>;
  return id;
}

describe('access and refresh tokens', () => {
  it('returns a short access token and a longer refresh token, which trades for a new working pair', async () => {
    const pair = await loginPair(t, 'ts-reviewer');
    expect(pair.expiresIn).toBe(900);
    expect(pair.refreshExpiresIn).toBe(7 * 86400);
    const access = payloadOf(pair.accessToken);
    const refresh = payloadOf(pair.refreshToken);
    expect(access).toMatchObject({ typ: 'access', tv: 0, username: 'ts-reviewer' });
    expect((access.exp as number) - (access.iat as number)).toBe(900);
    expect(refresh).toMatchObject({ typ: 'refresh', tv: 0 });
    expect((refresh.exp as number) - (refresh.iat as number)).toBe(7 * 86400);

    const res = await t.http.post('/api/auth/refresh').send({ refreshToken: pair.refreshToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 900, refreshToken: expect.any(String), refreshExpiresIn: 7 * 86400 });
    const me = await t.http.get('/api/auth/me').set(auth(res.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('ts-reviewer');

    const rows = (await t.dataSource.query(
      `SELECT kind, actor_id, actor_username, target_id, jurisdiction_code, address FROM audit_log
        WHERE kind IN ('auth.login', 'auth.refreshed') AND actor_username = 'ts-reviewer' ORDER BY id`,
    )) as Array<Record<string, unknown>>;
    const id = await userId('ts-reviewer');
    expect(rows).toEqual([
      { kind: 'auth.login', actor_id: id, actor_username: 'ts-reviewer', target_id: id, jurisdiction_code: '440781', address: expect.stringMatching(/127\.0\.0\.1/) },
      { kind: 'auth.refreshed', actor_id: id, actor_username: 'ts-reviewer', target_id: id, jurisdiction_code: '440781', address: expect.stringMatching(/127\.0\.0\.1/) },
    ]);
  });

  it('refuses a refresh token as a bearer token and an access token as a refresh token', async () => {
    const pair = await loginPair(t, 'kp-reviewer');
    const asBearer = await t.http.get('/api/auth/me').set(auth(pair.refreshToken));
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.details).toEqual({ code: 'INVALID_TOKEN' });
    const asRefresh = await t.http.post('/api/auth/refresh').send({ refreshToken: pair.accessToken });
    expect(asRefresh.status).toBe(401);
    expect(asRefresh.body.details).toEqual({ code: 'INVALID_TOKEN' });
  });

  it('refuses tokens without the right type or token version, even when signed with the right key', async () => {
    const jwt = t.app.get(JwtService);
    const sub = await userId('kp-officer');
    for (const claims of [{ sub, username: 'kp-officer' }, { sub, username: 'kp-officer', typ: 'access', tv: 1 }, { sub, username: 'kp-officer', typ: 'refresh', tv: 0 }]) {
      const res = await t.http.get('/api/auth/me').set(auth(await jwt.signAsync(claims)));
      expect(res.status).toBe(401);
    }
    // The refresh secret is not the access secret: a refresh-typed token signed with JWT_SECRET fails.
    const wrongKey = await jwt.signAsync({ sub, username: 'kp-officer', typ: 'refresh', tv: 0 });
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: wrongKey })).status).toBe(401);
    expect((await t.http.get('/api/auth/me').set(auth(await jwt.signAsync({ sub, username: 'kp-officer', typ: 'access', tv: 0 })))).status).toBe(200);
  });

  it('answers a malformed refresh request with 400 and writes no audit row', async () => {
    const [{ n: before }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)) as Array<{ n: number }>;
    for (const body of [{}, { refreshToken: 42 }, { refreshToken: 'not-a-jwt' }, { refreshToken: 'a.b.c', extra: 1 }]) {
      const res = await t.http.post('/api/auth/refresh').send(body);
      expect(res.status).toBe(400);
      expect(res.body.details.code).toBe('VALIDATION_FAILED');
    }
    const [{ n: after }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)) as Array<{ n: number }>;
    expect(after).toBe(before);
  });

  it('revokes refresh tokens when the user is deactivated or their token version moves', async () => {
    const pair = await loginPair(t, 'jm-supervisor');
    const id = await userId('jm-supervisor');
    await t.dataSource.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [id]);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: pair.refreshToken })).status).toBe(401);
    expect((await t.http.get('/api/auth/me').set(auth(pair.accessToken))).status).toBe(401);

    const fresh = await loginPair(t, 'jm-supervisor');
    expect(payloadOf(fresh.accessToken).tv).toBe(1);
    await t.dataSource.query(`UPDATE users SET active = false WHERE id = $1`, [id]);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken: fresh.refreshToken })).status).toBe(401);
    expect((await t.http.get('/api/auth/me').set(auth(fresh.accessToken))).status).toBe(401);
    await t.dataSource.query(`UPDATE users SET active = true WHERE id = $1`, [id]);
  });

  it('audits failed logins with the username tried, the reason and the address; the actor only when it names a user', async () => {
    await t.http.post('/api/auth/login').send({ username: 'no-such-person', password: 'whatever-it-is' });
    await t.http.post('/api/auth/login').send({ username: 'jm-approver', password: 'wrong-password' });
    const rows = (await t.dataSource.query(
      `SELECT actor_id, actor_username, target_type, jurisdiction_code, address, details FROM audit_log
        WHERE kind = 'auth.login-failed' AND details->>'username' IN ('no-such-person', 'jm-approver') ORDER BY id`,
    )) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      { actor_id: null, actor_username: null, target_type: null, jurisdiction_code: null, address: expect.stringMatching(/127\.0\.0\.1/), details: { username: 'no-such-person', reason: 'unknown-user' } },
      {
        actor_id: await userId('jm-approver'),
        actor_username: 'jm-approver',
        target_type: 'user',
        jurisdiction_code: '440700',
        address: expect.stringMatching(/127\.0\.0\.1/),
        details: { username: 'jm-approver', reason: 'wrong-password' },
      },
    ]);
    // The password tried is never stored.
    expect(JSON.stringify(await t.dataSource.query(`SELECT details FROM audit_log`))).not.toContain('whatever-it-is');
  });

  it('audits a rate-limited login as failed, with the reason', async () => {
    // LOGIN_MAX_PER_ACCOUNT is 3 in this file.
    for (let i = 0; i < 3; i++) await t.http.post('/api/auth/login').send({ username: 'kp-officer', password: 'wrong' });
    const refused = await t.http.post('/api/auth/login').send({ username: 'kp-officer', password: DEMO_PASSWORD });
    expect(refused.status).toBe(429);
    const [row] = (await t.dataSource.query(
      `SELECT actor_id, details FROM audit_log WHERE kind = 'auth.login-failed' AND details->>'reason' = 'rate-limited'`,
    )) as Array<{ actor_id: string | null; details: Record<string, unknown> }>;
    expect(row).toEqual({ actor_id: null, details: { username: 'kp-officer', reason: 'rate-limited', limitedBy: 'account' } });

    // An administrator's unlock clears the account's counter in Redis too.
    const unlock = await t.http.post(`/api/users/${await userId('kp-officer')}/unlock`).set(auth((await loginPair(t, 'admin')).accessToken));
    expect(unlock.status).toBe(200);
    expect((await t.http.post('/api/auth/login').send({ username: 'kp-officer', password: DEMO_PASSWORD })).status).toBe(200);
  });
});

describe('token expiry', () => {
  let short: TestApp;

  beforeAll(async () => {
    // Access tokens live 3 s, refresh tokens 8 s. JWT times are whole seconds (iat is floored),
    // so a token of N s may be good for only N − 1 s after it is made; a loaded CI machine
    // spent all of a 1 s access token between a refresh and the next request.
    short = await createTestApp({ env: { JWT_EXPIRES_IN: '3', JWT_REFRESH_EXPIRES_IN: '8' } });
  }, 60_000);

  afterAll(async () => {
    await short?.close();
  }, 30_000);

  it('refuses an expired access token, refreshes while the refresh token lives, and refuses it after', async () => {
    const pair = await loginPair(short, 'ts-officer');
    await sleep(4100); // past the access token's 3 s, well inside the refresh token's 8
    const expired = await short.http.get('/api/auth/me').set(auth(pair.accessToken));
    expect(expired.status).toBe(401);
    expect(expired.body.details).toEqual({ code: 'INVALID_TOKEN' });

    const refreshed = await short.http.post('/api/auth/refresh').send({ refreshToken: pair.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await short.http.get('/api/auth/me').set(auth(refreshed.body.accessToken))).status).toBe(200);

    await sleep(5200); // now past the refresh token's 8 s
    expect((await short.http.post('/api/auth/refresh').send({ refreshToken: pair.refreshToken })).status).toBe(401);
  }, 30_000);
});
