import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { AuditEntryView } from '../../src/audit/audit.service.js';
import { DefinitionsService, workflowsDirectory } from '../../src/definitions/definitions.service.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /api/audit (who sees which rows, filters, pages, refusals), the rows written for
 * workflow publications and calendar changes, and the append-only table.
 */

/** An item as JSON carries its time as text. */
type Entry = Omit<AuditEntryView, 'at'> & { at: string };

let t: TestApp;
let auditor: string;
let admin: string;
let countyAuditor: string;

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T01:00:00.000Z', env: { LOGIN_MAX_PER_ADDRESS: '10000' } });
  admin = await t.login('admin');
  auditor = await t.login('auditor');
  const created = await t.http.post('/api/users').set(auth(admin)).send({
    username: 'ts-auditor',
    displayName: '台山市 审计员',
    password: 'County-audits-2026',
    roles: ['auditor'],
    jurisdictionCode: '440781',
  });
  expect(created.status).toBe(201);
  countyAuditor = await t.login('ts-auditor', 'County-audits-2026');
  t.clock.set('2026-03-03T01:00:00.000Z');
  await t.login('ts-officer');
  await t.login('kp-officer');
  await t.http.post('/api/auth/login').send({ username: 'nobody-at-all', password: 'guessing-1234' });
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

async function page(token: string, query: Record<string, string | number> = {}) {
  return t.http.get('/api/audit').query(query).set(auth(token));
}

async function all(token: string, query: Record<string, string | number> = {}): Promise<Entry[]> {
  const res = await page(token, { ...query, limit: 200 });
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items as Entry[];
}

describe('GET /api/audit', () => {
  it('gives auditors and administrators the log, newest first, and refuses everyone else with 403', async () => {
    const res = await page(auditor);
    expect(res.status).toBe(200);
    const items = res.body.items as Entry[];
    expect(items[0]).toEqual({
      id: expect.any(String),
      at: '2026-03-03T01:00:00.000Z',
      kind: 'auth.login-failed',
      actorId: null,
      actorUsername: null,
      targetType: null,
      targetId: null,
      jurisdictionCode: null,
      address: expect.stringMatching(/127\.0\.0\.1/),
      details: { username: 'nobody-at-all', reason: 'unknown-user' },
    });
    const order = items.map((e) => `${e.at}|${e.id.padStart(12, '0')}`);
    expect(order).toEqual([...order].sort().reverse());
    expect((await page(admin)).status).toBe(200);
    for (const username of ['ts-officer', 'jm-approver', 'jm-supervisor']) {
      const refused = await page(await t.login(username));
      expect(refused.status).toBe(403);
      expect(refused.body.details).toEqual({ code: 'FORBIDDEN_ROLE', requiredRoles: ['auditor', 'administrator'] });
    }
  });

  it('shows a county auditor the rows of the county only, and no rows without a jurisdiction', async () => {
    const county = await all(countyAuditor);
    expect(county.length).toBeGreaterThan(0);
    expect(county.every((e) => e.jurisdictionCode !== null && e.jurisdictionCode.startsWith('440781'))).toBe(true);
    expect(county.map((e) => e.actorUsername)).toEqual(expect.arrayContaining(['ts-officer']));
    expect(county.map((e) => e.actorUsername)).not.toContain('kp-officer');

    const city = await all(auditor);
    expect(city.map((e) => e.actorUsername)).toEqual(expect.arrayContaining(['ts-officer', 'kp-officer']));
    expect(city.some((e) => e.jurisdictionCode === null)).toBe(true);
    expect(city.length).toBeGreaterThan(county.length);
  });

  it('records each workflow version published at start-up, by the system', async () => {
    const versions = (await t.dataSource.query(`SELECT key || '@' || version AS v FROM workflow_definitions ORDER BY 1`)) as Array<{ v: string }>;
    const published = await all(auditor, { kind: 'definition.published' });
    expect(published.map((e) => e.targetId).sort()).toEqual(versions.map((r) => r.v));
    expect(published.map((e) => e.targetId)).toEqual(expect.arrayContaining(['poverty-entry@4', 'poverty-exit@2', 'disaster-reentry@2', 'rectification@1', 'objection-investigation@1']));
    expect(published.every((e) => e.actorId === null && e.targetType === 'workflow' && typeof e.details.checksum === 'string')).toBe(true);

    // Loading the same files again (another process starting) publishes nothing and writes no row.
    await t.app.get(DefinitionsService).loadDirectory(workflowsDirectory());
    expect(await all(auditor, { kind: 'definition.published' })).toEqual(published);
  });

  it('records a calendar change with the year and its dates', async () => {
    const res = await t.http.put('/api/calendar/years/2031').set(auth(admin)).send({ holidays: ['2031-01-01'], workdays: ['2031-01-04'] });
    expect(res.status).toBe(200);
    const [row] = await all(auditor, { kind: 'calendar.changed' });
    expect(row).toMatchObject({
      actorUsername: 'admin',
      targetType: 'calendar',
      targetId: '2031',
      details: { year: 2031, holidays: ['2031-01-01'], workdays: ['2031-01-04'], recomputedDeadlines: 0 },
    });
  });

  it('filters by kind, actor, target and period', async () => {
    const [officer] = (await t.dataSource.query(`SELECT id FROM users WHERE username = 'ts-officer'`)) as Array<{ id: string }>;
    const logins = await all(auditor, { kind: 'auth.login' });
    expect(logins.length).toBeGreaterThan(2);
    expect(logins.every((e) => e.kind === 'auth.login')).toBe(true);

    const byId = await all(auditor, { actorId: officer.id });
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((e) => e.actorId === officer.id)).toBe(true);
    expect(await all(auditor, { actor: 'ts-officer' })).toEqual(byId);

    const target = await all(auditor, { targetType: 'user', targetId: officer.id });
    expect(target.length).toBeGreaterThan(0);
    expect(target.every((e) => e.targetType === 'user' && e.targetId === officer.id)).toBe(true);

    const day2 = await all(auditor, { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' });
    const day1 = await all(auditor, { to: '2026-03-03T00:00:00Z' });
    expect(day2.every((e) => e.at.startsWith('2026-03-03'))).toBe(true);
    expect(day1.every((e) => e.at.startsWith('2026-03-02'))).toBe(true);
    expect(day1.length + day2.length).toBe((await all(auditor)).length - (await all(auditor, { from: '2026-03-04T00:00:00Z' })).length);
    expect(await all(auditor, { from: '2026-03-03T01:00:00.001Z', kind: 'auth.login' })).toEqual([]);
  });

  it('pages with a cursor through every row exactly once', async () => {
    const everything = await all(auditor);
    const seen: Entry[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await page(auditor, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...(res.body.items as Entry[]));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(everything);
  });

  it('answers malformed queries with 400', async () => {
    const refusals: Array<[Record<string, string | number>, string]> = [
      [{ kind: 'no.such-kind' }, 'VALIDATION_FAILED'],
      [{ limit: 0 }, 'VALIDATION_FAILED'],
      [{ limit: 201 }, 'VALIDATION_FAILED'],
      [{ limit: 'ten' }, 'VALIDATION_FAILED'],
      [{ actorId: 'not-a-uuid' }, 'VALIDATION_FAILED'],
      [{ from: 'yesterday' }, 'VALIDATION_FAILED'],
      [{ to: '2026-13-45' }, 'VALIDATION_FAILED'],
      [{ targetType: 'Robert; DROP TABLE' }, 'VALIDATION_FAILED'],
      [{ sort: 'asc' }, 'VALIDATION_FAILED'],
      [{ from: '2026-03-04T00:00:00Z', to: '2026-03-03T00:00:00Z' }, 'INVALID_PERIOD'],
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'INVALID_CURSOR'],
    ];
    for (const [query, code] of refusals) {
      const res = await page(auditor, query);
      expect({ query, status: res.status, code: res.body.details?.code }).toEqual({ query, status: 400, code });
    }
  });
});

describe('audit_log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE to the application’s own connection with the trigger’s error', async () => {
    const [{ n: before }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)) as Array<{ n: number }>;
    for (const statement of [`UPDATE audit_log SET kind = 'auth.login'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`]) {
      await expect(t.dataSource.query(statement)).rejects.toThrow(/audit_log is append-only: (UPDATE|DELETE|TRUNCATE) is not allowed/);
    }
    const [{ n: after }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)) as Array<{ n: number }>;
    expect(after).toBe(before);
  });

  it('lets a role granted SELECT, INSERT (the production setup) append and read, but not update or delete', async () => {
    const role = `fupin_app_test_${randomBytes(4).toString('hex')}`;
    await t.dataSource.query(`CREATE ROLE ${role} LOGIN`);
    const url = new URL(t.config.databaseUrl);
    url.username = role;
    const client = new Client({ connectionString: url.toString() });
    try {
      await t.dataSource.query(`GRANT SELECT, INSERT ON audit_log TO ${role}`);
      await client.connect();
      expect((await client.query(`SELECT current_user AS who`)).rows[0].who).toBe(role);
      await client.query(`INSERT INTO audit_log (kind, details) VALUES ('access.denied', '{"by": "test role"}')`);
      expect((await client.query(`SELECT count(*)::int AS n FROM audit_log WHERE details->>'by' = 'test role'`)).rows[0].n).toBe(1);
      for (const statement of [`UPDATE audit_log SET kind = 'auth.login'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`]) {
        await expect(client.query(statement)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
      }
    } finally {
      await client.end().catch(() => undefined);
      await t.dataSource.query(`REVOKE ALL ON audit_log FROM ${role}`);
      await t.dataSource.query(`DROP ROLE ${role}`);
    }
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE details->>'by' = 'test role'`))[0].n).toBe(1);
  });
});
