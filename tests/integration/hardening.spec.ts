import { ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../../src/database/demo-payloads.js';
import { CaseDriver } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { isValidResidentId, maskResidentId } from '../../src/org/resident-id.js';

/** What configureApp puts in front of every route: security headers, CORS, body limits, strict validation. */

const ALLOWED = 'https://fupin.jiangmen.example.gov.cn';
const OTHER = 'https://evil.example.com';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { CORS_ORIGINS: `${ALLOWED},http://localhost:5173` } });
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('HTTP hardening', () => {
  it('sends helmet’s security headers and no X-Powered-By', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 'admin', password: 'wrong-password' });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'content-security-policy': expect.stringMatching(/default-src 'self'/),
      'cross-origin-opener-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows the configured origins and no other', async () => {
    const allowed = await t.http.get('/api/docs-json').set('Origin', ALLOWED);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();

    const denied = await t.http.get('/api/docs-json').set('Origin', OTHER);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await t.http
      .options('/api/users')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/PATCH/);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);

    const deniedPreflight = await t.http.options('/api/users').set('Origin', OTHER).set('Access-Control-Request-Method', 'PATCH');
    expect(deniedPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin at all in production unless CORS_ORIGINS lists some', async () => {
    const { loadAppConfig } = await import('../../src/config/app-config.js');
    const production = loadAppConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-that-is-long-enough-0123456789',
      JWT_REFRESH_SECRET: 'another-production-secret-for-refresh-tokens-9876',
      PUBLIC_BOARD_SECRET: 'a-third-production-secret-for-the-notice-board-42',
      IDEMPOTENCY_SECRET: 'a-fourth-production-secret-for-the-request-hashes',
      RESIDENT_ID_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(production.corsOrigins).toEqual([]);
  });

  it('answers a body over BODY_LIMIT with 413 on any route, before authentication', async () => {
    const big = { displayName: 'x'.repeat(300 * 1024) };
    const res = await t.http.patch('/api/users/00000000-0000-4000-8000-000000000000').set('Content-Type', 'application/json').send(JSON.stringify(big));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.stringMatching(/larger than the limit/),
      details: { code: 'PAYLOAD_TOO_LARGE', limit: 256 * 1024 },
    });
    const form = await t.http.post('/api/auth/login').type('form').send(`username=admin&password=${'y'.repeat(300 * 1024)}`);
    expect(form.status).toBe(413);
  });

  it('refuses unknown body properties with 400 naming them, on the new routes too', async () => {
    const admin = await t.login('admin');
    const refusals = [
      t.http.post('/api/auth/refresh').send({ refreshToken: 'a.b.c', remember: true }),
      t.http.post('/api/users').set('Authorization', `Bearer ${admin}`).send({
        username: 'extra-field',
        displayName: '多余字段',
        password: 'Unknown-props-2026',
        roles: ['officer'],
        jurisdictionCode: '440781',
        tokenVersion: 5,
      }),
      t.http.post('/api/jurisdictions').set('Authorization', `Bearer ${admin}`).send({ parentCode: '440781109', code: '440781109990', name: '村', path: 'x' }),
    ];
    const properties = ['remember', 'tokenVersion', 'path'];
    for (const [i, pending] of refusals.entries()) {
      const res = await pending;
      expect(res.status).toBe(400);
      expect(res.body.details.errors).toEqual(
        expect.arrayContaining([{ property: properties[i], constraints: { whitelistValidation: `property ${properties[i]} should not exist` } }]),
      );
    }
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE username = 'extra-field'`))[0].n).toBe(0);
  });

  it('keeps the free-form data of case actions whole (validated by the workflow’s form, not stripped)', async () => {
    const driver = new CaseDriver(t);
    const started = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    // Whole, except that resident ID numbers come back masked (they are stored sealed).
    const masked = <T>(value: T): T => JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === 'string' && isValidResidentId(v) ? maskResidentId(v) : v));
    expect(started.data).toMatchObject(masked(HOUSEHOLD));
    const submitted = await driver.act('ts-officer', started, 'submit', ELIGIBLE_PROPOSAL);
    expect(submitted.data).toMatchObject({ members: masked(ELIGIBLE_PROPOSAL.members) });
  });
});
