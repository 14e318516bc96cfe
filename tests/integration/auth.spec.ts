import { DEMO_PASSWORD, DEMO_USERS } from '../../src/database/seed-demo.js';
import { LOCK_DURATION_MS, MAX_FAILED_LOGINS } from '../../src/auth/auth.service.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Every error response has this shape, whatever produced it. */
function expectErrorBody(body: unknown, statusCode: number, error: string): void {
  expect(body).toEqual(
    expect.objectContaining({ statusCode, error, message: expect.any(String) }),
  );
  expect(JSON.stringify(body)).not.toMatch(/at .+\.(ts|js):\d+/); // no stack traces
}

describe('auth API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('logs in a demo user and returns a bearer token that identifies them', async () => {
    const login = await t.http.post('/api/auth/login').send({ username: 'ts-officer', password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ accessToken: expect.any(String), expiresIn: 900, refreshToken: expect.any(String), refreshExpiresIn: 7 * 86400 });

    const me = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      username: 'ts-officer',
      displayName: '台山市端芬镇扶贫办 经办人',
      roles: ['officer'],
      jurisdictionCode: '440781109',
      permissions: [],
    });
  });

  it('answers a wrong password with 401 JSON', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 'kp-officer', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid username or password',
      details: { code: 'INVALID_CREDENTIALS' },
    });
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const unknown = await t.http.post('/api/auth/login').send({ username: 'nobody', password: DEMO_PASSWORD });
    const wrong = await t.http.post('/api/auth/login').send({ username: 'kp-reviewer', password: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses a request without a token with 401 JSON', async () => {
    const res = await t.http.get('/api/auth/me');
    expect(res.status).toBe(401);
    expectErrorBody(res.body, 401, 'Unauthorized');
    expect(res.body.details).toEqual({ code: 'MISSING_TOKEN' });
  });

  it('refuses a forged or malformed token with 401 JSON', async () => {
    const token = await t.login('admin');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5`;
    for (const bad of [forged, 'not-a-jwt']) {
      const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${bad}`);
      expect(res.status).toBe(401);
      expect(res.body.details).toEqual({ code: 'INVALID_TOKEN' });
    }
  });

  it('answers malformed JSON with 400 JSON', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "admin", "password": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is not valid JSON',
      details: { code: 'MALFORMED_JSON' },
    });
  });

  it('answers a body over the configured limit with 413 JSON', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'admin', password: 'x'.repeat(300 * 1024) }));
    expect(res.status).toBe(413);
    expectErrorBody(res.body, 413, 'Payload Too Large');
    expect(res.body.details).toEqual({ code: 'PAYLOAD_TOO_LARGE', limit: 256 * 1024 });
  });

  it('answers an unknown field with 400 naming the property', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ username: 'admin', password: DEMO_PASSWORD, isAdmin: true });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 400, 'Bad Request');
    expect(res.body.details).toEqual({
      code: 'VALIDATION_FAILED',
      errors: [{ property: 'isAdmin', constraints: { whitelistValidation: 'property isAdmin should not exist' } }],
    });
  });

  it('answers missing and mistyped fields with 400 listing each property', async () => {
    const res = await t.http.post('/api/auth/login').send({ username: 42 });
    expect(res.status).toBe(400);
    const properties = (res.body.details.errors as Array<{ property: string }>).map((e) => e.property).sort();
    expect(properties).toEqual(['password', 'username']);
  });

  it('answers an unknown route with 404 JSON', async () => {
    const token = await t.login('admin');
    const res = await t.http.get('/api/no-such-thing').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expectErrorBody(res.body, 404, 'Not Found');
  });

  it('lets administrators list users and refuses others with 403 JSON', async () => {
    const officer = await t.http.get('/api/users').set('Authorization', `Bearer ${await t.login('ts-officer')}`);
    expect(officer.status).toBe(403);
    expect(officer.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'This requires one of the roles: administrator',
      details: { code: 'FORBIDDEN_ROLE', requiredRoles: ['administrator'] },
    });

    const admin = await t.http.get('/api/users').set('Authorization', `Bearer ${await t.login('admin')}`);
    expect(admin.status).toBe(200);
    expect(admin.body).toHaveLength(DEMO_USERS.length);
    expect(JSON.stringify(admin.body)).not.toMatch(/password|argon2/i);
  });

  it(`locks an account after ${MAX_FAILED_LOGINS} failures until the lock expires`, async () => {
    const attempt = (password: string) => t.http.post('/api/auth/login').send({ username: 'ts-officer2', password });
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await attempt('wrong')).status).toBe(401);

    const whileLocked = await attempt(DEMO_PASSWORD);
    expect(whileLocked.status).toBe(401);
    expect(whileLocked.body.message).toBe('Invalid username or password'); // no hint that it exists

    t.clock.advance(LOCK_DURATION_MS + 1000);
    expect((await attempt(DEMO_PASSWORD)).status).toBe(200);
  });

  it('serves the OpenAPI document with bearer auth declared', async () => {
    const res = await t.http.get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/me']));
  });
});
