import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Clock } from '../../src/common/clock.js';
import { APP_CONFIG, loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { JobWorkersService, type JobOutcome } from '../../src/jobs/job-workers.service.js';
import { WorkerModule } from '../../src/worker.module.js';
import type { ManualClock } from './manual-clock.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Delivery settings for tests: ticks in tens of milliseconds rather than seconds, and a
 * lock short enough that a killed worker's job comes back within a few seconds.
 */
export const FAST_DELIVERY_ENV: Record<string, string> = {
  SCHEDULER_INTERVAL_MS: '100',
  OUTBOX_INTERVAL_MS: '100',
  RECONCILE_INTERVAL_MS: '300000',
  DEADLINE_LATE_AFTER_MS: '500',
  OUTBOX_BACKOFF_MS: '200',
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
};

/** A BullMQ key prefix of its own for one test file (and run). */
export function uniquePrefix(name: string): string {
  return `test-${name}-${process.pid}-${Date.now().toString(36)}`;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Spawned processes run the compiled code. `npm test` builds first (pretest); a spec run
 * on its own with jest builds here when dist/ is older than the sources.
 */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', 'src', 'worker.js')).mtimeMs;
  } catch {
    // never built
  }
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'migrations')));
  if (built >= sources) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const { stdout } = error as { stdout?: Buffer };
    throw new Error(`npm run build failed:\n${stdout?.toString() ?? String(error)}`);
  }
}

/** A compiled process of this project (API or worker) spawned by a test. */
export interface SpawnedProcess {
  name: string;
  pid: number;
  /** Every line it printed so far (stdout and stderr, colours stripped). */
  readonly lines: string[];
  /** Resolves with the first line matching `pattern` (or rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL: dies on the spot, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM, resolving with the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Spawns `node dist/src/<entry>.js` with the test's environment on top of this one. The
 * jest-only NODE_OPTIONS are dropped; NO_COLOR keeps Nest's log lines plain.
 */
export function spawnCompiled(name: string, entry: 'main' | 'worker', env: Record<string, string>): SpawnedProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env };
  delete childEnv.NODE_OPTIONS;
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'src', `${entry}.js`)], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (line: string): void => {
    const plain = line.replace(ANSI, '');
    lines.push(plain);
    if (process.env.DEBUG_SPAWNED) process.stderr.write(`[${name}] ${plain}\n`);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(plain)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(plain);
      }
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      parts.forEach(onLine);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    name,
    pid: child.pid!,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      const found = lines.find((line) => pattern.test(line));
      if (found) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms. Last lines:\n${lines.slice(-15).join('\n')}`));
        }, timeoutMs);
        waiters.push(waiter);
        void exited.then((code) => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before printing ${pattern}. Last lines:\n${lines.slice(-15).join('\n')}`));
        });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The environment a spawned process needs to share a test's database and Redis. */
export function processEnv(config: AppConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    SMTP_URL: config.smtpUrl,
    JWT_SECRET: config.jwtSecret,
    BULLMQ_PREFIX: config.delivery.bullmqPrefix,
    ...extra,
  };
}

export interface InProcessWorker {
  app: INestApplicationContext;
  config: AppConfig;
  workers: JobWorkersService;
  /** Every job this worker completed, in order. */
  readonly outcomes: JobOutcome[];
  close(): Promise<void>;
}

/**
 * The worker (WorkerModule, exactly as src/worker.ts runs it) inside the test process, on
 * the test app's database and sharing its ManualClock, so that moving the clock moves
 * the scheduler, the reconciler and the firings too.
 */
export async function startInProcessWorker(
  databaseUrl: string,
  clock: ManualClock,
  env: Record<string, string>,
  options: {
    /** Runs once the worker has started (its start-up hooks done), before waiting for its BullMQ workers to be ready. */
    afterStart?: () => Promise<void>;
  } = {},
): Promise<InProcessWorker> {
  const config = loadAppConfig({ ...process.env, NODE_ENV: 'test', ...env, DATABASE_URL: databaseUrl });
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(APP_CONFIG)
    .useValue(config)
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  // DEBUG_WORKER=1 shows everything the worker logs (its firings, the reconciler's report).
  // (The testing module's own logger prints errors only.)
  moduleRef.useLogger(new ConsoleLogger({ logLevels: process.env.DEBUG_WORKER ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn'] }));
  const outcomes: JobOutcome[] = [];
  const workers = moduleRef.get(JobWorkersService);
  workers.onCompleted((outcome) => outcomes.push(outcome));
  const app = await moduleRef.init();
  await options.afterStart?.();
  await Promise.all(workers.running.map((worker) => worker.waitUntilReady()));
  return {
    app,
    config,
    workers,
    outcomes,
    async close() {
      // A test that failed may leave jobs retrying: cut them short rather than wait for them
      // (the database is dropped next), so nothing outlives the test file.
      await Promise.all(workers.running.map((worker) => worker.close(true).catch(() => undefined)));
      await app.close();
    },
  };
}

/** Polls `check` until it returns true (or throws with `what` after `timeoutMs`). */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
