import { pathOf } from '../../src/org/jurisdiction-loader.js';
import { HOUSEHOLD } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Administrators add, rename and retire nodes of the tree inside their jurisdiction; every change is audited. */

let t: TestApp;
let admin: string;
let countyAdmin: string;

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_MAX_PER_ADDRESS: '10000' } });
  admin = await t.login('admin');
  const created = await t.http.post('/api/users').set(auth(admin)).send({
    username: 'ts-admin',
    displayName: '台山市扶贫办 管理员',
    password: 'Taishan-admin-2026',
    roles: ['administrator'],
    jurisdictionCode: '440781',
  });
  expect(created.status).toBe(201);
  countyAdmin = await t.login('ts-admin', 'Taishan-admin-2026');
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

async function state(): Promise<{ nodes: unknown[]; audit: number }> {
  const nodes = (await t.dataSource.query(
    `SELECT code, name, retired_at FROM jurisdictions WHERE code LIKE '44078110999%' OR code LIKE '440781998%' OR code = '440798' OR retired_at IS NOT NULL ORDER BY code`,
  )) as unknown[];
  const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE kind LIKE 'jurisdiction.%'`)) as Array<{ n: number }>;
  return { nodes, audit: n };
}

async function auditOf(kind: string, code: string): Promise<Array<Record<string, unknown>>> {
  return (await t.dataSource.query(
    `SELECT actor_username, target_type, target_id, jurisdiction_code, details FROM audit_log WHERE kind = $1 AND target_id = $2 ORDER BY id`,
    [kind, code],
  )) as Array<Record<string, unknown>>;
}

const create = (token: string, body: Record<string, unknown>) => t.http.post('/api/jurisdictions').set(auth(token)).send(body);

describe('jurisdiction admin', () => {
  it('adds a village under a town, with the path of its code, visible in the tree and audited', async () => {
    const res = await create(countyAdmin, { parentCode: '440781109', code: '440781109998', name: '端芬镇新安村' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      code: '440781109998',
      name: '端芬镇新安村',
      level: 'village',
      parentCode: '440781109',
      path: pathOf('440781109998'),
      retiredAt: null,
    });
    expect(res.body.path).toBe('440700.440781.440781109.440781109998');
    const parent = await t.http.get('/api/jurisdictions/440781109').set(auth(countyAdmin));
    expect(parent.body.children.map((c: { code: string }) => c.code)).toContain('440781109998');
    expect(await auditOf('jurisdiction.created', '440781109998')).toEqual([
      {
        actor_username: 'ts-admin',
        target_type: 'jurisdiction',
        target_id: '440781109998',
        jurisdiction_code: '440781109998',
        details: { parentCode: '440781109', name: '端芬镇新安村', level: 'village' },
      },
    ]);
  });

  it('adds a town under a county and a county under the city', async () => {
    const town = await create(countyAdmin, { parentCode: '440781', code: '440781998', name: '台山市测试镇' });
    expect(town.status).toBe(201);
    expect(town.body).toMatchObject({ level: 'town', path: '440700.440781.440781998' });
    const county = await create(admin, { parentCode: '440700', code: '440798', name: '测试区' });
    expect(county.status).toBe(201);
    expect(county.body).toMatchObject({ level: 'county', parentCode: '440700', path: '440700.440798' });
  });

  it('refuses codes that do not nest, unknown or retired parents, existing codes and names, and changes nothing', async () => {
    await t.dataSource.query(`UPDATE jurisdictions SET retired_at = now() WHERE code = '440781109203'`);
    const before = await state();
    const refusals: Array<[string, Record<string, unknown>, number, string]> = [
      [admin, { parentCode: '440781109', code: '440783108997', name: '错村' }, 422, 'CODE_NOT_UNDER_PARENT'],
      [admin, { parentCode: '440781109', code: '440781997', name: '错镇' }, 422, 'CODE_NOT_UNDER_PARENT'],
      [admin, { parentCode: '440700', code: '440781997', name: '错镇' }, 422, 'CODE_NOT_UNDER_PARENT'],
      [admin, { parentCode: '440700', code: '440700', name: '错市' }, 422, 'CODE_NOT_UNDER_PARENT'],
      [admin, { parentCode: '440781997', code: '440781997001', name: '无父村' }, 422, 'PARENT_NOT_FOUND'],
      [admin, { parentCode: '440781109', code: '440781109201', name: '重码村' }, 409, 'JURISDICTION_EXISTS'],
      [admin, { parentCode: '440781109', code: '440781109997', name: '端芬镇新安村' }, 409, 'DUPLICATE_NAME'],
      [countyAdmin, { parentCode: '440783108', code: '440783108997', name: '塘口新村' }, 403, 'OUTSIDE_YOUR_JURISDICTION'],
      [countyAdmin, { parentCode: '440700', code: '440797', name: '新区' }, 403, 'OUTSIDE_YOUR_JURISDICTION'],
      [admin, { parentCode: '440781109201', code: '440781109201001', name: '村下' }, 400, 'VALIDATION_FAILED'],
      [admin, { parentCode: '440781109', code: '44078110999x', name: '坏码' }, 400, 'VALIDATION_FAILED'],
      [admin, { parentCode: '440781109', code: '440781109996', name: '  ' }, 400, 'VALIDATION_FAILED'],
      [admin, { parentCode: '440781109', code: '440781109996', name: '多余', retired: false }, 400, 'VALIDATION_FAILED'],
      [await t.login('ts-officer'), { parentCode: '440781109', code: '440781109996', name: '经办村' }, 403, 'FORBIDDEN_ROLE'],
    ];
    for (const [token, body, status, code] of refusals) {
      const res = await create(token, body);
      expect({ body, status: res.status, code: res.body.details?.code }).toEqual({ body, status, code });
    }
    // A retired parent takes no children.
    await t.dataSource.query(`UPDATE jurisdictions SET retired_at = now() WHERE code = '440781998'`);
    const retiredParent = await create(admin, { parentCode: '440781998', code: '440781998001', name: '退役镇下村' });
    expect(retiredParent.status).toBe(422);
    expect(retiredParent.body.details.code).toBe('PARENT_RETIRED');
    await t.dataSource.query(`UPDATE jurisdictions SET retired_at = NULL WHERE code = '440781998'`);
    expect(await state()).toEqual(before);
  });

  it('creates a code once when two administrators add it at the same moment (one 201, one 409)', async () => {
    const body = { parentCode: '440781998', code: '440781998001', name: '测试镇一村' };
    const statuses = (await Promise.all([create(admin, body), create(countyAdmin, { ...body, name: '测试镇壹村' })])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    expect(await auditOf('jurisdiction.created', '440781998001')).toHaveLength(1);
  });

  it('renames a node, audited with the old and new name; the same name again writes nothing', async () => {
    const res = await t.http.patch('/api/jurisdictions/440781109998').set(auth(countyAdmin)).send({ name: '端芬镇新安社区' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '440781109998', name: '端芬镇新安社区' });
    expect((await t.http.get('/api/jurisdictions/440781109998').set(auth(admin))).body.name).toBe('端芬镇新安社区');
    expect(await auditOf('jurisdiction.renamed', '440781109998')).toEqual([
      expect.objectContaining({ actor_username: 'ts-admin', jurisdiction_code: '440781109998', details: { from: '端芬镇新安村', to: '端芬镇新安社区' } }),
    ]);
    const before = await state();
    expect((await t.http.patch('/api/jurisdictions/440781109998').set(auth(countyAdmin)).send({ name: '端芬镇新安社区' })).status).toBe(200);
    expect(await state()).toEqual(before);
  });

  it('refuses bad renames and changes nothing', async () => {
    const [sibling] = (await t.dataSource.query(
      `SELECT name FROM jurisdictions WHERE parent_code = '440781109' AND code <> '440781109998' AND retired_at IS NULL LIMIT 1`,
    )) as Array<{ name: string }>;
    const before = await state();
    const refusals: Array<[string, string, Record<string, unknown>, number, string]> = [
      [countyAdmin, '440783108', { name: '塘口' }, 403, 'OUTSIDE_YOUR_JURISDICTION'],
      [admin, '440781109999', { name: '无' }, 404, 'JURISDICTION_NOT_FOUND'],
      [admin, '44078', { name: '坏' }, 400, 'MALFORMED_JURISDICTION_CODE'],
      [admin, '440781109203', { name: '退役村新名' }, 409, 'JURISDICTION_RETIRED'],
      [admin, '440781109998', { name: sibling.name }, 409, 'DUPLICATE_NAME'],
      [admin, '440781109998', { name: '' }, 400, 'VALIDATION_FAILED'],
      [admin, '440781109998', { name: 'x'.repeat(101) }, 400, 'VALIDATION_FAILED'],
      [admin, '440781109998', {}, 400, 'VALIDATION_FAILED'],
      [await t.login('auditor'), '440781109998', { name: '审计' }, 403, 'FORBIDDEN_ROLE'],
    ];
    for (const [token, code, body, status, errorCode] of refusals) {
      const res = await t.http.patch(`/api/jurisdictions/${code}`).set(auth(token)).send(body);
      expect({ code, status: res.status, errorCode: res.body.details?.code }).toEqual({ code, status, errorCode });
    }
    expect(await state()).toEqual(before);
  });

  it('refuses to retire a node with current children or active users (409 with the reason)', async () => {
    const before = await state();
    const withChildren = await t.http.post('/api/jurisdictions/440781109/retire').set(auth(countyAdmin));
    expect(withChildren.status).toBe(409);
    const [{ n: children }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM jurisdictions WHERE parent_code = '440781109' AND retired_at IS NULL`,
    )) as Array<{ n: number }>;
    expect(withChildren.body.details).toEqual({ code: 'HAS_CURRENT_CHILDREN', children, examples: expect.any(Array) });
    expect(withChildren.body.details.examples).toHaveLength(Math.min(children, 10));
    expect(withChildren.body.message).toMatch(/current child node/);

    const bound = await t.http.post('/api/users').set(auth(admin)).send({
      username: 'xinan-officer',
      displayName: '新安社区 经办人',
      password: 'Community-desk-2026',
      roles: ['officer'],
      jurisdictionCode: '440781109998',
    });
    expect(bound.status).toBe(201);
    const withUsers = await t.http.post('/api/jurisdictions/440781109998/retire').set(auth(countyAdmin));
    expect(withUsers.status).toBe(409);
    expect(withUsers.body.details).toEqual({ code: 'HAS_ACTIVE_USERS', users: 1, examples: ['xinan-officer'] });
    expect(await state()).toEqual(before);

    const outside = await t.http.post('/api/jurisdictions/440783108/retire').set(auth(countyAdmin));
    expect(outside.status).toBe(403);
    expect((await t.http.post('/api/jurisdictions/440781109999/retire').set(auth(admin))).status).toBe(404);
    expect((await t.http.post('/api/jurisdictions/440781109998/retire').set(auth(await t.login('ts-officer')))).status).toBe(403);
    expect(await state()).toEqual(before);

    // Deactivated users do not hold a node.
    expect((await t.http.patch(`/api/users/${bound.body.id}`).set(auth(admin)).send({ active: false })).status).toBe(200);
  });

  it('retires a node: it stays readable, is no longer offered or bindable, and the retirement is audited', async () => {
    const res = await t.http.post('/api/jurisdictions/440781109998/retire').set(auth(countyAdmin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '440781109998', retiredAt: expect.any(String) });
    expect((await t.http.get('/api/jurisdictions/440781109998').set(auth(admin))).body.retiredAt).not.toBeNull();
    const parent = await t.http.get('/api/jurisdictions/440781109').set(auth(admin));
    expect(parent.body.children.map((c: { code: string }) => c.code)).not.toContain('440781109998');
    expect(await auditOf('jurisdiction.retired', '440781109998')).toEqual([
      expect.objectContaining({ actor_username: 'ts-admin', jurisdiction_code: '440781109998', details: { name: '端芬镇新安社区' } }),
    ]);

    const again = await t.http.post('/api/jurisdictions/440781109998/retire').set(auth(countyAdmin));
    expect(again.status).toBe(409);
    expect(again.body.details.code).toBe('JURISDICTION_RETIRED');
    const bind = await t.http.post('/api/users').set(auth(admin)).send({
      username: 'late-officer',
      displayName: '迟到 经办人',
      password: 'Arrived-too-late-2026',
      roles: ['officer'],
      jurisdictionCode: '440781109998',
    });
    expect(bind.status).toBe(422);
    expect(bind.body.details.code).toBe('RETIRED_JURISDICTION');
    // Nor does a new case go there (its tasks would be offered under a division that is gone).
    const casesBefore = await t.dataSource.query(`SELECT count(*)::int AS n FROM cases`);
    const start = await t.http
      .post('/api/cases')
      .set(auth(await t.login('ts-officer')))
      .send({ workflow: 'poverty-entry', data: HOUSEHOLD, jurisdiction: '440781109998' });
    expect(start.status).toBe(422);
    expect(start.body.details.code).toBe('INVALID_JURISDICTION');
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM cases`)).toEqual(casesBefore);
  });
});
