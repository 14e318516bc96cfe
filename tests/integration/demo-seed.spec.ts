import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { DefinitionsService, workflowsDirectory } from '../../src/definitions/definitions.service.js';
import { activeSteps, type PersistedCaseSnapshot } from '../../src/engine/case-transition.js';
import { COUNTY_ABBREVIATIONS } from '../../src/database/seed-demo-history.js';
import { PUBLIC_NOTICE_FIELDS } from '../../src/public/notice-board.js';
import { seedDemo, demoWorld, type DemoSeedReport, type DemoWorld } from '../../src/database/seed-demo-world.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * `npm run seed:demo` on one fresh database for the whole file (the demo is 5,097 households
 * and about 11,000 case transactions: seeded once, in beforeAll).
 */

let t: TestApp;
let world: DemoWorld;
let report: DemoSeedReport | null;
let seconds: number;

const clockFor = (app: TestApp) => ({ set: (at: Date | string | null) => app.clock.set(at ?? new Date()) });

/** Counts and a digest of what the demo wrote: households, members, incomes, cases, history. */
async function contents(): Promise<Record<string, string | number>> {
  const digest = async (sql: string) => {
    const rows = await t.dataSource.query(sql);
    return { count: rows.length, sha: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
  };
  const parts = {
    households: await digest(`SELECT id, jurisdiction_code, head_name, address, rural, dibao, register_status, registered_on::text, exited_on::text, measures, paired_unit, volunteers, version, updated_at FROM households ORDER BY id`),
    members: await digest(`SELECT household_id, position, name, resident_id_masked, resident_id_token, resident_id_index, age, labour_ability FROM household_members ORDER BY household_id, position`),
    incomes: await digest(`SELECT household_id, year, source, amount FROM household_incomes ORDER BY household_id, year, source`),
    versions: await digest(`SELECT household_id, version, at, kind, changes, case_id FROM household_versions ORDER BY household_id, version`),
    cases: await digest(`SELECT id, workflow_key, status, snapshot, data, jurisdiction_code, version, household_id FROM cases ORDER BY id`),
    history: await digest(`SELECT case_id, seq, hash FROM case_history ORDER BY case_id, seq`),
    tasks: await digest(`SELECT id, case_id, step, status FROM tasks ORDER BY id`),
    users: await digest(`SELECT username, roles, jurisdiction_code FROM users ORDER BY username`),
  };
  return Object.fromEntries(Object.entries(parts).flatMap(([k, v]) => [[`${k}.count`, v.count], [`${k}.sha`, v.sha]]));
}

beforeAll(async () => {
  t = await createTestApp({ now: new Date() });
  const started = Date.now();
  report = await seedDemo(t.app, clockFor(t));
  seconds = (Date.now() - started) / 1000;
  // Measured, not asserted: the machine is shared (see docs/benchmarks.md "Demo seed").
  console.log(`seedDemo: ${seconds.toFixed(1)} s`, report?.timings);
  world = await demoWorld(t.app);
}, 600_000);

afterAll(async () => {
  await t?.close();
});

describe('npm run seed:demo', () => {
  it("writes the seed's baseline as household files, registered in 2016, with sealed IDs", async () => {
    expect(report?.register).toMatchObject({ households: 5097, members: 16659 });
    // The register: the families who applied today have files of their own, not registered.
    const [row] = await t.dataSource.query(
      `SELECT count(*)::int AS households, sum(CASE WHEN rural THEN 1 ELSE 0 END)::int AS rural,
              (SELECT count(*)::int FROM household_members m JOIN households r ON r.id = m.household_id WHERE r.register_status <> 'none') AS people,
              (SELECT count(*)::int FROM household_members m JOIN households r ON r.id = m.household_id WHERE r.register_status <> 'none' AND (resident_id_token IS NULL OR resident_id_masked !~ '^\\d{4}\\*{10}\\d{3}[\\dX]$')) AS unsealed,
              min(registered_on)::text AS first, max(registered_on)::text AS last
         FROM households WHERE register_status <> 'none'`,
    );
    expect(row).toEqual({ households: 5097, rural: 4225, people: 16659, unsealed: 0, first: expect.stringMatching(/^2016-/), last: expect.stringMatching(/^2016-/) });
  });

  it('changes nothing when run a second time', async () => {
    const before = await contents();
    expect(await seedDemo(t.app, clockFor(t))).toBeNull();
    expect(await contents()).toEqual(before);
  }, 120_000);

  it('answers GET /api/plans/2017/progress with the exits counted in SQL; only 开平 is behind', async () => {
    const token = await t.login('jm-supervisor');
    const response = await t.http.get('/api/plans/2017/progress').set('authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    // Independently: exited poverty-exit cases whose conclude action is in 2017, Beijing time.
    const rows: { county: string; people: number; target: number }[] = await t.dataSource.query(
      `SELECT p.county_code AS county, p.target_people AS target,
              coalesce((SELECT sum((c.data->>'memberCount')::int) FROM cases c
                         WHERE c.workflow_key = 'poverty-exit' AND c.status = 'exited' AND left(c.jurisdiction_code, 6) = p.county_code
                           AND extract(year FROM ((SELECT max(h.at) FROM case_history h WHERE h.case_id = c.id AND h.event_type = 'action' AND h.action = 'conclude')
                                                  AT TIME ZONE 'Asia/Shanghai')) = 2017), 0)::int AS people
         FROM plan_targets p WHERE p.year = 2017 ORDER BY p.county_code`,
    );
    const counties = response.body.counties as { code: string; exitedPeople: number; behind: boolean }[];
    expect(Object.fromEntries(counties.map((c) => [c.code, c.exitedPeople]))).toEqual(Object.fromEntries(rows.map((r) => [r.county, r.people])));
    expect(rows.filter((r) => r.people < r.target).map((r) => r.county)).toEqual(['440783']);
    expect(counties.filter((c) => c.behind).map((c) => c.code)).toEqual(['440783']);
    expect(rows.every((r) => r.people > 0)).toBe(true);
  });

  it('shows open notices on the public board and nothing of any household beyond its list', async () => {
    const list = await t.http.get('/api/public/notices');
    expect(list.status).toBe(200);
    const notices = (Array.isArray(list.body) ? list.body : list.body.items) as Record<string, unknown>[];
    expect(notices.length).toBeGreaterThan(0);
    for (const notice of notices) expect(Object.keys(notice).every((k) => (PUBLIC_NOTICE_FIELDS as readonly string[]).includes(k))).toBe(true);
    const board = JSON.stringify(list.body);
    const numbers = new Set<number>();
    const texts: string[] = [];
    JSON.parse(board, (key, value: unknown) => {
      if (typeof value === 'number') numbers.add(value);
      // The notice's opaque id and its dates are the board's own, not the household's.
      if (typeof value === 'string' && key !== 'id' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) texts.push(value);
      return value;
    });
    const addresses: { address: string }[] = await t.dataSource.query(`SELECT address FROM households WHERE address IS NOT NULL`);
    const masked: { resident_id_masked: string }[] = await t.dataSource.query(`SELECT resident_id_masked FROM household_members WHERE resident_id_masked IS NOT NULL`);
    const leaks: string[] = [];
    for (const household of world.households) {
      for (const member of household.members) if (board.includes(member.residentId)) leaks.push(`id of ${household.ref}`);
      // Income figures of three digits or more, as a number or inside a text of the board
      // (smaller ones would meet the page counters).
      for (const income of household.incomes) {
        if (Math.abs(income.amount) >= 100 && (numbers.has(income.amount) || texts.some((text) => text.includes(String(income.amount))))) leaks.push(`income of ${household.ref}`);
      }
    }
    for (const { address } of addresses) if (board.includes(address)) leaks.push(`address ${address}`);
    for (const { resident_id_masked } of masked) if (board.includes(resident_id_masked)) leaks.push('masked id');
    expect(leaks).toEqual([]);
    expect(board).not.toMatch(/1[3-9]\d{9}/); // no phone number
    expect(board).not.toMatch(/income|residentId|idNumber|phone|address/i);
  });

  it('has active cases waiting at every task and call step of every shipped workflow, parallel regions included', async () => {
    const definitions = t.app.get(DefinitionsService);
    const keys = readdirSync(workflowsDirectory())
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
    const expected: string[] = [];
    const waiting = new Set<string>();
    for (const key of keys) {
      const { id, compiled } = await definitions.latest(key);
      for (const info of compiled.steps.values()) if (['task', 'call'].includes(info.definition.type ?? 'task')) expected.push(`${key}.${info.key}`);
      const rows: { snapshot: PersistedCaseSnapshot }[] = await t.dataSource.query(`SELECT snapshot FROM cases WHERE definition_id = $1 AND snapshot->>'status' = 'active'`, [id]);
      for (const { snapshot } of rows) for (const step of activeSteps(compiled, snapshot)) waiting.add(`${key}.${step}`);
    }
    expect(keys).toEqual(['accountability-interview', 'disaster-reentry', 'objection-investigation', 'poverty-entry', 'poverty-exit', 'rectification']);
    expect(expected.filter((step) => !waiting.has(step))).toEqual([]);
    // Parallel regions' steps and call steps are among them.
    expect(expected).toEqual(expect.arrayContaining(['disaster-reentry.landConfirm', 'poverty-entry.investigation', 'objection-investigation.determination']));
  });

  it('has poverty-entry cases from household files waiting at each of its steps in every county', async () => {
    const rows: { county: string; step: string }[] = await t.dataSource.query(
      `SELECT DISTINCT left(c.jurisdiction_code, 6) AS county, coalesce(c.snapshot->'value'->>0, c.snapshot->>'value') AS step
         FROM cases c WHERE c.workflow_key = 'poverty-entry' AND c.household_id IS NOT NULL AND c.snapshot->>'status' = 'active'`,
    );
    const steps = ['propose', 'support', 'appraisal', 'countyReview', 'cityApproval', 'publicNotice', 'objectionReview', 'investigation'];
    for (const county of Object.keys(COUNTY_ABBREVIATIONS)) {
      expect([county, steps.filter((step) => rows.some((r) => r.county === county && r.step === step))]).toEqual([county, steps]);
    }
  });

  it('shows at least ten notices of at least three counties on the public board', async () => {
    const all = await t.http.get('/api/public/notices?pageSize=100');
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(10);
    const counties: string[] = [];
    for (const county of Object.keys(COUNTY_ABBREVIATIONS)) {
      const page = await t.http.get(`/api/public/notices?county=${county}`);
      if (page.body.total > 0) counties.push(county);
    }
    expect(counties.length).toBeGreaterThanOrEqual(3);
  });

  it('has an overdue open task in every county', async () => {
    const rows: { county: string }[] = await t.dataSource.query(
      `SELECT DISTINCT left(jurisdiction_code, 6) AS county FROM tasks WHERE status = 'open' AND due_at < $1 ORDER BY 1`,
      [t.clock.now()],
    );
    expect(rows.map((r) => r.county)).toEqual(Object.keys(COUNTY_ABBREVIATIONS).sort());
  });

  it('records the typhoon in two 台山 towns, its re-entry cases linked to exited households there', async () => {
    const token = await t.login('ts-admin');
    const list = await t.http.get('/api/disasters').set('authorization', `Bearer ${token}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const [disaster] = list.body.items as { id: string; affectedTowns: string[] }[];
    expect(disaster.affectedTowns).toHaveLength(2);
    expect(disaster.affectedTowns.every((town) => town.startsWith('440781'))).toBe(true);
    const detail = await t.http.get(`/api/disasters/${disaster.id}`).set('authorization', `Bearer ${token}`);
    const reentries = detail.body.reentries as { villageCode: string; caseId: string }[];
    expect(reentries.length).toBeGreaterThanOrEqual(5);
    expect(reentries.every((r) => disaster.affectedTowns.includes(r.villageCode.slice(0, 9)))).toBe(true);
  });
});
