/**
 * `npm run bench:deadlines [-- --pending 1000000 --burst 10000 --rate 1000,0 --worker-concurrency 10 --profile]`
 *
 * The deadline machinery at a million pending timers (issue 3, "Benchmark"):
 *
 * 1. Scheduling rate. `--cases` poverty-entry cases waiting in 拟选对象 (case row with the
 *    pure engine's own start snapshot, chained `started` history row, open task) and
 *    `--pending` pending deadline rows on them: `--pending` − `--sample` rows bulk-loaded
 *    with INSERT … SELECT generate_series (`--near` of them due within the horizon, the rest
 *    spread over the two years after it), then `--sample` rows written the way an action
 *    writes them — the `deadlines_started` INSERT … SELECT FROM jsonb_to_recordset of
 *    src/cases/transition-writes.ts, the 5 timers of one step visit per statement, planned
 *    by DeadlinesService.plan(), on `--concurrency` connections. Both rates are reported.
 * 2. One pass of the real DeadlineSchedulerService (enqueueDue) and of the real
 *    DeadlineReconcilerService (reconcile) over that table, taken from a Nest application
 *    context of WorkerModule whose periodic timers are parked: time, CPU, peak RSS/heap.
 * 3. Lateness. For each --worker-concurrency × --rate: a fresh WorkerModule context with the
 *    configured intervals (real BullMQ workers, FireDeadlineJob, DeadlineFiringService,
 *    SystemClock); `--warmup` firings first (the worker warm, as after running a while);
 *    then `--burst` rows due in the same minute — spread at --rate per second from T0, or
 *    all at T0 with --rate 0 — each on its own case, handed to BullMQ as delayed jobs by the
 *    real scheduler `--lead` seconds ahead. Lateness = fired_at (written by fire() from the
 *    system clock) − due_at, per row; plus CPU of this process, of the worker's PostgreSQL
 *    backends, of Redis and of the whole machine, per second and over the burst.
 *    FireDeadlineJob.handle is wrapped (timestamps only) to split lateness into BullMQ's
 *    hand-over and fire() itself. `--pool-size` raises the worker's TypeORM pool, which the
 *    application does not configure (pg's default, 10), for runs with more concurrency.
 *
 * It creates, migrates and finally drops its own database (fupin_flow_bench_<pid>) on the
 * server of DATABASE_URL, uses its own BullMQ prefix (fupin-bench-<pid>) on REDIS_URL and
 * deletes every key under that prefix at the end. The default run takes about 80 s on 2 cores.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLOCK_TICKS, cpuSince, f, percentile, pool, processCpu, row } from './bench-support.js';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { toActor } from '../src/cases/cases.service.js';
import { GENESIS_HASH, hashEvent } from '../src/cases/history-chain.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { HOUSEHOLD } from '../src/database/demo-payloads.js';
import { dropDatabase, ensureDatabase } from '../src/database/ensure-database.js';
import { DEMO_CODES, seedDemoUsers } from '../src/database/seed-demo.js';
import { DeadlineReconcilerService, type ReconcileReport } from '../src/deadlines/deadline-reconciler.service.js';
import { DeadlineSchedulerService } from '../src/deadlines/deadline-scheduler.service.js';
import { DeadlinesService, type DeadlineWrites } from '../src/deadlines/deadlines.service.js';
import { FireDeadlineJob } from '../src/deadlines/fire-deadline.job.js';
import { DefinitionsService } from '../src/definitions/definitions.service.js';
import { activeSteps, startCase } from '../src/engine/case-transition.js';
import type { Effect } from '../src/engine/effects.js';
import { jurisdictionAt } from '../src/engine/jurisdiction-code.js';
import { JobWorkersService } from '../src/jobs/job-workers.service.js';
import { toAuthUser } from '../src/auth/auth-user.js';
import { UserEntity } from '../src/org/user.entity.js';
import { WorkerModule } from '../src/worker.module.js';

const WORKFLOW = 'poverty-entry';
const STEP = 'propose';
const TWO_YEARS_MS = 2 * 365 * 86_400_000;
const HOUR_MS = 3_600_000;
/** setTimeout's maximum: the periodic tasks of the measuring context never tick by themselves. */
const PARKED_INTERVAL_MS = '2147483647';
/** Sampling interval of the event-loop delay histogram. */
const LOOP_RESOLUTION_MS = 10;
/** application_name of the benchmark's own connections, left out of the application's CPU. */
const BENCH_APPLICATION_NAME = 'fupin-bench-deadlines';
/** The timers one 拟选对象 visit writes (10wd, reminder 2wd before, three escalation rungs). */
const VISIT_TIMERS: [kind: string, rung: number][] = [
  ['reminder', 0],
  ['due', 0],
  ['escalation', 1],
  ['escalation', 2],
  ['escalation', 3],
];
/** The burst: the timers that notify (rung 3 opens an accountability case and is left out). */
const BURST_TIMERS: [kind: string, rung: number][] = [
  ['reminder', 0],
  ['due', 0],
  ['escalation', 1],
  ['escalation', 2],
];

interface Options {
  pending: number;
  burst: number;
  rates: number[];
  cases: number;
  sample: number;
  near: number;
  concurrency: number;
  workerConcurrency: number[];
  leadMs: number;
  warmup: number;
  /** Size of the worker's TypeORM pool (the application has no setting: pg's default, 10). */
  poolSize?: number;
  profile: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      pending: { type: 'string', default: '1000000' },
      burst: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '1000,0' },
      cases: { type: 'string', default: '20000' },
      sample: { type: 'string', default: '50000' },
      near: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'worker-concurrency': { type: 'string' },
      lead: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '1000' },
      'pool-size': { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(
      'npm run bench:deadlines -- [--pending 1000000] [--burst 10000] [--rate 1000,0 (per second; 0 = all at one instant)] [--cases 20000] [--sample 50000]\n' +
        '  [--near <rows due within the horizon besides the burst; default 1% of --pending>] [--concurrency 8]\n' +
        '  [--worker-concurrency <WORKER_DEADLINE_CONCURRENCY; default the configured value> | 10,32] [--lead 15 (s before the burst)]\n' +
        '  [--warmup 1000 (firings before each burst, same worker)] [--pool-size <the worker\'s TypeORM pool; default pg\'s 10>] [--profile]',
    );
    process.exit(0);
  }
  const integer = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min} (got '${text}')`);
    return n;
  };
  const pending = integer('pending', values.pending!, 1);
  const sample = integer('sample', values.sample!, 0);
  if (sample % 5 !== 0) throw new Error('--sample must be a multiple of 5 (one statement writes the 5 timers of a visit)');
  if (sample >= pending) throw new Error('--sample must be smaller than --pending');
  const near = values.near === undefined ? Math.round(pending / 100) : integer('near', values.near, 0);
  const configured = loadAppConfig().delivery.deadlineConcurrency;
  return {
    pending,
    burst: integer('burst', values.burst!, 1),
    rates: values.rate!.split(',').map((r) => integer('rate', r.trim(), 0)),
    cases: integer('cases', values.cases!, 1),
    sample,
    near: Math.min(near, pending - sample),
    concurrency: integer('concurrency', values.concurrency!, 1),
    workerConcurrency: (values['worker-concurrency'] ?? String(configured)).split(',').map((c) => integer('worker-concurrency', c.trim(), 1)),
    leadMs: integer('lead', values.lead!, 1) * 1000,
    warmup: integer('warmup', values.warmup!, 0),
    poolSize: values['pool-size'] === undefined ? undefined : integer('pool-size', values['pool-size'], 1),
    profile: values.profile!,
  };
}

// ---------------------------------------------------------------------------------------
// Measurement helpers

interface Distribution {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1),
  };
}

/** Busy and total CPU time of the whole machine (ms), from the first line of /proc/stat. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, v) => a + v, 0);
    const idle = fields[3] + fields[4]; // idle + iowait
    return { busy: ((total - idle) * 1000) / CLOCK_TICKS, total: (total * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

export interface CpuUsage {
  wallMs: number;
  nodeMs: number;
  nodeSystemMs: number;
  /** Every postgres process on the host (other sessions and databases included). */
  pgMs?: number;
  /** The backends connected to the benchmark database, except the benchmark's own pool. */
  pgOwnMs?: number;
  redisMs?: number;
  /** Busy CPU time of the whole machine (all cores). */
  machineBusyMs?: number;
}

/** CPU of this process, PostgreSQL and Redis over a window (ms). */
class CpuWindow {
  private readonly pg = processCpu('postgres');
  private readonly redis = processCpu('redis-server');
  private readonly machine = machineCpu();
  private readonly node = process.cpuUsage();
  private readonly started = performance.now();

  /** `ownPids`: the backends whose CPU counts as the application's (see CpuUsage.pgOwnMs). */
  stop(ownPids?: number[]): CpuUsage {
    const node = process.cpuUsage(this.node);
    const pgAfter = processCpu('postgres');
    const machine = machineCpu();
    let pgOwnMs: number | undefined;
    if (ownPids && this.pg && pgAfter) {
      pgOwnMs = 0;
      for (const pid of ownPids) pgOwnMs += (pgAfter.get(pid) ?? 0) - (this.pg.get(pid) ?? 0);
    }
    let pgMs: number | undefined;
    if (this.pg && pgAfter) {
      pgMs = 0;
      for (const [pid, value] of pgAfter) pgMs += value - (this.pg.get(pid) ?? 0);
    }
    return {
      wallMs: performance.now() - this.started,
      nodeMs: (node.user + node.system) / 1000,
      nodeSystemMs: node.system / 1000,
      pgMs,
      pgOwnMs,
      redisMs: cpuSince('redis-server', this.redis),
      machineBusyMs: this.machine && machine ? machine.busy - this.machine.busy : undefined,
    };
  }
}

/** The application's backends on the benchmark database (not the benchmark's own pool). */
async function applicationBackends(db: pg.Pool): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> $1 AND backend_type = 'client backend'`,
    [BENCH_APPLICATION_NAME],
  );
  return rows.map((r) => r.pid);
}

/** `gc()` without --expose-gc on the command line (the npm script is plain `node`). */
const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Peak RSS and heap while `work` runs (sampled every 5 ms, after a full GC). */
async function withMemory<T>(work: () => Promise<T>): Promise<{ result: T; baseRss: number; baseHeap: number; peakRss: number; peakHeap: number }> {
  gc();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, baseRss: base.rss, baseHeap: base.heapUsed, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

/** --profile: statements and their wall time by kind, on the application's connections only. */
class QueryProfile {
  private readonly byKind = new Map<string, { count: number; ms: number }>();
  private original?: typeof pg.Client.prototype.query;
  /** Clients of the benchmark's own pool, not counted. */
  readonly excluded = new WeakSet<object>();

  install(): void {
    const original = pg.Client.prototype.query;
    this.original = original;
    const profile = this;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (profile.excluded.has(this)) return result;
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?');
      const started = performance.now();
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const done = () => profile.record(text, performance.now() - started);
        (result as Promise<unknown>).then(done, done);
      }
      return result;
    } as typeof pg.Client.prototype.query;
  }

  uninstall(): void {
    if (this.original) pg.Client.prototype.query = this.original;
    this.original = undefined;
  }

  private record(text: string, ms: number): void {
    const kind = QueryProfile.kind(text);
    const entry = this.byKind.get(kind) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    this.byKind.set(kind, entry);
  }

  static kind(text: string): string {
    const sql = text.replace(/\s+/g, ' ').trim();
    const verb = sql.split(' ')[0].toUpperCase();
    if (verb === 'START' || verb === 'BEGIN' || verb === 'COMMIT' || verb === 'ROLLBACK') return verb === 'START' ? 'START TRANSACTION' : verb;
    if (/^SELECT c\.id, c\.definition_id/.test(sql)) return `SELECT cases … FOR UPDATE (+ last history row)`;
    if (/^WITH new_emails/.test(sql)) return 'INSERT email_deliveries + outbox (CTE)';
    const table = /^(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/i.exec(sql)?.[1] ?? /\bFROM\s+(\w+)/i.exec(sql)?.[1];
    const lock = /FOR UPDATE SKIP LOCKED/i.test(sql) ? ' … SKIP LOCKED' : /FOR UPDATE/i.test(sql) ? ' … FOR UPDATE' : '';
    return `${verb} ${table ?? ''}${lock}`.trim();
  }

  entries(): [string, { count: number; ms: number }][] {
    return [...this.byKind.entries()].sort((a, b) => b[1].ms - a[1].ms);
  }

  reset(): void {
    this.byKind.clear();
  }
}

/** Counters of `INFO commandstats` (whole Redis server). */
async function redisCommandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) calls.set(m[1], Number(m[2]));
  }
  return calls;
}

async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const int = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------

interface Fixture {
  caseIds: string[];
  entry: number;
  settingsJson: string;
  startDeadline: Extract<Effect, { type: 'startDeadline' }>;
}

/** The cases: one start snapshot from the pure engine, reused for every case row. */
async function createCases(db: pg.Pool, app: INestApplicationContext, count: number, now: Date): Promise<Fixture> {
  const published = await app.get(DefinitionsService, { strict: false }).latest(WORKFLOW);
  const officerRow = await app.get(DataSource).getRepository(UserEntity).findOneBy({ username: 'ts-officer' });
  if (!officerRow) throw new Error('demo user ts-officer is missing');
  const officer = toActor(toAuthUser(officerRow));
  const jurisdiction = DEMO_CODES.taishanDuanfen;
  const caseInput = { data: HOUSEHOLD, jurisdiction, now };
  const started = startCase(published.compiled, caseInput);
  if (started.snapshot.status !== 'active' || !activeSteps(published.compiled, started.snapshot).includes(STEP)) {
    throw new Error(`a new ${WORKFLOW} case is not waiting in ${STEP}`);
  }
  const entry = started.snapshot.context.entries[STEP] as number;
  const startDeadline = started.effects.find((e): e is Extract<Effect, { type: 'startDeadline' }> => e.type === 'startDeadline' && e.step === STEP);
  const openTask = started.effects.find((e): e is Extract<Effect, { type: 'openTask' }> => e.type === 'openTask' && e.step === STEP);
  if (!startDeadline || !openTask) throw new Error(`the start of ${WORKFLOW} opens no task or deadline in ${STEP}`);

  const actorRecord = { kind: officer.kind, id: officer.id, username: officer.username ?? null, roles: officer.roles };
  const payload = JSON.parse(JSON.stringify({ ...caseInput, now: now.toISOString() }));
  const title = String(HOUSEHOLD.householdName);
  const caseIds: string[] = [];
  for (let from = 0; from < count; from += 2000) {
    const ids: string[] = [];
    const hashes: string[] = [];
    for (let i = from; i < Math.min(count, from + 2000); i++) {
      const id = randomUUID();
      ids.push(id);
      hashes.push(hashEvent({ caseId: id, seq: 1, eventType: 'started', action: null, actorId: officer.id, actor: actorRecord, payload, at: now }, GENESIS_HASH));
    }
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        // history_seq/history_hash: the case row carries the head of its history chain (here the 'started' row below).
        `INSERT INTO cases (id, workflow_key, workflow_version, definition_id, status, snapshot, data, title, jurisdiction_code, version, created_by, created_at, updated_at, history_seq, history_hash)
         SELECT u.id, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11, 1, u.hash FROM unnest($1::uuid[], $12::text[]) AS u(id, hash)`,
        [ids, published.key, published.version, published.id, started.status, JSON.stringify(started.snapshot), JSON.stringify(started.snapshot.context.data), title, jurisdiction, officer.id, now, hashes],
      );
      await client.query(
        `INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
         SELECT u.id, 1, 'started', NULL, $3, $4, $5, $6, $7, u.hash FROM unnest($1::uuid[], $2::text[]) AS u(id, hash)`,
        [ids, hashes, officer.id, JSON.stringify(actorRecord), JSON.stringify(payload), now, GENESIS_HASH],
      );
      await client.query(
        `INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at)
         SELECT id, $2, $3, $4, $5, $6, 'open', $7 FROM unnest($1::uuid[]) AS id`,
        [ids, openTask.step, openTask.entry, openTask.role, openTask.level, jurisdictionAt(jurisdiction, openTask.level), now],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    caseIds.push(...ids);
  }
  return { caseIds, entry, settingsJson: JSON.stringify(startDeadline.deadline), startDeadline };
}

/**
 * `count` pending rows in one INSERT … SELECT generate_series per 100 000: the timers of
 * the 5 kinds in turn, every `nearEvery`-th row due within the horizon (1 h … horizon − 1 h
 * from now), the others spread evenly at random over the two years after the horizon.
 */
async function bulkLoad(db: pg.Pool, fixture: Fixture, count: number, near: number, horizonMs: number, now: Date, progress: (done: number) => void): Promise<number> {
  const client = await db.connect();
  let nearRows = 0;
  const nearEvery = near > 0 ? Math.max(1, Math.floor(count / near)) : 0;
  try {
    await client.query(`CREATE TEMP TABLE bench_case (n int PRIMARY KEY, id uuid NOT NULL)`);
    await client.query(`INSERT INTO bench_case (n, id) SELECT i - 1, id FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i)`, [fixture.caseIds]);
    const kinds = VISIT_TIMERS.map(([k]) => k);
    const rungs = VISIT_TIMERS.map(([, r]) => r);
    for (let from = 0; from < count; from += 100_000) {
      const to = Math.min(count, from + 100_000);
      const result = await client.query(
        `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
         SELECT c.id, $3, $4, ($5::text[])[1 + g % 5], ($6::int[])[1 + g % 5],
                CASE WHEN $7::int > 0 AND g % $7::int = 0 AND g / $7::int < $8::int
                     THEN $9::timestamptz + interval '1 hour' + random() * ($10::bigint - 2 * 3600000) * interval '1 millisecond'
                     ELSE $9::timestamptz + ($10::bigint + 3600000) * interval '1 millisecond' + random() * $11::bigint * interval '1 millisecond' END,
                false, $9, $12::jsonb, 'pending', 1
           FROM generate_series($1::int, $2::int - 1) AS g
           JOIN bench_case c ON c.n = g % $13::int`,
        [from, to, STEP, fixture.entry, kinds, rungs, nearEvery, near, now, horizonMs, TWO_YEARS_MS, fixture.settingsJson, fixture.caseIds.length],
      );
      if (result.rowCount !== to - from) throw new Error(`bulk load: ${result.rowCount} rows inserted, expected ${to - from}`);
      progress(to);
    }
    const [{ n }] = (await client.query(`SELECT count(*)::int AS n FROM deadlines WHERE status = 'pending' AND due_at <= $1`, [new Date(now.getTime() + horizonMs)])).rows;
    nearRows = n;
    await client.query(`DROP TABLE bench_case`);
  } finally {
    client.release();
  }
  return nearRows;
}

/** The `deadlines_started` part of the action's write statement (src/cases/transition-writes.ts), without its version gate. */
const ACTION_DEADLINE_INSERT = `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
    SELECT $1::uuid, p.step, p.entry, p.kind, p.rung, p.due_at, p.provisional, p.started_at, p.settings, 'pending', 1
      FROM jsonb_to_recordset($2::jsonb)
             AS p(step text, entry int, kind text, rung int, due_at timestamptz, provisional boolean, started_at timestamptz, settings jsonb)`;

// ---------------------------------------------------------------------------------------

/** One second of a burst, counted from its first due time. */
interface TimelineSecond {
  second: number;
  due: number;
  fired: number;
  p99: number;
  /** Busy share of the whole machine (all cores), of this process, of the worker's backends. */
  machinePct?: number;
  nodePct?: number;
  pgPct?: number;
  /** Mean jobs inside the handler (fire() running), sampled every 50 ms. */
  inFlight?: number;
  /** fire() + handler of the jobs picked up in that second. */
  fireP50?: number;
}

interface BurstResult {
  workerConcurrency: number;
  rate: number;
  burst: number;
  fired: number;
  notFired: Record<string, number>;
  results: Record<string, number>;
  scheduleMs: number;
  slackMs: number;
  lateness: Distribution;
  pickup: Distribution;
  fireMs: Distribution;
  completion: Distribution;
  windowS: number;
  achieved: number;
  peakPerSecond: number;
  cpu: CpuUsage;
  poolMax: number;
  connectionsAtT0: number;
  connectionsAtEnd: number;
  loopDelay: { p50: number; p99: number; max: number };
  poolWaitingMax: number;
  poolWaitingMean: number;
  redisCalls: [string, number][];
  profile?: [string, { count: number; ms: number }][];
  timeline: TimelineSecond[];
  bootMs: number;
  warmupSeconds: number;
}

async function burstRun(
  options: Options,
  ctx: { db: pg.Pool; fixture: Fixture; redis: Redis; scenario: number; workerConcurrency: number; rate: number; profile?: QueryProfile },
): Promise<BurstResult> {
  const { db, fixture, redis, workerConcurrency, rate } = ctx;
  process.env.WORKER_DEADLINE_CONCURRENCY = String(workerConcurrency);
  delete process.env.SCHEDULER_INTERVAL_MS;
  delete process.env.RECONCILE_INTERVAL_MS;
  const bootStarted = performance.now();
  // --pool-size: the pool TypeORM creates while the context boots (pg's Pool, max 10 unless told).
  const OriginalPool = pg.Pool;
  if (options.poolSize !== undefined) {
    const max = options.poolSize;
    (pg as { Pool: typeof pg.Pool }).Pool = class extends OriginalPool {
      constructor(config?: pg.PoolConfig) {
        super({ ...config, max });
      }
    } as typeof pg.Pool;
  }
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  } finally {
    (pg as { Pool: typeof pg.Pool }).Pool = OriginalPool;
  }
  try {
    const scheduler = app.get(DeadlineSchedulerService, { strict: false });
    const reconciler = app.get(DeadlineReconcilerService, { strict: false });
    const workers = app.get(JobWorkersService, { strict: false });
    const dataSource = app.get(DataSource);
    // The start-up passes (scheduler, full reconciliation over the rows already enqueued) first.
    await Promise.all([scheduler.runNow(), reconciler.runNow(), ...workers.running.map((w) => w.waitUntilReady())]);
    const bootMs = performance.now() - bootStarted;

    // Instrumentation of the real handler: when BullMQ hands the job over, when fire() is done.
    const handler = app.get(FireDeadlineJob, { strict: false });
    const original = handler.handle.bind(handler);
    const pickedUp = new Map<string, number>();
    const handled = new Map<string, number>();
    const results: Record<string, number> = {};
    let inFlight = 0;
    handler.handle = async (job) => {
      const t0 = Date.now();
      inFlight += 1;
      const result = await original(job).finally(() => (inFlight -= 1));
      pickedUp.set(job.data.deadlineId, t0);
      handled.set(job.data.deadlineId, Date.now());
      results[result] = (results[result] ?? 0) + 1;
      return result;
    };
    const completedAt = new Map<string, number>();
    const unsubscribe = workers.onCompleted((outcome) => {
      if (outcome.name === 'fire-deadline') completedAt.set((outcome.data as { deadlineId: string }).deadlineId, Date.now());
    });

    /** Inserts rows due at `dues[i]` on the cases `caseIndex(i)` and has the real scheduler hand them to BullMQ. */
    const insertAndSchedule = async (dues: Date[], caseIndex: (i: number) => number) => {
      const caseIds: string[] = [];
      const kinds: string[] = [];
      const rungs: number[] = [];
      dues.forEach((_, i) => {
        caseIds.push(fixture.caseIds[caseIndex(i) % fixture.caseIds.length]);
        const [kind, rung] = BURST_TIMERS[i % BURST_TIMERS.length];
        kinds.push(kind);
        rungs.push(rung);
      });
      const inserted = await db.query<{ id: string; due_at: Date }>(
        `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
         SELECT b.case_id, $5, $6, b.kind, b.rung, b.due_at, false, now(), $7::jsonb, 'pending', 1
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[]) AS b(case_id, kind, rung, due_at)
         RETURNING id, due_at`,
        [caseIds, kinds, rungs, dues, STEP, fixture.entry, fixture.settingsJson],
      );
      const ids = inserted.rows.map((r) => String(r.id));
      // A pass now rather than at the next tick (several if a tick in progress missed the rows).
      await scheduler.runNow();
      for (let k = 0; k < 5; k++) {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM deadlines WHERE id = ANY($1::bigint[]) AND enqueued_generation = generation`, [ids])).rows;
        if (n === ids.length) break;
        await scheduler.runNow();
      }
      return { ids, dueById: new Map(inserted.rows.map((r) => [String(r.id), r.due_at.getTime()])) };
    };
    const waitUntilFired = async (ids: string[], until: number) => {
      let left = ids.length;
      while (left > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = Number((await db.query(`SELECT count(*) AS n FROM deadlines WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [ids])).rows[0].n);
      }
      return left;
    };

    // Warm-up (JIT, connections, plan caches of a worker that has been running): --warmup
    // rows due now, on other cases than the burst's, fired and done before the burst starts.
    let warmupSeconds = 0;
    if (options.warmup > 0) {
      const t = performance.now();
      const warm = await insertAndSchedule(
        Array.from({ length: options.warmup }, () => new Date()),
        (i) => fixture.caseIds.length - 1 - ((ctx.scenario * options.warmup + i) % fixture.caseIds.length),
      );
      const left = await waitUntilFired(warm.ids, Date.now() + 120_000);
      if (left > 0) console.warn(`warning: ${left} warm-up rows still pending`);
      warmupSeconds = (performance.now() - t) / 1000;
    }

    // The burst: --burst rows on distinct cases (as far as --cases allows), due from T0 on.
    const t0 = Date.now() + options.leadMs;
    const spacing = rate > 0 ? 1000 / rate : 0;
    const dues = Array.from({ length: options.burst }, (_, i) => new Date(t0 + Math.floor(i * spacing)));
    const scheduleStarted = performance.now();
    const { ids, dueById } = await insertAndSchedule(dues, (i) => ctx.scenario * options.burst + i);
    const scheduleMs = performance.now() - scheduleStarted;
    const slackMs = t0 - Date.now();
    if (slackMs < 0) console.warn(`warning: scheduling the burst ended ${-slackMs} ms after its first due time; raise --lead`);
    for (const key of Object.keys(results)) delete results[key]; // count the burst only

    // Measure from T0 until every burst row left 'pending'.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 - Date.now())));
    // pg-pool closes connections idle for 10 s: how many the worker still holds when the burst starts.
    const driverPoolAtT0 = (dataSource.driver as unknown as { master: pg.Pool }).master;
    const connectionsAtT0 = driverPoolAtT0.totalCount;
    const cpu = new CpuWindow();
    // Per second: CPU of the machine, of this process, of the worker's backends; jobs in flight.
    const perSecondCpu: { machinePct?: number; nodePct: number; pgBefore?: Map<number, number>; pgAfter?: Map<number, number>; wall: number; inFlight: number }[] = [];
    let inFlightSum = 0;
    let inFlightSamples = 0;
    let lastSecond = { at: performance.now(), node: process.cpuUsage(), machine: machineCpu(), pg: processCpu('postgres') };
    const secondTimer = setInterval(() => {
      const now = { at: performance.now(), node: process.cpuUsage(), machine: machineCpu(), pg: processCpu('postgres') };
      const wall = now.at - lastSecond.at;
      const nodeMs = (now.node.user + now.node.system - lastSecond.node.user - lastSecond.node.system) / 1000;
      perSecondCpu.push({
        machinePct: now.machine && lastSecond.machine ? (100 * (now.machine.busy - lastSecond.machine.busy)) / (now.machine.total - lastSecond.machine.total) : undefined,
        nodePct: (100 * nodeMs) / wall,
        pgBefore: lastSecond.pg,
        pgAfter: now.pg,
        wall,
        inFlight: inFlightSum / (inFlightSamples || 1),
      });
      inFlightSum = 0;
      inFlightSamples = 0;
      lastSecond = now;
    }, 1000);
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const redisBefore = await redisCommandStats(redis);
    ctx.profile?.reset();
    ctx.profile?.install();
    const driverPool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    let poolSamples = 0;
    let poolWaitingSum = 0;
    let poolWaitingMax = 0;
    const poolTimer = setInterval(() => {
      inFlightSum += inFlight;
      inFlightSamples += 1;
      poolSamples += 1;
      poolWaitingSum += driverPool.waitingCount;
      poolWaitingMax = Math.max(poolWaitingMax, driverPool.waitingCount);
    }, 50);
    const left = await waitUntilFired(ids, t0 + (rate > 0 ? options.burst / rate : 0) * 1000 + 180_000);
    clearInterval(poolTimer);
    clearInterval(secondTimer);
    if (ctx.profile) ctx.profile.uninstall();
    loop.disable();
    const ownPids = await applicationBackends(db);
    const cpuUsed = cpu.stop(ownPids);
    const connectionsAtEnd = driverPool.totalCount;
    const redisAfter = await redisCommandStats(redis);
    unsubscribe();
    handler.handle = original;
    if (left > 0) console.warn(`warning: ${left} burst rows still pending when the wait ended`);

    const rows = (
      await db.query<{ id: string; status: string; late_ms: number | null; fired_ms: string | null }>(
        `SELECT id, status, extract(epoch FROM fired_at - due_at) * 1000 AS late_ms, (extract(epoch FROM fired_at) * 1000)::bigint AS fired_ms
           FROM deadlines WHERE id = ANY($1::bigint[])`,
        [ids],
      )
    ).rows;
    const fired = rows.filter((r) => r.status === 'fired');
    const notFired: Record<string, number> = {};
    for (const r of rows) if (r.status !== 'fired') notFired[r.status] = (notFired[r.status] ?? 0) + 1;
    const lateness = distribution(fired.map((r) => Number(r.late_ms)));
    const firedTimes = fired.map((r) => Number(r.fired_ms));
    const lastFired = Math.max(...firedTimes);
    const windowS = (lastFired - t0) / 1000;
    const perSecond = new Map<number, number>();
    for (const t of firedTimes) perSecond.set(Math.floor((t - t0) / 1000), (perSecond.get(Math.floor((t - t0) / 1000)) ?? 0) + 1);
    const timeline: BurstResult['timeline'] = [];
    const lateBySecond = new Map<number, number[]>();
    for (const r of fired) {
      const s = Math.floor((Number(r.fired_ms) - t0) / 1000);
      lateBySecond.set(s, [...(lateBySecond.get(s) ?? []), Number(r.late_ms)]);
    }
    const duePerSecond = new Map<number, number>();
    for (const d of dues) duePerSecond.set(Math.floor((d.getTime() - t0) / 1000), (duePerSecond.get(Math.floor((d.getTime() - t0) / 1000)) ?? 0) + 1);
    const fireBySecond = new Map<number, number[]>();
    for (const id of ids) {
      if (!pickedUp.has(id)) continue;
      const s = Math.floor((pickedUp.get(id)! - t0) / 1000);
      fireBySecond.set(s, [...(fireBySecond.get(s) ?? []), handled.get(id)! - pickedUp.get(id)!]);
    }
    for (let s = 0; s <= Math.floor(windowS); s++) {
      timeline.push({
        second: s,
        due: duePerSecond.get(s) ?? 0,
        fired: perSecond.get(s) ?? 0,
        p99: distribution(lateBySecond.get(s) ?? []).p99,
        machinePct: perSecondCpu[s]?.machinePct,
        nodePct: perSecondCpu[s]?.nodePct,
        pgPct: (() => {
          const c = perSecondCpu[s];
          if (!c?.pgBefore || !c.pgAfter) return undefined;
          return (100 * ownPids.reduce((a, pid) => a + (c.pgAfter!.get(pid) ?? 0) - (c.pgBefore!.get(pid) ?? 0), 0)) / c.wall;
        })(),
        inFlight: perSecondCpu[s]?.inFlight,
        fireP50: distribution(fireBySecond.get(s) ?? []).p50,
      });
    }
    const redisCalls = [...redisAfter.entries()]
      .map(([k, v]) => [k, v - (redisBefore.get(k) ?? 0)] as [string, number])
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]);
    return {
      workerConcurrency,
      rate,
      burst: ids.length,
      fired: fired.length,
      notFired,
      results,
      scheduleMs,
      slackMs,
      lateness,
      pickup: distribution(ids.filter((id) => pickedUp.has(id)).map((id) => pickedUp.get(id)! - dueById.get(id)!)),
      fireMs: distribution(ids.filter((id) => handled.has(id)).map((id) => handled.get(id)! - pickedUp.get(id)!)),
      completion: distribution(ids.filter((id) => completedAt.has(id)).map((id) => completedAt.get(id)! - dueById.get(id)!)),
      windowS,
      achieved: fired.length / windowS,
      peakPerSecond: Math.max(...perSecond.values()),
      cpu: cpuUsed,
      poolMax: (driverPool as unknown as { options: { max: number } }).options.max,
      connectionsAtT0,
      connectionsAtEnd,
      // The histogram records whole timer intervals: what exceeds the interval is the delay.
      loopDelay: {
        p50: Math.max(0, loop.percentile(50) / 1e6 - LOOP_RESOLUTION_MS),
        p99: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
        max: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
      },
      poolWaitingMax,
      poolWaitingMean: poolWaitingSum / (poolSamples || 1),
      redisCalls,
      profile: ctx.profile?.entries(),
      timeline,
      bootMs,
      warmupSeconds,
    };
  } finally {
    await app.close();
  }
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions();
  const base = loadAppConfig();
  if (base.nodeEnv === 'production') throw new Error('Refusing to run the benchmark with NODE_ENV=production');
  const url = new URL(base.databaseUrl);
  url.pathname = `/fupin_flow_bench_${process.pid}`;
  const databaseUrl = url.toString();
  const prefix = `fupin-bench-${process.pid}`;
  // Read by WorkerModule's config provider, at each boot.
  process.env.DATABASE_URL = databaseUrl;
  process.env.BULLMQ_PREFIX = prefix;
  const config = loadAppConfig();
  const horizonMs = config.delivery.deadlineHorizonMs;
  const runStarted = performance.now();
  const phases: [string, number][] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    phases.push([name, (performance.now() - t) / 1000]);
    return result;
  };

  let app: INestApplicationContext | undefined;
  let db: pg.Pool | undefined;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'fupin-bench-deadlines' });
  let interrupted = false;
  const cleanRedis = async () => {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  };
  const onSignal = () => {
    interrupted = true;
    console.error('\nInterrupted: dropping the benchmark database and Redis keys…');
    void Promise.allSettled([app?.close(), db?.end()])
      .then(() => Promise.allSettled([dropDatabase(databaseUrl), cleanRedis()]))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const profile = options.profile ? new QueryProfile() : undefined;
  try {
    await phase('create + migrate database', () => ensureDatabase(config));
    db = new pg.Pool({ connectionString: databaseUrl, max: Math.max(options.concurrency, 2), application_name: BENCH_APPLICATION_NAME });
    // An idle client whose backend goes away (the database is dropped at the end) must not crash the run.
    db.on('error', (error) => console.warn(`benchmark pool: ${error.message}`));
    db.on('connect', (client) => profile?.excluded.add(client));
    const [{ server_version: serverVersion }] = (await db.query('SHOW server_version')).rows;
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    // Redis times out blocking commands (BullMQ's wait for the next delayed job) on its hz timer.
    const redisHz = ((await redis.config('GET', 'hz').catch(() => [])) as string[])[1] ?? '?';

    const cpuList = cpus();
    console.log(`fupin-flow bench:deadlines — ${new Date().toISOString()}`);
    console.log(
      `node ${process.version} · ${availableParallelism()} CPUs (${cpuList[0]?.model.trim() ?? '?'}) · ${mb(totalmem())} MB RAM · PostgreSQL ${serverVersion} · Redis ${redisVersion} (hz ${redisHz}) · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    );
    console.log(
      `pending ${int(options.pending)} (${int(options.sample)} written action-style, ~${int(options.near)} due within the ${horizonMs / HOUR_MS} h horizon) · ` +
        `${int(options.cases)} cases · burst ${int(options.burst)} at ${options.rates.map((r) => (r > 0 ? `${r}/s` : 'one instant')).join(', ')} · ` +
        `worker concurrency ${options.workerConcurrency.join(', ')} · database ${url.pathname.slice(1)} · BullMQ prefix ${prefix}`,
    );

    // The measuring context: WorkerModule with its periodic tasks parked, so that the passes
    // below are the only ones (its start-up passes run on the empty table).
    process.env.SCHEDULER_INTERVAL_MS = PARKED_INTERVAL_MS;
    process.env.RECONCILE_INTERVAL_MS = PARKED_INTERVAL_MS;
    app = await phase('boot WorkerModule (timers parked)', () => NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] }));
    const scheduler = app.get(DeadlineSchedulerService, { strict: false });
    const reconciler = app.get(DeadlineReconcilerService, { strict: false });
    await Promise.all([scheduler.runNow(), reconciler.runNow()]);
    const dataSource = app.get(DataSource);
    await seedDemoUsers(dataSource);

    // 1. Data
    const now = new Date();
    const fixture = await phase(`create ${int(options.cases)} cases`, () => createCases(db!, app!, options.cases, now));
    const bulkRows = options.pending - options.sample;
    const bulkStarted = performance.now();
    const bulkCpu = new CpuWindow();
    let lastReport = 0;
    const nearRows = await phase(`bulk load ${int(bulkRows)} rows`, () =>
      bulkLoad(db!, fixture, bulkRows, options.near, horizonMs, now, (done) => {
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          console.log(`  bulk load: ${int(done)} rows, ${f((performance.now() - bulkStarted) / 1000)} s`);
        }
      }),
    );
    const bulkSeconds = (performance.now() - bulkStarted) / 1000;
    const bulkUsage = bulkCpu.stop();
    const analyzeSeconds = await phase('ANALYZE', async () => {
      const t = performance.now();
      await db!.query('ANALYZE deadlines; ANALYZE cases; ANALYZE tasks; ANALYZE case_history');
      return (performance.now() - t) / 1000;
    });

    // The action-style sample: the 5 timers of one visit per statement, planned by DeadlinesService.
    const deadlinesService = app.get(DeadlinesService, { strict: false });
    const statements = options.sample / 5;
    const planned: DeadlineWrites[] = [];
    const planStarted = performance.now();
    for (let i = 0; i < statements; i++) {
      const startedAt = new Date(now.getTime() + (i % 600) * 1000);
      planned.push(await deadlinesService.plan(dataSource.manager, fixture.caseIds[i % fixture.caseIds.length], [{ ...fixture.startDeadline, startedAt: startedAt.toISOString() }], startedAt));
    }
    const planMicros = ((performance.now() - planStarted) * 1000) / Math.max(1, statements);
    if (statements > 0 && planned[0].starts.length !== 5) throw new Error(`a ${STEP} visit plans ${planned[0].starts.length} timers, expected 5`);
    const params = planned.map((p, i) => [fixture.caseIds[i % fixture.caseIds.length], JSON.stringify(p.starts)]);
    const sampleLatencies: number[] = [];
    const sampleCpu = new CpuWindow();
    await phase(`action-style sample ${int(options.sample)} rows`, () =>
      pool(statements, options.concurrency, async (i) => {
        const t = performance.now();
        const result = await db!.query(ACTION_DEADLINE_INSERT, params[i]);
        sampleLatencies.push(performance.now() - t);
        if (result.rowCount !== 5) throw new Error(`action-style insert wrote ${result.rowCount} rows`);
      }),
    );
    const sampleUsage = sampleCpu.stop();
    const sampleStats = distribution(sampleLatencies);
    const [counts] = (
      await db.query(
        `SELECT count(*)::int AS pending, count(*) FILTER (WHERE due_at <= $1)::int AS near, pg_total_relation_size('deadlines') AS bytes,
                pg_relation_size('idx_deadlines_pending_due_at') AS due_idx, pg_relation_size('idx_deadlines_case_step') AS case_idx
           FROM deadlines WHERE status = 'pending'`,
        [new Date(Date.now() + horizonMs)],
      )
    ).rows;

    console.log('\n## 1. Scheduling rate (pending rows written)');
    const w1 = [44, 10, 8, 10, 14, 16];
    console.log(row(['how', 'rows', 'seconds', 'rows/s', 'statements/s', 'p50 / p99 ms'], w1));
    console.log(row([`bulk INSERT … SELECT generate_series (100k/stmt)`, int(bulkRows), f(bulkSeconds, 1), int(Math.round(bulkRows / bulkSeconds)), '-', '-'], w1));
    console.log(
      row(
        [`action-style (5 rows/stmt, C=${options.concurrency})`, int(options.sample), f(sampleUsage.wallMs / 1000, 1), int(Math.round(options.sample / (sampleUsage.wallMs / 1000))), f(statements / (sampleUsage.wallMs / 1000), 0), `${f(sampleStats.p50, 2)} / ${f(sampleStats.p99, 2)}`],
        w1,
      ),
    );
    console.log(
      `  bulk: node ${f(bulkUsage.nodeMs / 1000)} s, pg ${f((bulkUsage.pgMs ?? NaN) / 1000)} s CPU; ANALYZE ${f(analyzeSeconds, 1)} s · ` +
        `action-style: pg CPU ${f((sampleUsage.pgMs ?? NaN) / statements, 3)} ms and node CPU ${f(sampleUsage.nodeMs / statements, 3)} ms per statement; ` +
        `DeadlinesService.plan() ${f(planMicros, 0)} µs per visit (before the clock)`,
    );
    console.log(
      `  table now: ${int(counts.pending)} pending rows, ${int(counts.near)} due within the horizon; deadlines ${mb(Number(counts.bytes))} MB with indexes ` +
        `(idx_deadlines_pending_due_at ${mb(Number(counts.due_idx))} MB, idx_deadlines_case_step ${mb(Number(counts.case_idx))} MB); near rows from the bulk load ${int(nearRows)}`,
    );

    // 2. One scheduler pass and one reconciler pass over the table, then an idle scheduler tick.
    const redisMemBefore = await redisUsedMemory(redis);
    const schedCpu = new CpuWindow();
    const sched = await phase('scheduler pass', () => withMemory(() => scheduler.enqueueDue()));
    const schedUsage = schedCpu.stop();
    const redisMemAfter = await redisUsedMemory(redis);
    const idleCpu = new CpuWindow();
    const idle = await scheduler.enqueueDue();
    const idleUsage = idleCpu.stop();
    const recCpu = new CpuWindow();
    const rec = await phase('reconciler pass', () => withMemory<ReconcileReport>(() => reconciler.reconcile()));
    const recUsage = recCpu.stop();
    let explain: string[] = [];
    if (options.profile) {
      const horizon = new Date(Date.now() + horizonMs);
      const plan = async (sql: string, values: unknown[]) =>
        (await db!.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, values)).rows.map((r) => `    ${r['QUERY PLAN']}`);
      explain = [
        '  scheduler batch query (nothing left to enqueue):',
        ...(await plan(
          `SELECT id, generation, due_at FROM deadlines WHERE status = 'pending' AND due_at <= $1 AND enqueued_generation IS DISTINCT FROM generation ORDER BY due_at LIMIT 1000`,
          [horizon],
        )),
      ];
      // A copy of the reconciler's batch query (keyset on due_at, id as in the working tree
      // of 2026-11-28 18:00Z): the first batch and one from the middle of the horizon.
      const reconcileSql = `SELECT id, generation, due_at, due_at::text AS due_key FROM deadlines
          WHERE status = 'pending' AND due_at <= $1 AND due_at >= $2::timestamptz AND (due_at, id) > ($2::timestamptz, $3::bigint)
            AND enqueued_generation = generation
          ORDER BY due_at, id LIMIT 1000`;
      const [middle] = (
        await db.query(
          `SELECT due_at::text AS due_key, id FROM deadlines WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id OFFSET (SELECT count(*) / 2 FROM deadlines WHERE status = 'pending' AND due_at <= $1) LIMIT 1`,
          [horizon],
        )
      ).rows;
      explain.push('  reconciler batch query (first batch):', ...(await plan(reconcileSql, [horizon, '-infinity', '0'])));
      if (middle) explain.push('  reconciler batch query (a batch from the middle):', ...(await plan(reconcileSql, [horizon, middle.due_key, String(middle.id)])));
    }
    await app.close();
    app = undefined;

    console.log(`\n## 2. Scheduler and reconciler over ${int(counts.pending)} pending rows (${int(counts.near)} within the horizon)`);
    const w2 = [34, 9, 9, 10, 10, 18, 18];
    console.log(row(['pass', 'rows', 'seconds', 'node CPU s', 'pg CPU s', 'RSS MB base→peak', 'heap MB base→peak'], w2));
    console.log(
      row(
        ['scheduler (enqueueDue)', `${int(sched.result)} jobs`, f(schedUsage.wallMs / 1000, 2), f(schedUsage.nodeMs / 1000, 2), f((schedUsage.pgMs ?? NaN) / 1000, 2), `${mb(sched.baseRss)} → ${mb(sched.peakRss)}`, `${mb(sched.baseHeap)} → ${mb(sched.peakHeap)}`],
        w2,
      ),
    );
    console.log(row(['scheduler again (nothing to do)', `${int(idle)} jobs`, f(idleUsage.wallMs / 1000, 3), f(idleUsage.nodeMs / 1000, 3), f((idleUsage.pgMs ?? NaN) / 1000, 3), '', ''], w2));
    console.log(
      row(
        ['reconciler (reconcile)', `${int(rec.result.checked)} chk`, f(recUsage.wallMs / 1000, 2), f(recUsage.nodeMs / 1000, 2), f((recUsage.pgMs ?? NaN) / 1000, 2), `${mb(rec.baseRss)} → ${mb(rec.peakRss)}`, `${mb(rec.baseHeap)} → ${mb(rec.peakHeap)}`],
        w2,
      ),
    );
    console.log(
      `  scheduler: ${f(sched.result / (schedUsage.wallMs / 1000), 0)} jobs/s, Redis CPU ${f((schedUsage.redisMs ?? NaN) / 1000, 2)} s, Redis used_memory +${mb(redisMemAfter - redisMemBefore)} MB ` +
        `(${f((redisMemAfter - redisMemBefore) / Math.max(1, sched.result), 0)} bytes per delayed job) · reconciler: ${rec.result.missing} missing, ${rec.result.failed} failed, ${rec.result.promoted} promoted, ` +
        `${f(rec.result.checked / (recUsage.wallMs / 1000), 0)} rows/s, Redis CPU ${f((recUsage.redisMs ?? NaN) / 1000, 2)} s`,
    );
    for (const line of explain) console.log(line);

    // 3. Lateness under a burst
    const bursts: BurstResult[] = [];
    let scenario = 0;
    for (const workerConcurrency of options.workerConcurrency) {
      for (const rate of options.rates) {
        if (interrupted) break;
        const result = await phase(`burst C=${workerConcurrency} rate=${rate}`, () => burstRun(options, { db: db!, fixture, redis, scenario, workerConcurrency, rate, profile }));
        scenario += 1;
        bursts.push(result);
      }
    }

    console.log(`\n## 3. Lateness: ${int(options.burst)} deadlines due in the same minute, ${int(counts.pending)} other rows pending`);
    const w3 = [13, 9, 7, 6, 10, 7, 7, 7, 7, 9, 12, 11];
    console.log(row(['worker C/pool', 'offered/s', 'fired', 'other', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'node CPU%', 'machine CPU%', 'pg ms/fire*'], w3));
    for (const b of bursts) {
      console.log(
        row(
          [
            `${b.workerConcurrency}/${b.poolMax}`,
            b.rate > 0 ? b.rate : 'instant',
            int(b.fired),
            Object.entries(b.notFired).map(([k, v]) => `${v} ${k}`).join(' ') || '0',
            f(b.achieved, 0),
            f(b.lateness.p50, 0),
            f(b.lateness.p90, 0),
            f(b.lateness.p99, 0),
            f(b.lateness.max, 0),
            f((100 * b.cpu.nodeMs) / b.cpu.wallMs, 0),
            f((100 * (b.cpu.machineBusyMs ?? NaN)) / (b.cpu.wallMs * availableParallelism()), 0),
            f((b.cpu.pgOwnMs ?? NaN) / b.fired, 2),
          ],
          w3,
        ),
      );
    }
    console.log(
      '  achieved = fired ÷ (last fired_at − first due_at); machine CPU% = busy time of all cores (/proc/stat), other sessions included; ' +
        '* CPU of the worker\'s own backends on the benchmark database',
    );
    for (const b of bursts) {
      // Met when every row of a burst offered at ≥ 1000/s fired, with p99 lateness under 1 s
      // (then the rate was sustained: the last row fired less than a second after its due time).
      const goal = b.rate >= 1000 && b.fired === b.burst && b.lateness.p99 < 1000;
      console.log(`\n  C=${b.workerConcurrency}, ${b.rate > 0 ? `${b.rate}/s` : 'all at one instant'}: ${b.fired} fired over ${f(b.windowS, 1)} s after the first due time (peak ${b.peakPerSecond}/s); handler results ${JSON.stringify(b.results)}`);
      console.log(
        `    lateness fired_at − due_at: min ${f(b.lateness.min, 0)} · p50 ${f(b.lateness.p50, 0)} · p90 ${f(b.lateness.p90, 0)} · p99 ${f(b.lateness.p99, 0)} · max ${f(b.lateness.max, 0)} ms` +
          (b.rate > 0 ? ` → goal (p99 < 1 s at 1000 firings/s): ${goal ? 'met' : 'NOT met'}` : ''),
      );
      console.log(
        `    BullMQ hands the job over (− due_at): p50 ${f(b.pickup.p50, 0)} · p99 ${f(b.pickup.p99, 0)} ms; fire() + handler: p50 ${f(b.fireMs.p50, 1)} · p99 ${f(b.fireMs.p99, 1)} ms; ` +
          `job completed (− due_at): p50 ${f(b.completion.p50, 0)} · p99 ${f(b.completion.p99, 0)} ms`,
      );
      console.log(
        `    CPU over ${f(b.cpu.wallMs / 1000, 1)} s: node ${f(b.cpu.nodeMs / 1000, 1)} s (${f((100 * b.cpu.nodeMs) / b.cpu.wallMs, 0)} % of one core; ${f(b.cpu.nodeMs / b.fired, 2)} ms/fire), ` +
          `the worker's postgres backends ${f((b.cpu.pgOwnMs ?? NaN) / 1000, 1)} s (${f((b.cpu.pgOwnMs ?? NaN) / b.fired, 2)} ms/fire; all postgres processes ${f((b.cpu.pgMs ?? NaN) / 1000, 1)} s), ` +
          `redis ${f((b.cpu.redisMs ?? NaN) / 1000, 1)} s (${f((b.cpu.redisMs ?? NaN) / b.fired, 2)} ms/fire); ` +
          `whole machine busy ${f((b.cpu.machineBusyMs ?? NaN) / 1000, 1)} s of ${f((b.cpu.wallMs * availableParallelism()) / 1000, 1)} s ` +
          `(other processes ${f(((b.cpu.machineBusyMs ?? NaN) - b.cpu.nodeMs - (b.cpu.pgMs ?? NaN) - (b.cpu.redisMs ?? NaN)) / 1000, 1)} s); ` +
          `event-loop delay p50 ${f(b.loopDelay.p50, 1)} / p99 ${f(b.loopDelay.p99, 1)} / max ${f(b.loopDelay.max, 0)} ms; TypeORM pool waiters mean ${f(b.poolWaitingMean, 1)}, max ${b.poolWaitingMax}; ` +
          `pool connections open at the first due time ${b.connectionsAtT0}, at the end ${b.connectionsAtEnd}`,
      );
      console.log(
        `    scheduling the burst: ${f(b.scheduleMs / 1000, 2)} s (insert + scheduler pass), ${f(b.slackMs / 1000, 1)} s before the first due time; ` +
          `worker context boot + start-up passes ${f(b.bootMs / 1000, 1)} s; warm-up (${options.warmup} firings) ${f(b.warmupSeconds, 1)} s`,
      );
      console.log(`    Redis calls per firing (whole server): ${b.redisCalls.slice(0, 6).map(([k, v]) => `${k} ${f(v / b.fired, 2)}`).join(', ')}`);
      if (b.profile) {
        const total = b.profile.reduce((a, [, v]) => a + v.count, 0);
        const totalMs = b.profile.reduce((a, [, v]) => a + v.ms, 0);
        console.log(`    SQL per firing (--profile; includes the periodic tasks): ${f(total / b.fired, 2)} statements, ${f(totalMs / b.fired, 2)} ms wall`);
        for (const [kind, v] of b.profile) console.log(`      ${kind.slice(0, 52).padEnd(52)} ${f(v.count / b.fired, 2).padStart(6)}/fire ${f(v.ms / v.count, 2).padStart(7)} ms mean`);
      }
      const step = Math.max(1, Math.ceil(b.timeline.length / 30));
      const wt = [7, 6, 6, 12, 9, 6, 6, 10, 11];
      console.log(`    timeline from the first due time (${step} s buckets; CPU in % of one core, machine in % of all cores):`);
      console.log(`      ${row(['second', 'due', 'fired', 'p99 late ms', 'machine%', 'node%', 'pg%', 'in flight', 'fire() p50'], wt)}`);
      for (let s = 0; s < b.timeline.length; s += step) {
        const slice = b.timeline.slice(s, s + step);
        const mean = (pick: (t: TimelineSecond) => number | undefined) => {
          const values = slice.map(pick).filter((v): v is number => v !== undefined && !Number.isNaN(v));
          return values.length ? values.reduce((a, v) => a + v, 0) / values.length : NaN;
        };
        console.log(
          `      ${row(
            [
              s,
              slice.reduce((a, t) => a + t.due, 0),
              slice.reduce((a, t) => a + t.fired, 0),
              f(Math.max(...slice.map((t) => (Number.isNaN(t.p99) ? 0 : t.p99))), 0),
              f(mean((t) => t.machinePct), 0),
              f(mean((t) => t.nodePct), 0),
              f(mean((t) => t.pgPct), 0),
              f(mean((t) => t.inFlight), 1),
              f(mean((t) => t.fireP50), 0),
            ],
            wt,
          )}`,
        );
      }
    }

    console.log(`\nphases: ${phases.map(([n, s]) => `${n} ${f(s, 1)} s`).join(' · ')}`);
    console.log(`total ${f((performance.now() - runStarted) / 1000, 0)} s`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await app?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    if (!interrupted) {
      await dropDatabase(databaseUrl);
      const removed = await cleanRedis();
      console.log(`cleaned up: database ${url.pathname.slice(1)} dropped, ${removed} Redis keys under ${prefix}: removed`);
    }
    await redis.quit().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
