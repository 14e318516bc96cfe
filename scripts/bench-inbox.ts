/**
 * `npm run bench:inbox [-- --cases 3000000 --runs 200 --keep]`
 *
 * The inbox at Jiangmen's scale (issue 4, "Benchmark"): `--cases` cases spread over every
 * village and town of the real jurisdiction tree (loaded by the application at start-up),
 * written with COPY FROM STDIN (pg-copy-streams), then the latency of
 *  - a town officer's inbox, first page (ts-officer, 台山市端芬镇),
 *  - a county reviewer's inbox, first page (ts-reviewer, 台山市), and its second page by cursor,
 *  - the city approver's inbox, first page (jm-approver: every county's cases come up to it),
 *  - the county reviewer's inbox filtered to one village (jurisdiction=…) and by name (q=…),
 *  - a supervisor's overdue list (OverdueAlertsService.find, the query of GET /api/alerts/overdue),
 *    for the county (ts-supervisor) and the city (jm-supervisor),
 * each `--runs` times through the product's own code (InboxService.list, which runs
 * INBOX_SQL; OverdueAlertsService.find), after a warm-up, one at a time; then EXPLAIN
 * (ANALYZE, BUFFERS) of each statement.
 *
 * Data (all times relative to now): 90 % of the cases finished, each with one completed task;
 * 10 % open with one open task — 60 % at a town step, 25 % at the county review, 15 % at the
 * city approval — opened 0–20 days ago, due from 3 days ago to 27 days ahead (≈ 10 % overdue),
 * 3 % without a due time, 5 % claimed by someone (those of 端芬镇 by ts-officer). Each open task
 * with a due time has its 'due' deadline row (pending, or fired when past). ts-reviewer is
 * also a pending signer of 200 open town tasks elsewhere in 台山.
 *
 * It creates, migrates and finally drops its own database (fupin_flow_bench_inbox_<pid>) on the
 * server of DATABASE_URL; `--keep` keeps it (the name is printed).
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { f, percentile, row } from './bench-support.js';
import { OverdueAlertsService } from '../src/alerts/overdue-alerts.service.js';
import { toAuthUser, type AuthUser } from '../src/auth/auth-user.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { HOUSEHOLD } from '../src/database/demo-payloads.js';
import { dropDatabase, ensureDatabase } from '../src/database/ensure-database.js';
import { DEMO_CODES, seedDemoUsers } from '../src/database/seed-demo.js';
import { DefinitionsService } from '../src/definitions/definitions.service.js';
import { startCase } from '../src/engine/case-transition.js';
import { jurisdictionAt } from '../src/engine/jurisdiction-code.js';
import type { Level } from '../src/engine/workflow-definition.js';
import { UsersService } from '../src/org/users.service.js';
import type { InboxQueryDto } from '../src/tasks/dto/inbox-query.dto.js';
import { inboxParams, InboxService, inboxStatement } from '../src/tasks/inbox.service.js';

const WORKFLOW = 'poverty-entry';
const DAY_MS = 86_400_000;
const FINISHED_SHARE = 0.9;
/** Open steps: [step, role, level, share of the open cases]. */
const OPEN_STEPS: [string, string, Level, number][] = [
  ['propose', 'officer', 'town', 0.2],
  ['support', 'officer', 'town', 0.15],
  ['appraisal', 'officer', 'town', 0.15],
  ['publicNotice', 'officer', 'town', 0.1],
  ['countyReview', 'reviewer', 'county', 0.25],
  ['cityApproval', 'approver', 'city', 0.15],
];
const NAMES = ['陈', '李', '黄', '梁', '张', '王', '刘', '吴', '林', '关', '谭', '邝', '伍', '甄', '余', '朱'];
const GIVEN = ['大明', '秀英', '志强', '美玲', '国华', '少芬', '伟', '丽娟', '建新', '桂兰', '家豪', '玉梅'];

interface Options {
  cases: number;
  runs: number;
  warmup: number;
  keep: boolean;
  /** Measure on this database (kept by an earlier --keep run): no generation, not dropped. */
  database?: string;
  /** Runs of the filtered inbox views and the overdue lists (default --runs). */
  extraRuns?: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '3000000' },
      runs: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
      database: { type: 'string' },
      'extra-runs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(
      'npm run bench:inbox -- [--cases 3000000] [--runs 200] [--extra-runs <runs of the filtered views and the overdue lists; default --runs>] [--warmup 20] [--keep (do not drop the database)]\n' +
        '  [--database <a database an earlier --keep run left: migrate it and measure again, without generating or dropping>]',
    );
    process.exit(0);
  }
  const integer = (name: string, text: string, min: number): number => {
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min} (got '${text}')`);
    return n;
  };
  if (values.database !== undefined && !/^fupin_flow_bench_inbox_\d+$/.test(values.database)) throw new Error('--database must name a database of this benchmark (fupin_flow_bench_inbox_<pid>)');
  return {
    cases: integer('cases', values.cases!, 1000),
    runs: integer('runs', values.runs!, 1),
    extraRuns: values['extra-runs'] === undefined ? undefined : integer('extra-runs', values['extra-runs'], 1),
    warmup: integer('warmup', values.warmup!, 0),
    keep: values.keep! || values.database !== undefined,
    database: values.database,
  };
}

// ---------------------------------------------------------------------------------------
// Deterministic pseudo-random data

/** A 32-bit integer hash (Murmur3's finaliser): the same case always gets the same data. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) for case `i` and purpose `salt`. */
const rand = (i: number, salt: number) => mix(i * 31 + salt * 0x9e3779b1) / 4294967296;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A version-4-shaped UUID, random-looking in its first bits (so B-tree inserts scatter), unique by `i`. */
function uuid(i: number, salt: number): string {
  const a = mix(i ^ (salt * 0x27d4eb2d));
  const b = mix(a + salt);
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b & 0xfff, 3)}-${hex(8 + salt, 1)}${hex(mix(b) & 0xfff, 3)}-${hex(i, 12)}`;
}

const copyText = (v: string | number | boolean | null) =>
  v === null ? '\\N' : typeof v === 'string' ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : String(v);

/** A Readable of COPY text lines produced in chunks of ~1 000 rows by `line(i)` for i in [0, count). */
function copyStream(count: number, line: (i: number) => (string | number | boolean | null)[] | undefined): Readable {
  let i = 0;
  return new Readable({
    read() {
      const parts: string[] = [];
      for (const end = Math.min(count, i + 1000); i < end; i++) {
        const values = line(i);
        if (values) parts.push(values.map(copyText).join('\t'));
      }
      if (parts.length > 0) this.push(parts.join('\n') + '\n');
      if (i >= count) this.push(null);
    },
  });
}

async function copyInto(db: pg.Pool, table: string, columns: string[], stream: Readable): Promise<number> {
  const client = await db.connect();
  try {
    const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(stream, sink);
    return Number(sink.rowCount);
  } finally {
    client.release();
  }
}

interface CaseShape {
  id: string;
  jurisdiction: string;
  open: boolean;
  step: (typeof OPEN_STEPS)[number] | undefined;
  openedAt: Date;
  dueAt: Date | null;
  assignee: string | null;
}

interface Fixture {
  now: Date;
  places: string[];
  definitionId: string;
  workflowVersion: number;
  snapshot: string;
  snapshotBytes: number;
  /** Users whose claimed tasks the data contains: ts-officer (端芬镇) and a pool of others. */
  officerId: string;
  reviewerId: string;
}

function shape(i: number, fx: Fixture): CaseShape {
  const jurisdiction = fx.places[Math.floor(rand(i, 1) * fx.places.length)];
  const open = rand(i, 2) >= FINISHED_SHARE;
  let step: CaseShape['step'];
  let openedAt = new Date(fx.now.getTime() - Math.floor(rand(i, 3) * 400) * DAY_MS);
  let dueAt: Date | null = null;
  let assignee: string | null = null;
  if (open) {
    let r = rand(i, 4);
    step = OPEN_STEPS.find(([, , , share]) => (r -= share) < 0) ?? OPEN_STEPS[0];
    // Whole seconds: due times are office-day ends and the like, never sub-second.
    openedAt = new Date(Math.floor((fx.now.getTime() - rand(i, 5) * 20 * DAY_MS) / 1000) * 1000);
    if (rand(i, 6) >= 0.03) dueAt = new Date(Math.floor((fx.now.getTime() + (rand(i, 7) * 30 - 3) * DAY_MS) / 1000) * 1000);
    if (rand(i, 8) < 0.05) {
      const node = jurisdictionAt(jurisdiction, step[2]);
      assignee = node === DEMO_CODES.taishanDuanfen && step[1] === 'officer' ? fx.officerId : uuid(Math.floor(rand(i, 9) * 2000), 7);
    }
  }
  return { id: uuid(i, 1), jurisdiction, open, step, openedAt, dueAt, assignee };
}

async function generate(db: pg.Pool, count: number, fx: Fixture, log: (text: string) => void): Promise<void> {
  const started = performance.now();
  const data = JSON.stringify({ ...HOUSEHOLD, rural: true });
  const cases = await copyInto(
    db,
    'cases',
    ['id', 'workflow_key', 'workflow_version', 'definition_id', 'status', 'snapshot', 'data', 'title', 'jurisdiction_code', 'version', 'created_at', 'updated_at', 'history_seq'],
    copyStream(count, (i) => {
      const c = shape(i, fx);
      const title = NAMES[mix(i + 11) % NAMES.length] + GIVEN[mix(i + 13) % GIVEN.length];
      const status = c.open ? 'active' : rand(i, 10) < 0.8 ? 'registered' : 'rejected';
      return [c.id, WORKFLOW, fx.workflowVersion, fx.definitionId, status, fx.snapshot, data, title, c.jurisdiction, c.open ? 4 : 6, c.openedAt.toISOString(), c.openedAt.toISOString(), c.open ? 5 : 7];
    }),
  );
  log(`cases: ${cases.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const t1 = performance.now();
  const tasks = await copyInto(
    db,
    'tasks',
    ['id', 'case_id', 'step', 'step_entry', 'role', 'level', 'jurisdiction_code', 'status', 'assignee_id', 'opened_at', 'due_at', 'closed_at', 'closed_by', 'outcome'],
    copyStream(count, (i) => {
      const c = shape(i, fx);
      if (!c.open || !c.step) {
        // The last task of a finished case (the earlier ones are left out: they only add heap).
        return [uuid(i, 2), c.id, 'cityApproval', 1, 'approver', 'city', '440700', 'completed', fx.reviewerId, c.openedAt.toISOString(), null, c.openedAt.toISOString(), fx.reviewerId, 'approve'];
      }
      const [step, role, level] = c.step;
      return [uuid(i, 2), c.id, step, 1, role, level, jurisdictionAt(c.jurisdiction, level)!, 'open', c.assignee, c.openedAt.toISOString(), c.dueAt?.toISOString() ?? null, null, null, null];
    }),
  );
  log(`tasks: ${tasks.toLocaleString('en-US')} rows in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const t2 = performance.now();
  const settings = JSON.stringify({ duration: '10wd', reminderBefore: '2wd' });
  const deadlines = await copyInto(
    db,
    'deadlines',
    ['case_id', 'step', 'step_entry', 'kind', 'rung', 'due_at', 'provisional', 'started_at', 'settings', 'status', 'generation', 'fired_at'],
    copyStream(count, (i) => {
      const c = shape(i, fx);
      if (!c.open || !c.step || !c.dueAt) return undefined;
      const fired = c.dueAt < fx.now;
      return [c.id, c.step[0], 1, 'due', 0, c.dueAt.toISOString(), false, c.openedAt.toISOString(), settings, fired ? 'fired' : 'pending', 1, fired ? c.dueAt.toISOString() : null];
    }),
  );
  log(`deadlines: ${deadlines.toLocaleString('en-US')} rows in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

  // ts-reviewer must also sign 200 open town tasks of 台山 (加签), spread over its towns.
  await db.query(
    `INSERT INTO task_signers (task_id, user_id, kind, status, added_at)
     SELECT t.id, $1, 'before', 'pending', $2 FROM tasks t
      WHERE t.status = 'open' AND t.level = 'town' AND t.jurisdiction_code LIKE '440781%' ORDER BY t.id LIMIT 200`,
    [fx.reviewerId, fx.now],
  );
  const t3 = performance.now();
  for (const table of ['cases', 'tasks', 'deadlines', 'task_signers']) await db.query(`VACUUM ANALYZE ${table}`);
  log(`VACUUM ANALYZE: ${((performance.now() - t3) / 1000).toFixed(1)} s; generation in all ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------

interface Measure {
  name: string;
  run: () => Promise<unknown>;
  runs: number;
  /** The statements to EXPLAIN: [label, sql, params]. */
  explain: () => Promise<[string, string, unknown[]][]>;
  rows: () => Promise<string>;
}

/** A manager whose query() records the statements OverdueAlertsService runs instead of running them. */
function recordingManager(into: [string, string, unknown[]][]): EntityManager {
  return {
    query: async (sql: string, params: unknown[]) => {
      // The task statements, and the one for call steps (read from the called cases).
      if (/FROM tasks t|FROM cases k/.test(sql)) into.push([`overdue statement ${into.length + 1}`, sql, params]);
      return [];
    },
  } as unknown as EntityManager;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const base = loadAppConfig();
  if (base.nodeEnv === 'production') throw new Error('Refusing to run the benchmark with NODE_ENV=production');
  const url = new URL(base.databaseUrl);
  url.pathname = `/${options.database ?? `fupin_flow_bench_inbox_${process.pid}`}`;
  const databaseUrl = url.toString();
  process.env.DATABASE_URL = databaseUrl; // read by AppModule's config provider
  process.env.RUN_WORKER = 'false';
  const config = loadAppConfig();
  const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

  let app: INestApplicationContext | undefined;
  let db: pg.Pool | undefined;
  const cleanUp = async () => {
    await Promise.allSettled([app?.close(), db?.end()]);
    if (options.keep) console.log(`kept database ${url.pathname.slice(1)}`);
    else await dropDatabase(databaseUrl);
  };
  const onSignal = () => {
    console.error('\nInterrupted: cleaning up…');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await ensureDatabase(config);
    const { AppModule } = await import('../src/app.module.js');
    app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
    const { DataSource: DataSourceClass } = await import('typeorm');
    const dataSource = app.get<DataSource>(DataSourceClass);
    await seedDemoUsers(dataSource);
    db = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'fupin-bench-inbox' });
    const users = app.get(UsersService);
    const user = async (username: string): Promise<AuthUser> => {
      const found = await users.findByUsername(username);
      if (!found) throw new Error(`demo user ${username} is missing`);
      return toAuthUser(found);
    };
    const [officer, reviewer, approver, countySupervisor, citySupervisor] = await Promise.all(
      ['ts-officer', 'ts-reviewer', 'jm-approver', 'ts-supervisor', 'jm-supervisor'].map(user),
    );

    const places: string[] = (
      await db.query<{ code: string }>(`SELECT code FROM jurisdictions WHERE level IN ('village', 'town') AND retired_at IS NULL ORDER BY code`)
    ).rows.map((r) => r.code);
    const counties = new Set(places.map((p) => p.slice(0, 6)));
    const published = await app.get(DefinitionsService).latest(WORKFLOW);
    const now = new Date();
    const started = startCase(published.compiled, { data: HOUSEHOLD, jurisdiction: DEMO_CODES.taishanDuanfen, now });
    const snapshot = JSON.stringify(started.snapshot);
    const fx: Fixture = {
      now,
      places,
      definitionId: published.id,
      workflowVersion: published.version,
      snapshot,
      snapshotBytes: Buffer.byteLength(snapshot),
      officerId: officer.id,
      reviewerId: reviewer.id,
    };
    const [{ server_version: serverVersion }] = (await db.query('SHOW server_version')).rows;
    console.log(`fupin-flow bench:inbox — ${now.toISOString()}`);
    console.log(`node ${process.version} · ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}) · PostgreSQL ${serverVersion} · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const [{ n: existing }] = (await db.query(`SELECT count(*)::int AS n FROM cases`)).rows;
    console.log(
      `${(options.database ? existing : options.cases).toLocaleString('en-US')} cases over ${places.length.toLocaleString('en-US')} villages and towns of ${counties.size} counties · snapshot ${fx.snapshotBytes} bytes · database ${url.pathname.slice(1)}`,
    );
    if (!options.database) await generate(db, options.cases, fx, log);

    const counts = (
      await db.query(
        `SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
                count(*) FILTER (WHERE status = 'open' AND due_at < $1)::int AS overdue,
                count(*) FILTER (WHERE status = 'open' AND jurisdiction_code = '440781109' AND role = 'officer')::int AS town,
                count(*) FILTER (WHERE status = 'open' AND jurisdiction_code = '440781' AND role = 'reviewer')::int AS county,
                count(*) FILTER (WHERE status = 'open' AND jurisdiction_code = '440700' AND role = 'approver')::int AS city,
                count(*) FILTER (WHERE status = 'open' AND assignee_id = $2)::int AS claimed
           FROM tasks`,
        [now, officer.id],
      )
    ).rows[0];
    const sizes = (
      await db.query(
        `SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS total FROM pg_class WHERE relname IN ('cases', 'tasks', 'deadlines', 'idx_tasks_offered', 'idx_tasks_assigned') ORDER BY relname`,
      )
    ).rows.map((r) => `${r.relname} ${r.total}`);
    console.log(
      `open tasks ${counts.open.toLocaleString('en-US')} (overdue ${counts.overdue.toLocaleString('en-US')}); offered to 端芬镇's officers ${counts.town}, ` +
        `台山's reviewer ${counts.county}, the city approver ${counts.city}; claimed by ts-officer ${counts.claimed}`,
    );
    console.log(`sizes: ${sizes.join(' · ')}`);

    const inbox = app.get(InboxService);
    const overdue = app.get(OverdueAlertsService);
    const reviewerFirst = await inbox.list(reviewer, {});
    const village = (await db.query<{ code: string }>(`SELECT code FROM jurisdictions WHERE code LIKE '440781%' AND level = 'village' ORDER BY code LIMIT 1 OFFSET 7`)).rows[0].code;
    const inboxMeasure = (name: string, who: AuthUser, query: InboxQueryDto, extra = false): Measure => ({
      name,
      run: () => inbox.list(who, query),
      runs: extra ? (options.extraRuns ?? options.runs) : options.runs,
      explain: async () => {
        const params = inboxParams({ user: who, query, now: new Date() });
        return [[name, inboxStatement(params), params]];
      },
      rows: async () => String((await inbox.list(who, query)).items.length),
    });
    const overdueMeasure = (name: string, who: AuthUser): Measure => ({
      name,
      run: () => overdue.find(dataSource.manager, who.jurisdictionCode, new Date()),
      runs: options.extraRuns ?? options.runs,
      explain: async () => {
        const statements: [string, string, unknown[]][] = [];
        await overdue.find(recordingManager(statements), who.jurisdictionCode, new Date());
        return statements.map(([label, sql, params]) => [`${name}: ${label}`, sql, params]);
      },
      rows: async () => {
        const report = await overdue.find(dataSource.manager, who.jurisdictionCode, new Date());
        return `${report.items.length} of ${report.total}`;
      },
    });
    const measures: Measure[] = [
      inboxMeasure('town officer, first page (ts-officer)', officer, {}),
      inboxMeasure('county reviewer, first page (ts-reviewer)', reviewer, {}),
      inboxMeasure('county reviewer, second page (cursor)', reviewer, { cursor: reviewerFirst.nextCursor ?? undefined }),
      inboxMeasure('city approver, first page (jm-approver)', approver, {}),
      inboxMeasure('county reviewer, overdue only', reviewer, { overdue: true }, true),
      inboxMeasure(`county reviewer, one village (${village})`, reviewer, { jurisdiction: village }, true),
      inboxMeasure('county reviewer, q=陈大 (title)', reviewer, { q: '陈大' }, true),
      overdueMeasure('county supervisor overdue list (ts-supervisor)', countySupervisor),
      overdueMeasure('city supervisor overdue list (jm-supervisor)', citySupervisor),
    ];

    const widths = [52, 6, 8, 8, 8, 8, 14];
    const lines = [row(['query', 'runs', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'rows'], widths)];
    for (const m of measures) {
      for (let i = 0; i < options.warmup; i++) await m.run();
      const times: number[] = [];
      for (let i = 0; i < m.runs; i++) {
        const t = performance.now();
        await m.run();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      lines.push(row([m.name, m.runs, f(percentile(times, 0.5), 2), f(percentile(times, 0.95), 2), f(percentile(times, 0.99), 2), f(times.at(-1), 2), await m.rows()], widths));
      log(`measured: ${lines.at(-1)}`);
    }
    console.log('\n' + lines.join('\n'));

    for (const m of measures) {
      for (const [label, sql, params] of await m.explain()) {
        const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        console.log(`\n--- EXPLAIN (ANALYZE, BUFFERS): ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
    }
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
