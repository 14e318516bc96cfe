import { LOCK_DURATION_MS, MAX_FAILED_LOGINS } from '../../src/auth/auth.service.js';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The users admin API: what an administrator of the city and one of a county can do, what
 * is refused (and that a refusal changes nothing), the audit rows, and token revocation.
 */

const NEW_PASSWORD = 'Kaiping-Tangkou-77';

interface AuditRow {
  kind: string;
  actor_username: string | null;
  target_type: string | null;
  target_id: string | null;
  jurisdiction_code: string | null;
  details: Record<string, unknown>;
}

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_MAX_PER_ADDRESS: '10000', LOGIN_MAX_PER_ACCOUNT: '10000' } });
  admin = await t.login('admin');
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function auditRows(kind: string, targetId?: string): Promise<AuditRow[]> {
  return (await t.dataSource.query(
    `SELECT kind, actor_username, target_type, target_id, jurisdiction_code, details FROM audit_log
      WHERE kind = $1 AND ($2::text IS NULL OR target_id = $2) ORDER BY id`,
    [kind, targetId ?? null],
  )) as AuditRow[];
}

async function snapshot(): Promise<{ users: unknown[]; audit: number }> {
  const users = (await t.dataSource.query(`SELECT * FROM users ORDER BY username`)) as unknown[];
  const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE kind LIKE 'user.%'`)) as Array<{ n: number }>;
  return { users, audit: n };
}

async function createUser(token: string, body: Record<string, unknown>) {
  return t.http.post('/api/users').set(auth(token)).send(body);
}

let serial = 0;
function newUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    username: `xh-officer-${serial}`,
    displayName: '新会区扶贫办 经办人',
    password: NEW_PASSWORD,
    roles: ['officer'],
    jurisdictionCode: '440705',
    ...overrides,
  };
}

describe('users admin API', () => {
  let countyAdmin: string;
  let countyAdminId: string;

  beforeAll(async () => {
    const created = await createUser(admin, newUser({ username: 'ts-admin', roles: ['administrator'], jurisdictionCode: '440781' }));
    expect(created.status).toBe(201);
    countyAdminId = created.body.id;
    countyAdmin = await t.login('ts-admin', NEW_PASSWORD);
  });

  it('creates a user who can then log in, and audits it without the password', async () => {
    const body = newUser({ email: 'xh@example.gov.cn', permissions: ['reveal-resident-id'] });
    const res = await createUser(admin, body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      username: body.username,
      displayName: '新会区扶贫办 经办人',
      roles: ['officer'],
      jurisdictionCode: '440705',
      permissions: ['reveal-resident-id'],
      email: 'xh@example.gov.cn',
      active: true,
      locked: false,
      lockedUntil: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);

    const got = await t.http.get(`/api/users/${res.body.id}`).set(auth(admin));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const token = await t.login(body.username as string, NEW_PASSWORD);
    const me = await t.http.get('/api/auth/me').set(auth(token));
    expect(me.body).toMatchObject({ username: body.username, roles: ['officer'], permissions: ['reveal-resident-id'] });

    const [row] = await auditRows('user.created', res.body.id);
    expect(row).toEqual({
      kind: 'user.created',
      actor_username: 'admin',
      target_type: 'user',
      target_id: res.body.id,
      jurisdiction_code: '440705',
      details: { username: body.username, roles: ['officer'], jurisdictionCode: '440705', permissions: ['reveal-resident-id'] },
    });
    expect(JSON.stringify(await t.dataSource.query(`SELECT details FROM audit_log`))).not.toContain(NEW_PASSWORD);
  });

  it('refuses invalid fields with 400 naming each one, and creates nothing', async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, string]> = [
      [newUser({ password: 'short-pw' }), 'password'],
      [newUser({ roles: [] }), 'roles'],
      [newUser({ roles: ['officer', 'officer'] }), 'roles'],
      [newUser({ roles: ['superuser'] }), 'roles'],
      [newUser({ permissions: ['delete-everything'] }), 'permissions'],
      [newUser({ username: 'Has Spaces' }), 'username'],
      [newUser({ jurisdictionCode: '4407' }), 'jurisdictionCode'],
      [newUser({ email: 'not-an-address' }), 'email'],
      [newUser({ displayName: '   ' }), 'displayName'],
      [newUser({ isAdmin: true }), 'isAdmin'],
    ];
    for (const [body, property] of cases) {
      const res = await createUser(admin, body);
      expect({ property, status: res.status, code: res.body.details?.code }).toEqual({ property, status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.details.errors.map((e: { property: string }) => e.property)).toContain(property);
    }
    const weak = await createUser(admin, newUser({ username: 'weakling', password: 'weakling-2026' }));
    expect(weak.status).toBe(400);
    expect(weak.body.details).toEqual({ code: 'WEAK_PASSWORD', problems: ['it must not contain the username'] });
    const repetitive = await createUser(admin, newUser({ password: 'abababababab' }));
    expect(repetitive.status).toBe(400);
    expect(repetitive.body.details.code).toBe('WEAK_PASSWORD');
    expect(await snapshot()).toEqual(before);
  });

  it('answers a taken username with 409 and changes nothing', async () => {
    const before = await snapshot();
    const res = await createUser(admin, newUser({ username: 'ts-officer' }));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'That username is taken', details: { code: 'DUPLICATE_USERNAME' } });
    expect(await snapshot()).toEqual(before);
  });

  it('binds users only to existing, current nodes inside the administrator’s jurisdiction (422)', async () => {
    await t.dataSource.query(`UPDATE jurisdictions SET retired_at = now() WHERE code = '440781109201'`);
    const before = await snapshot();
    const refusals: Array<[string, Record<string, unknown>, string]> = [
      [admin, newUser({ jurisdictionCode: '440781109999' }), 'UNKNOWN_JURISDICTION'],
      [admin, newUser({ jurisdictionCode: '440781109201' }), 'RETIRED_JURISDICTION'],
      [countyAdmin, newUser({ jurisdictionCode: '440783108' }), 'JURISDICTION_OUTSIDE_SCOPE'],
      [countyAdmin, newUser({ jurisdictionCode: '440700' }), 'JURISDICTION_OUTSIDE_SCOPE'],
    ];
    for (const [token, body, code] of refusals) {
      const res = await createUser(token, body);
      expect({ status: res.status, code: res.body.details?.code }).toEqual({ status: 422, code });
    }
    expect(await snapshot()).toEqual(before);

    const inside = await createUser(countyAdmin, newUser({ jurisdictionCode: '440781109' }));
    expect(inside.status).toBe(201);
    expect((await auditRows('user.created', inside.body.id))[0]).toMatchObject({ actor_username: 'ts-admin', jurisdiction_code: '440781109' });
  });

  it('shows a county administrator the users of the county only; others answer 404', async () => {
    const list = await t.http.get('/api/users').set(auth(countyAdmin));
    expect(list.status).toBe(200);
    const codes = (list.body as Array<{ jurisdictionCode: string }>).map((u) => u.jurisdictionCode);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => code.startsWith('440781'))).toBe(true);

    const [kp] = (await t.dataSource.query(`SELECT id FROM users WHERE username = 'kp-officer'`)) as Array<{ id: string }>;
    const before = await snapshot();
    for (const res of [
      await t.http.get(`/api/users/${kp.id}`).set(auth(countyAdmin)),
      await t.http.patch(`/api/users/${kp.id}`).set(auth(countyAdmin)).send({ displayName: '改名' }),
      await t.http.post(`/api/users/${kp.id}/password`).set(auth(countyAdmin)).send({ password: NEW_PASSWORD }),
      await t.http.post(`/api/users/${kp.id}/unlock`).set(auth(countyAdmin)),
      await t.http.get('/api/users/not-a-uuid').set(auth(admin)),
      await t.http.get('/api/users/00000000-0000-4000-8000-000000000000').set(auth(admin)),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.details.code).toBe('USER_NOT_FOUND');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses everyone but administrators with 403', async () => {
    const officer = await t.login('ts-officer');
    const before = await snapshot();
    expect((await createUser(officer, newUser())).status).toBe(403);
    expect((await t.http.get(`/api/users/${countyAdminId}`).set(auth(officer))).status).toBe(403);
    expect((await t.http.patch(`/api/users/${countyAdminId}`).set(auth(officer)).send({ active: false })).status).toBe(403);
    expect((await t.http.get('/api/users').set(auth(await t.login('auditor')))).status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('changes roles and jurisdiction, revoking the user’s tokens, and audits old → new', async () => {
    const created = await createUser(admin, newUser({ jurisdictionCode: '440781109' }));
    const id = created.body.id as string;
    const token = await t.login(created.body.username, NEW_PASSWORD);
    const login = await t.http.post('/api/auth/login').send({ username: created.body.username, password: NEW_PASSWORD });
    const refreshToken = login.body.refreshToken as string;

    const res = await t.http.patch(`/api/users/${id}`).set(auth(countyAdmin)).send({ roles: ['reviewer'], jurisdictionCode: '440781', email: 'r@example.gov.cn' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['reviewer'], jurisdictionCode: '440781', email: 'r@example.gov.cn' });

    expect((await t.http.get('/api/auth/me').set(auth(token))).status).toBe(401);
    expect((await t.http.post('/api/auth/refresh').send({ refreshToken })).status).toBe(401);
    const fresh = await t.login(created.body.username, NEW_PASSWORD);
    expect((await t.http.get('/api/auth/me').set(auth(fresh))).body).toMatchObject({ roles: ['reviewer'], jurisdictionCode: '440781' });

    const [row] = await auditRows('user.updated', id);
    expect(row).toMatchObject({ actor_username: 'ts-admin', jurisdiction_code: '440781' });
    expect(row.details).toEqual({
      username: created.body.username,
      changed: ['roles', 'jurisdictionCode', 'email'],
      roles: { from: ['officer'], to: ['reviewer'] },
      jurisdictionCode: { from: '440781109', to: '440781' },
    });

    // Permissions alone do not revoke tokens (they are read on every request anyway).
    const perms = await t.http.patch(`/api/users/${id}`).set(auth(admin)).send({ permissions: ['reveal-resident-id'] });
    expect(perms.status).toBe(200);
    expect((await t.http.get('/api/auth/me').set(auth(fresh))).body.permissions).toEqual(['reveal-resident-id']);
    expect((await auditRows('user.updated', id))[1].details).toMatchObject({ changed: ['permissions'], permissions: { from: [], to: ['reveal-resident-id'] } });

    // The same values again change nothing and write nothing.
    const before = await snapshot();
    const same = await t.http.patch(`/api/users/${id}`).set(auth(admin)).send({ roles: ['reviewer'], permissions: ['reveal-resident-id'] });
    expect(same.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('records a move between counties where both sides are visible: the lowest common node', async () => {
    const created = await createUser(admin, newUser({ jurisdictionCode: '440781109' }));
    const res = await t.http.patch(`/api/users/${created.body.id}`).set(auth(admin)).send({ jurisdictionCode: '440783108' });
    expect(res.status).toBe(200);
    expect((await auditRows('user.updated', created.body.id))[0].jurisdiction_code).toBe('440700');
  });

  it('refuses bad patches with 4xx and changes nothing', async () => {
    const created = await createUser(admin, newUser({ jurisdictionCode: '440781109' }));
    const id = created.body.id as string;
    const before = await snapshot();
    const refusals: Array<[Record<string, unknown>, number, string]> = [
      [{}, 400, 'NOTHING_TO_CHANGE'],
      [{ displayName: null }, 400, 'VALIDATION_FAILED'],
      [{ active: 'no' }, 400, 'VALIDATION_FAILED'],
      [{ roles: ['officer'], password: 'sneaky-password-1' }, 400, 'VALIDATION_FAILED'],
      [{ tokenVersion: 0 }, 400, 'VALIDATION_FAILED'],
      [{ jurisdictionCode: '440783108' }, 422, 'JURISDICTION_OUTSIDE_SCOPE'],
      [{ jurisdictionCode: '440781109999' }, 422, 'UNKNOWN_JURISDICTION'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await t.http.patch(`/api/users/${id}`).set(auth(countyAdmin)).send(body);
      expect({ body, status: res.status, code: res.body.details?.code }).toEqual({ body, status, code });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('deactivates a user: no login (the generic answer), no tokens, audited; and reactivates', async () => {
    const created = await createUser(admin, newUser());
    const { id, username } = created.body as { id: string; username: string };
    const token = await t.login(username, NEW_PASSWORD);

    const res = await t.http.patch(`/api/users/${id}`).set(auth(admin)).send({ active: false });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await t.http.get('/api/auth/me').set(auth(token))).status).toBe(401);

    const refused = await t.http.post('/api/auth/login').send({ username, password: NEW_PASSWORD });
    const wrong = await t.http.post('/api/auth/login').send({ username: 'ts-officer', password: 'wrong-password' });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(wrong.body);

    expect((await auditRows('user.deactivated', id))[0].details).toEqual({ username, changed: ['active'], active: { from: true, to: false } });
    const failed = (await t.dataSource.query(
      `SELECT details FROM audit_log WHERE kind = 'auth.login-failed' AND target_id = $1`,
      [id],
    )) as Array<{ details: Record<string, unknown> }>;
    expect(failed.map((r) => r.details)).toEqual([{ username, reason: 'inactive' }]);

    expect((await t.http.patch(`/api/users/${id}`).set(auth(admin)).send({ active: true })).status).toBe(200);
    await t.login(username, NEW_PASSWORD);
  });

  it('does not let an administrator deactivate themselves or drop their own administrator role (422)', async () => {
    const before = await snapshot();
    for (const body of [{ active: false }, { roles: ['auditor'] }]) {
      const res = await t.http.patch(`/api/users/${countyAdminId}`).set(auth(countyAdmin)).send(body);
      expect(res.status).toBe(422);
      expect(res.body.details).toEqual({ code: 'SELF_LOCKOUT' });
    }
    expect(await snapshot()).toEqual(before);
    // Adding a role to oneself is fine.
    const res = await t.http.patch(`/api/users/${countyAdminId}`).set(auth(countyAdmin)).send({ roles: ['administrator', 'auditor'] });
    expect(res.status).toBe(200);
    countyAdmin = await t.login('ts-admin', NEW_PASSWORD); // the change revoked the old token
  });

  it('resets a password: old tokens and the old password stop working, the new one works', async () => {
    const created = await createUser(admin, newUser());
    const { id, username } = created.body as { id: string; username: string };
    const token = await t.login(username, NEW_PASSWORD);
    const before = await snapshot();
    const weak = await t.http.post(`/api/users/${id}/password`).set(auth(admin)).send({ password: 'short' });
    expect(weak.status).toBe(400);
    expect(await snapshot()).toEqual(before);

    const res = await t.http.post(`/api/users/${id}/password`).set(auth(admin)).send({ password: 'A-brand-new-passphrase' });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect((await t.http.get('/api/auth/me').set(auth(token))).status).toBe(401);
    expect((await t.http.post('/api/auth/login').send({ username, password: NEW_PASSWORD })).status).toBe(401);
    await t.login(username, 'A-brand-new-passphrase');

    const [row] = await auditRows('user.password-reset', id);
    expect(row).toMatchObject({ actor_username: 'admin', details: { username, unlocked: false } });
    expect(JSON.stringify(row)).not.toMatch(/passphrase|argon2|hash/i);
  });

  it(`unlocks an account locked after ${MAX_FAILED_LOGINS} failures`, async () => {
    const [{ id }] = (await t.dataSource.query(`SELECT id FROM users WHERE username = 'ts-officer2'`)) as Array<{ id: string }>;
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      await t.http.post('/api/auth/login').send({ username: 'ts-officer2', password: 'wrong' });
    }
    expect((await t.http.post('/api/auth/login').send({ username: 'ts-officer2', password: DEMO_PASSWORD })).status).toBe(401);
    expect((await t.http.get(`/api/users/${id}`).set(auth(admin))).body.locked).toBe(true);

    const res = await t.http.post(`/api/users/${id}/unlock`).set(auth(countyAdmin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ locked: false, lockedUntil: null });
    expect((await t.http.post('/api/auth/login').send({ username: 'ts-officer2', password: DEMO_PASSWORD })).status).toBe(200);
    expect((await auditRows('user.unlocked', id))[0]).toMatchObject({
      actor_username: 'ts-admin',
      jurisdiction_code: '440781109',
      details: { username: 'ts-officer2', wasLocked: true },
    });
    expect(LOCK_DURATION_MS).toBeGreaterThan(0);
  });
});
