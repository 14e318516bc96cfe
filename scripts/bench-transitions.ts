/**
 * `npm run bench:transitions [-- --cases 1000 --concurrency 8 | 1,4,8 --warmup 200 --profile]`
 *
 * How many case actions per second the engine path sustains — CasesService.act exactly as
 * the API calls it: one transaction with the conditional version update, the chained
 * history row and whatever rows the effects ask for — next to a pgbench-style ceiling:
 * per transition BEGIN; the conditional UPDATE of the case; the history INSERT; one task
 * upsert; COMMIT, issued directly with `pg`, every parameter (snapshot JSON, history hash)
 * computed before the clock starts, against case rows inserted beforehand.
 *
 * --profile adds SQL wall time by statement kind (a wrapper around pg.Client#query) and a
 * microbenchmark of the pure engine functions; --cpu-prof <prefix> writes V8 CPU profiles
 * of the measured runs only. Both perturb the figures: take throughput from plain runs.
 *
 * It creates, migrates and finally drops its own database (fupin_flow_bench_<pid>) on the
 * server of DATABASE_URL, boots the Nest application context (no HTTP) against it and
 * seeds the demo users. Counting: "transitions" are the five actions of a case
 * (submit, submit, record, approve, approve); the `start` of each case is counted and
 * reported on its own row — its time is inside the engine run's wall clock.
 */
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpuSince, f, percentile, pool, processCpu, row } from './bench-support.js';
import inspector from 'node:inspector';
import { cpus, loadavg, availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { toAuthUser, type AuthUser } from '../src/auth/auth-user.js';
import { CasesService, toActor, type CaseView } from '../src/cases/cases.service.js';
import { canonicalJson, GENESIS_HASH, hashEvent } from '../src/cases/history-chain.js';
import { loadAppConfig } from '../src/config/app-config.js';
import {
  CITY_APPROVAL,
  COUNTY_APPROVAL,
  ELIGIBLE_PROPOSAL,
  HOUSEHOLD,
  PASSING_APPRAISAL,
  SUPPORT_PLAN,
} from '../src/database/demo-payloads.js';
import { dropDatabase, ensureDatabase } from '../src/database/ensure-database.js';
import { seedDemoUsers } from '../src/database/seed-demo.js';
import { DefinitionsService, type PublishedDefinition } from '../src/definitions/definitions.service.js';
import { activeSteps, applyAction, availableActions, startCase, type PersistedCaseSnapshot } from '../src/engine/case-transition.js';
import type { Effect } from '../src/engine/effects.js';
import { jurisdictionAt } from '../src/engine/jurisdiction-code.js';
import { UsersService } from '../src/org/users.service.js';

const WORKFLOW = 'poverty-entry';

/** The path every benchmark case takes: propose → support → appraisal → county → city → notice. */
const PLAN: { user: 'officer' | 'reviewer' | 'approver'; action: string; data: Record<string, unknown> }[] = [
  { user: 'officer', action: 'submit', data: ELIGIBLE_PROPOSAL },
  { user: 'officer', action: 'submit', data: SUPPORT_PLAN },
  { user: 'officer', action: 'record', data: PASSING_APPRAISAL },
  { user: 'reviewer', action: 'approve', data: COUNTY_APPROVAL },
  { user: 'approver', action: 'approve', data: CITY_APPROVAL },
];
const FINAL_STEP = 'publicNotice';

interface Options {
  cases: number;
  concurrency: number[];
  warmup: number;
  profile: boolean;
  /** Write V8 CPU profiles of the measured runs: <prefix>-engine-c8.cpuprofile, <prefix>-ceiling-c8.cpuprofile. */
  cpuProf?: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '200' },
      profile: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log('npm run bench:transitions -- [--cases 1000] [--concurrency 8 | 1,4,8] [--warmup 200] [--profile] [--cpu-prof <path prefix>]');
    process.exit(0);
  }
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got '${text}')`);
    return n;
  };
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be a non-negative integer (got '${values.warmup}')`);
  return {
    cases: positive('cases', values.cases!),
    concurrency: values.concurrency!.split(',').map((c) => positive('concurrency', c.trim())),
    warmup,
    profile: values.profile!,
    cpuProf: values['cpu-prof'],
  };
}

// ---------------------------------------------------------------------------------------
// Measurement helpers

interface Stats {
  transitions: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
}

function stats(latencies: number[], seconds: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return { transitions: sorted.length, seconds, perSecond: sorted.length / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean };
}

interface Measured<T> {
  result: T;
  seconds: number;
  nodeCpuMs: number;
  nodeSystemMs: number;
  postgresCpuMs?: number;
}

async function measured<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const pgBefore = processCpu('postgres');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, seconds, nodeCpuMs: (cpu.user + cpu.system) / 1000, nodeSystemMs: cpu.system / 1000, postgresCpuMs: cpuSince('postgres', pgBefore) };
}

/** --profile: wall time of every SQL statement by kind (from the call to its result). */
class QueryTimer {
  private readonly byKind = new Map<string, { count: number; ms: number }>();
  private original?: typeof pg.Client.prototype.query;

  install(): void {
    const original = pg.Client.prototype.query;
    this.original = original;
    const timer = this;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?');
      const started = performance.now();
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
          () => timer.record(text, performance.now() - started),
          () => timer.record(text, performance.now() - started),
        );
      }
      return result;
    } as typeof pg.Client.prototype.query;
  }

  uninstall(): void {
    if (this.original) pg.Client.prototype.query = this.original;
  }

  reset(): void {
    this.byKind.clear();
  }

  private record(text: string, ms: number): void {
    const kind = QueryTimer.kind(text);
    const entry = this.byKind.get(kind) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    this.byKind.set(kind, entry);
  }

  static kind(text: string): string {
    const sql = text.replace(/\s+/g, ' ').trim();
    const table = /^(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/i.exec(sql)?.[1] ?? /\bFROM\s+(\w+)/i.exec(sql)?.[1];
    const verb = sql.split(' ')[0].toUpperCase();
    if (/^SELECT c\.id, c\.definition_id/.test(sql)) return 'SELECT case row (+ last history row)';
    if (verb === 'START' || verb === 'BEGIN' || verb === 'COMMIT' || verb === 'ROLLBACK') return verb === 'START' ? 'START TRANSACTION' : verb;
    return `${verb} ${table ?? ''}`.trim();
  }

  entries(): [string, { count: number; ms: number }][] {
    return [...this.byKind.entries()].sort((a, b) => b[1].ms - a[1].ms);
  }
}

/** --cpu-prof: a V8 CPU profile of one measured run only (not boot, seeding or the ceiling). */
async function cpuProfiled<T>(path: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!path) return work();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile written to ${path}`);
  }
}

// ---------------------------------------------------------------------------------------
// The engine run: CasesService exactly as the API calls it

interface BenchUsers {
  officer: AuthUser;
  reviewer: AuthUser;
  approver: AuthUser;
}

interface EngineResult {
  acts: number[];
  starts: number[];
}

async function engineRun(cases: CasesService, users: BenchUsers, count: number, concurrency: number): Promise<EngineResult> {
  const acts: number[] = [];
  const starts: number[] = [];
  await pool(count, concurrency, async () => {
    let t0 = performance.now();
    let view: CaseView = await cases.start(users.officer, { workflow: WORKFLOW, data: HOUSEHOLD });
    starts.push(performance.now() - t0);
    for (const step of PLAN) {
      t0 = performance.now();
      view = await cases.act(users[step.user], view.id, { action: step.action, data: step.data, expectedVersion: view.version });
      acts.push(performance.now() - t0);
    }
    if (view.currentSteps.map((s) => s.key).join() !== FINAL_STEP || view.version !== PLAN.length) {
      throw new Error(`case ${view.id} ended in ${view.currentSteps.map((s) => s.key).join()} at version ${view.version}`);
    }
  });
  return { acts, starts };
}

// ---------------------------------------------------------------------------------------
// The ceiling: the same writes with pg directly, every parameter prepared in advance

interface TemplateTransition {
  action: string;
  actorRecord: { kind: string; id: string | null; username: string | null; roles: string[] };
  actorJson: string;
  actorId: string;
  snapshotJson: string;
  dataJson: string;
  status: string;
  payload: unknown;
  payloadJson: string;
  taskSql: string;
  /** Task parameters after $1 (case id). */
  taskParams: unknown[];
}

interface Template {
  start: { snapshotJson: string; dataJson: string; status: string; payloadJson: string; payload: unknown; openTasks: Effect[] };
  transitions: TemplateTransition[];
  snapshotBytes: number[];
  now: Date;
  jurisdiction: string;
}

/**
 * One case of the benchmark path computed with the pure engine: the snapshots, events and
 * effects the engine produces, so the ceiling writes rows of the same shape and size.
 */
function buildTemplate(published: PublishedDefinition, users: BenchUsers, now: Date): Template {
  const { compiled } = published;
  const jurisdiction = users.officer.jurisdictionCode;
  const caseInput = { data: HOUSEHOLD, jurisdiction, now };
  const started = startCase(compiled, caseInput);
  let snapshot: PersistedCaseSnapshot = started.snapshot;
  const snapshotBytes = [Buffer.byteLength(JSON.stringify(snapshot))];
  const transitions: TemplateTransition[] = [];
  const iso = now.toISOString();
  for (const step of PLAN) {
    const user = users[step.user];
    const actor = toActor(user);
    const result = applyAction(compiled, snapshot, { action: step.action, input: step.data, actor, now });
    snapshot = result.snapshot;
    snapshotBytes.push(Buffer.byteLength(JSON.stringify(snapshot)));
    const payload = JSON.parse(JSON.stringify(result.event));
    // The task writes of the transition as one upsert: closing rows conflict with the open
    // row of the step being left (→ DO UPDATE), opening rows are new (→ INSERT).
    const rows: unknown[][] = [];
    for (const effect of result.effects) {
      if (effect.type === 'closeTask') {
        rows.push([effect.step, effect.entry, '-', '-', jurisdiction, 'completed', iso, iso, user.id, effect.outcome]);
      } else if (effect.type === 'openTask') {
        rows.push([effect.step, effect.entry, effect.role, effect.level, jurisdictionAt(jurisdiction, effect.level), 'open', iso, null, null, null]);
      }
    }
    if (rows.length === 0) throw new Error(`${step.action}: the engine opened and closed no task`);
    const values = rows.map((row, r) => `($1, ${row.map((_, c) => `$${2 + r * row.length + c}`).join(', ')})`);
    const taskSql = `INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at, closed_at, closed_by, outcome)
      VALUES ${values.join(', ')}
      ON CONFLICT (case_id, step, step_entry) DO UPDATE
        SET status = EXCLUDED.status, closed_at = EXCLUDED.closed_at, closed_by = EXCLUDED.closed_by,
            outcome = EXCLUDED.outcome, assignee_id = coalesce(tasks.assignee_id, EXCLUDED.closed_by)`;
    transitions.push({
      action: step.action,
      actorRecord: { kind: actor.kind, id: actor.id, username: actor.username ?? null, roles: actor.roles },
      actorJson: JSON.stringify({ kind: actor.kind, id: actor.id, username: actor.username ?? null, roles: actor.roles }),
      actorId: user.id,
      snapshotJson: JSON.stringify(snapshot),
      dataJson: JSON.stringify(snapshot.context.data),
      status: result.status,
      payload,
      payloadJson: JSON.stringify(payload),
      taskSql,
      taskParams: rows.flat(),
    });
  }
  const startPayload = { ...caseInput, now: now.toISOString() };
  return {
    start: {
      snapshotJson: JSON.stringify(started.snapshot),
      dataJson: JSON.stringify(started.snapshot.context.data),
      status: started.status,
      payload: startPayload,
      payloadJson: JSON.stringify(startPayload),
      openTasks: started.effects.filter((e) => e.type === 'openTask'),
    },
    transitions,
    snapshotBytes,
    now,
    jurisdiction,
  };
}

interface CeilingCase {
  id: string;
  /** Hash of history row seq (index + 1): [start, t1, …, t5]. */
  hashes: string[];
}

/** Inserts `count` cases at their start (case row, history row 1, open task) in a few statements. */
async function prepareCeilingCases(db: pg.Pool, published: PublishedDefinition, template: Template, users: BenchUsers, count: number): Promise<CeilingCase[]> {
  const officer = toActor(users.officer);
  const startActor = { kind: officer.kind, id: officer.id, username: officer.username ?? null, roles: officer.roles };
  const prepared: CeilingCase[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const hashes = [
      hashEvent(
        { caseId: id, seq: 1, eventType: 'started', action: null, actorId: officer.id, actor: startActor, payload: template.start.payload, at: template.now },
        GENESIS_HASH,
      ),
    ];
    template.transitions.forEach((t, k) => {
      hashes.push(
        hashEvent({ caseId: id, seq: k + 2, eventType: 'action', action: t.action, actorId: t.actorId, actor: t.actorRecord, payload: t.payload, at: template.now }, hashes[k]),
      );
    });
    prepared.push({ id, hashes });
  }
  const open = template.start.openTasks as Extract<Effect, { type: 'openTask' }>[];
  for (let from = 0; from < count; from += 500) {
    const batch = prepared.slice(from, from + 500);
    const ids = batch.map((c) => c.id);
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO cases (id, workflow_key, workflow_version, definition_id, status, snapshot, data, title, jurisdiction_code, version, created_by, created_at, updated_at)
         SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11 FROM unnest($1::uuid[]) AS id`,
        [ids, published.key, published.version, published.id, template.start.status, template.start.snapshotJson, template.start.dataJson, HOUSEHOLD.householdName, template.jurisdiction, officer.id, template.now],
      );
      await client.query(
        `INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
         SELECT u.id, 1, 'started', NULL, $3, $4, $5, $6, $7, u.hash FROM unnest($1::uuid[], $2::text[]) AS u(id, hash)`,
        [ids, batch.map((c) => c.hashes[0]), officer.id, startActor, template.start.payloadJson, template.now, GENESIS_HASH],
      );
      for (const task of open) {
        await client.query(
          `INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at)
           SELECT id, $2, $3, $4, $5, $6, 'open', $7 FROM unnest($1::uuid[]) AS id`,
          [ids, task.step, task.entry, task.role, task.level, jurisdictionAt(template.jurisdiction, task.level), template.now],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  return prepared;
}

async function ceilingRun(db: pg.Pool, template: Template, prepared: CeilingCase[], concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  const at = template.now.toISOString();
  await pool(prepared.length, concurrency, async (index) => {
    const c = prepared[index];
    for (const [k, t] of template.transitions.entries()) {
      const t0 = performance.now();
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const updated = await client.query(
          `UPDATE cases SET snapshot = $3, data = $4, status = $5, version = version + 1, updated_at = $6
            WHERE id = $1 AND version = $2`,
          [c.id, k, t.snapshotJson, t.dataJson, t.status, at],
        );
        if (updated.rowCount !== 1) throw new Error(`ceiling: case ${c.id} is not at version ${k}`);
        await client.query(
          `INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
           VALUES ($1, $2, 'action', $3, $4, $5, $6, $7, $8, $9)`,
          [c.id, k + 2, t.action, t.actorId, t.actorJson, t.payloadJson, at, c.hashes[k], c.hashes[k + 1]],
        );
        await client.query(t.taskSql, [c.id, ...t.taskParams]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      latencies.push(performance.now() - t0);
    }
  });
  return latencies;
}

// ---------------------------------------------------------------------------------------
// Pure-engine costs (--profile): what the engine path spends outside PostgreSQL

function microbench(published: PublishedDefinition, users: BenchUsers, now: Date): [string, number][] {
  const { compiled } = published;
  const jurisdiction = users.officer.jurisdictionCode;
  const snapshots: PersistedCaseSnapshot[] = [startCase(compiled, { data: HOUSEHOLD, jurisdiction, now }).snapshot];
  const events: unknown[] = [];
  for (const step of PLAN) {
    const result = applyAction(compiled, snapshots.at(-1)!, { action: step.action, input: step.data, actor: toActor(users[step.user]), now });
    snapshots.push(result.snapshot);
    events.push(result.event);
  }
  const time = (rounds: number, fn: () => void): number => {
    for (let i = 0; i < Math.min(rounds, 200); i++) fn(); // warm up
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) fn();
    return (performance.now() - t0) / rounds;
  };
  const rounds = 400;
  const perTransition = (fn: (k: number) => void) => time(rounds, () => PLAN.forEach((_, k) => fn(k))) / PLAN.length;
  return [
    ['startCase', time(rounds, () => startCase(compiled, { data: HOUSEHOLD, jurisdiction, now }))],
    ['applyAction (restore + checks + xstate transition + persisted snapshot)', perTransition((k) =>
      applyAction(compiled, snapshots[k], { action: PLAN[k].action, input: PLAN[k].data, actor: toActor(users[PLAN[k].user]), now }))],
    ['availableActions + activeSteps (view)', perTransition((k) => {
      availableActions(compiled, snapshots[k + 1], toActor(users[PLAN[k].user]));
      activeSteps(compiled, snapshots[k + 1]);
    })],
    ['history hash (canonicalJson + sha256)', perTransition((k) =>
      hashEvent({ caseId: 'x', seq: k + 2, eventType: 'action', action: PLAN[k].action, actorId: 'x', actor: {}, payload: JSON.parse(JSON.stringify(events[k])), at: now }, GENESIS_HASH))],
    ['request hash (canonicalJson + sha256 of the command)', perTransition((k) =>
      createHash('sha256').update(canonicalJson({ id: 'x', action: PLAN[k].action, data: PLAN[k].data, expectedVersion: k })).digest('hex'))],
    ['JSON.stringify snapshot + data (pg parameters)', perTransition((k) => {
      JSON.stringify(snapshots[k + 1]);
      JSON.stringify(snapshots[k + 1].context.data);
    })],
  ];
}

// ---------------------------------------------------------------------------------------


async function main(): Promise<void> {
  const options = parseOptions();
  const base = loadAppConfig();
  if (base.nodeEnv === 'production') throw new Error('Refusing to run the benchmark with NODE_ENV=production');
  const url = new URL(base.databaseUrl);
  url.pathname = `/fupin_flow_bench_${process.pid}`;
  const databaseUrl = url.toString();
  process.env.DATABASE_URL = databaseUrl; // read by AppModule's config provider
  const config = loadAppConfig();

  let app: INestApplicationContext | undefined;
  let db: pg.Pool | undefined;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.error('\nInterrupted: dropping the benchmark database…');
    void Promise.allSettled([app?.close(), db?.end()])
      .then(() => dropDatabase(databaseUrl))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await ensureDatabase(config);
    app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
    const dataSource = app.get(DataSource);
    await seedDemoUsers(dataSource);
    const usersService = app.get(UsersService);
    const user = async (username: string) => {
      const found = await usersService.findByUsername(username);
      if (!found) throw new Error(`demo user ${username} is missing`);
      return toAuthUser(found);
    };
    const users: BenchUsers = { officer: await user('ts-officer'), reviewer: await user('ts-reviewer'), approver: await user('jm-approver') };
    const cases = app.get(CasesService);
    const published = await app.get(DefinitionsService).latest(WORKFLOW);
    const [{ server_version: serverVersion }] = await dataSource.query('SHOW server_version');
    const typeormPoolSize = (dataSource.options as { poolSize?: number }).poolSize ?? 10;
    const template = buildTemplate(published, users, new Date());

    const cpuList = cpus();
    console.log(`fupin-flow bench:transitions — ${new Date().toISOString()}`);
    console.log(`node ${process.version} · ${availableParallelism()} CPUs (${cpuList[0]?.model.trim() ?? '?'}) · PostgreSQL ${serverVersion} · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(
      `workflow ${WORKFLOW}@${published.version} · ${options.cases} cases × ${PLAN.length} actions (${PLAN.map((p) => p.action).join(' → ')}) · ` +
        `warm-up ${options.warmup} cases · snapshot JSON ${template.snapshotBytes[0]}–${Math.max(...template.snapshotBytes)} bytes · database ${url.pathname.slice(1)}`,
    );
    console.log('transitions = the 5 actions of each case; the start of each case is counted on its own row and its time is inside the engine wall clock.');

    const timer = new QueryTimer();
    const summaries: string[] = [];
    for (const concurrency of options.concurrency) {
      if (interrupted) break;
      if (concurrency > typeormPoolSize) console.warn(`note: concurrency ${concurrency} > TypeORM pool size ${typeormPoolSize}; the engine waits for connections`);
      await db?.end();
      db = new pg.Pool({ connectionString: databaseUrl, max: concurrency });

      // Warm-up (JIT, connection pools, plan caches), not measured.
      if (options.warmup > 0) {
        await engineRun(cases, users, options.warmup, concurrency);
        await ceilingRun(db, template, await prepareCeilingCases(db, published, template, users, options.warmup), concurrency);
      }
      await dataSource.query('CHECKPOINT').catch(() => undefined);

      const runStarted = Date.now();
      if (options.profile) timer.install();
      const cpuProfPath = (run: string) => (options.cpuProf ? `${options.cpuProf.replace(/\.cpuprofile$/, '')}-${run}-c${concurrency}.cpuprofile` : undefined);
      const engine = await measured(() => cpuProfiled(cpuProfPath('engine'), () => engineRun(cases, users, options.cases, concurrency)));
      if (options.profile) timer.uninstall();
      const engineQueries = timer.entries();
      timer.reset();

      const prepared = await prepareCeilingCases(db, published, template, users, options.cases);
      await dataSource.query('CHECKPOINT').catch(() => undefined);
      if (options.profile) timer.install();
      const ceiling = await measured(() => cpuProfiled(cpuProfPath('ceiling'), () => ceilingRun(db!, template, prepared, concurrency)));
      if (options.profile) timer.uninstall();
      const ceilingQueries = timer.entries();
      timer.reset();

      // Both runs must have left the same state behind: every case at version 5 in the notice
      // step with exactly one open task and six state-changing history rows (the engine's run
      // also records the county reviewer's 会签 vote beside them).
      const ceilingIds = prepared.map((p) => p.id);
      const [check] = await dataSource.query(
        `SELECT count(*) FILTER (WHERE NOT (c.id = ANY($1::uuid[])) AND c.created_at >= $2) AS engine_cases,
                count(*) FILTER (WHERE c.id = ANY($1::uuid[])) AS ceiling_cases,
                count(*) FILTER (WHERE c.version <> $3 OR (SELECT count(*) FROM case_history h WHERE h.case_id = c.id AND h.event_type IN ('started', 'action')) <> $3 + 1
                                   OR (SELECT count(*) FROM tasks t WHERE t.case_id = c.id AND t.status = 'open') <> 1
                                   OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = c.id AND t.status = 'open' AND t.step = $4)) AS wrong
           FROM cases c WHERE c.id = ANY($1::uuid[]) OR c.created_at >= $2`,
        [ceilingIds, new Date(runStarted), PLAN.length, FINAL_STEP],
      );
      if (Number(check.wrong) > 0 || Number(check.ceiling_cases) !== options.cases || Number(check.engine_cases) !== options.cases) {
        throw new Error(`state check failed: ${JSON.stringify(check)}`);
      }

      const e = stats(engine.result.acts, engine.seconds);
      const s = stats(engine.result.starts, engine.seconds);
      const c = stats(ceiling.result, ceiling.seconds);
      const actShare = engine.result.acts.reduce((a, v) => a + v, 0) / (engine.result.acts.reduce((a, v) => a + v, 0) + engine.result.starts.reduce((a, v) => a + v, 0));
      const actsOnlyPerSecond = e.transitions / (engine.seconds * actShare);
      const perTransition = (ms: number | undefined, n: number) => (ms === undefined ? '-' : (ms / n).toFixed(2));
      const engineCalls = e.transitions + s.transitions;

      const widths = [30, 11, 8, 13, 7, 7, 14, 14];
      console.log(`\n## concurrency ${concurrency}  (TypeORM pool ${typeormPoolSize}, ceiling pg.Pool ${concurrency})`);
      console.log(row(['run', 'transitions', 'seconds', 'transitions/s', 'p50 ms', 'p99 ms', 'node CPU ms/tr', 'pg CPU ms/tr*'], widths));
      console.log(row(['engine (CasesService.act)', e.transitions, f(e.seconds, 2), f(e.perSecond), f(e.p50, 2), f(e.p99, 2), perTransition(engine.nodeCpuMs, engineCalls), perTransition(engine.postgresCpuMs, engineCalls)], widths));
      console.log(row(['  start (counted separately)', s.transitions, '', '', f(s.p50, 2), f(s.p99, 2), '', ''], widths));
      console.log(row(['ceiling (pg, 5 statements)', c.transitions, f(c.seconds, 2), f(c.perSecond), f(c.p50, 2), f(c.p99, 2), perTransition(ceiling.nodeCpuMs, c.transitions), perTransition(ceiling.postgresCpuMs, c.transitions)], widths));
      const ratio = e.perSecond / c.perSecond;
      console.log(`ratio engine/ceiling (throughput): ${ratio.toFixed(2)}  (goal ≥ 0.5${concurrency === 8 ? (ratio >= 0.5 ? ': met' : ': NOT met') : ''})`);
      console.log(
        `  engine with its start time attributed out (acts took ${(actShare * 100).toFixed(1)}% of worker time): ${f(actsOnlyPerSecond)} transitions/s → ratio ${(actsOnlyPerSecond / c.perSecond).toFixed(2)}`,
      );
      console.log(`  * CPU per engine call counts starts too (${engineCalls} calls); pg CPU is every postgres process on the host, from /proc`);
      summaries.push(`C=${concurrency}: engine ${f(e.perSecond)}/s, ceiling ${f(c.perSecond)}/s, ratio ${ratio.toFixed(2)}`);

      if (options.profile) {
        console.log(
          `\n  node CPU per call, user + system: engine ${perTransition(engine.nodeCpuMs - engine.nodeSystemMs, engineCalls)} + ${perTransition(engine.nodeSystemMs, engineCalls)} ms, ` +
            `ceiling ${perTransition(ceiling.nodeCpuMs - ceiling.nodeSystemMs, c.transitions)} + ${perTransition(ceiling.nodeSystemMs, c.transitions)} ms`,
        );
        const sqlTable = (title: string, entries: [string, { count: number; ms: number }][], wallMs: number, calls: number) => {
          console.log(`\n  ${title}: SQL wall time per statement kind (call → result, includes waiting on the event loop)`);
          console.log(`  ${row(['statement', 'per call', 'mean ms', 'ms/call', '% of latency'], [44, 9, 8, 8, 12])}`);
          let total = 0;
          for (const [kind, v] of entries) {
            total += v.ms;
            console.log(`  ${row([kind.slice(0, 44), f(v.count / calls, 2), f(v.ms / v.count, 3), f(v.ms / calls, 3), f((100 * v.ms) / wallMs)], [44, 9, 8, 8, 12])}`);
          }
          console.log(`  ${row(['all SQL', f(entries.reduce((a, [, v]) => a + v.count, 0) / calls, 2), '', f(total / calls, 3), f((100 * total) / wallMs)], [44, 9, 8, 8, 12])}`);
        };
        const engineWall = engine.result.acts.reduce((a, v) => a + v, 0) + engine.result.starts.reduce((a, v) => a + v, 0);
        sqlTable(`engine (${engineCalls} calls = acts + starts)`, engineQueries, engineWall, engineCalls);
        sqlTable(`ceiling (${c.transitions} transitions)`, ceilingQueries, ceiling.result.reduce((a, v) => a + v, 0), c.transitions);
      }
    }

    if (options.profile) {
      console.log('\n## pure engine costs (single-threaded microbenchmark, mean µs per call)');
      for (const [name, ms] of microbench(published, users, template.now)) console.log(`  ${name.padEnd(72)} ${(ms * 1000).toFixed(0).padStart(6)} µs`);
    }
    console.log(`\nsummary: ${summaries.join(' · ')}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await db?.end().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (!interrupted) await dropDatabase(databaseUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
