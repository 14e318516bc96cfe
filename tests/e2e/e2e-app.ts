import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { dropDatabase } from '../../src/database/ensure-database.js';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { ensureBuilt, eventually, ROOT, spawnCompiled, uniquePrefix, type SpawnedProcess } from '../support/processes.js';
import { freePort } from '../support/redis-server.js';

const run = promisify(execFile);

/** Debian's Chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every page the tests visit: CI artifacts, never committed (artifacts/ is ignored). */
export const ARTIFACTS = join(ROOT, 'artifacts', 'e2e');

/** The flags a headless Chromium needs here: no sandbox as root, no GPU, and nothing calling home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface E2eApp {
  baseUrl: string;
  browser: Browser;
  api: SpawnedProcess;
  /** A fresh browser context (its own storage: its own session) with a page, logged in as `username`. */
  loggedIn(username: string): Promise<{ context: BrowserContext; page: Page }>;
  /** A fresh context and page, not logged in. */
  fresh(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export interface E2eOptions {
  /**
   * Run the worker inside the API process (RUN_WORKER=true), so that BullMQ jobs — a
   * migration run — are carried out. Off by default: the other files need no jobs, and a
   * worker fires the demo's overdue deadlines, which changes the cases (history rows, versions).
   */
  worker?: boolean;
}

/**
 * The application as deployed, on a database of its own: the compiled API (which serves the
 * built web app at /) on a free port, the demo users and cases seeded by the same scripts
 * `npm run demo` runs, and a headless Chromium. Needs `npm run build` and `npm run web:build`
 * first (`npm test` runs both).
 */
export async function startE2eApp(options: E2eOptions = {}): Promise<E2eApp> {
  ensureBuilt();
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist/index.html is missing: run `npm run web:build` before the end-to-end tests');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });

  const database = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fupin_flow');
  database.pathname = `/fupin_flow_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  // Uploaded files go to a directory of the run's own, removed with its database.
  const attachmentsDir = mkdtempSync(join(tmpdir(), 'fupin-e2e-attachments-'));
  const env: Record<string, string> = {
    ATTACHMENTS_DIR: attachmentsDir,
    NODE_ENV: 'test',
    DATABASE_URL: database.toString(),
    PORT: String(port),
    BULLMQ_PREFIX: uniquePrefix('e2e'),
    // Many logins from one address within a minute: the tests', not an attack.
    LOGIN_MAX_PER_ADDRESS: '1000',
    RUN_WORKER: options.worker ? 'true' : 'false',
  };
  // The seed runs without the worker whatever the API does: a worker would fire the deadlines
  // of the cases it is still writing (it sets the clock back weeks while it replays them).
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, RUN_WORKER: 'false', NO_COLOR: '1' };
  delete childEnv.NODE_OPTIONS;
  let api: SpawnedProcess | undefined;
  let browser: Browser | undefined;
  try {
    await run(process.execPath, [join(ROOT, 'dist', 'src', 'database', 'ensure-database.js')], { cwd: ROOT, env: childEnv });
    await run(process.execPath, [join(ROOT, 'dist', 'src', 'database', 'seed-demo.js')], { cwd: ROOT, env: childEnv });
    api = spawnCompiled('api', 'main', env);
    await api.waitFor(/API listening/, 60_000);
    if (options.worker) {
      await api.waitFor(/Workers started/, 10_000);
      await dueDeadlinesFired(database.toString());
    }
    // Playwright gives every launch a fresh temporary profile (user data directory).
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await api?.stop();
    await dropDatabase(database.toString());
    rmSync(attachmentsDir, { recursive: true, force: true });
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = { api, browser };

  async function fresh() {
    const context = await started.browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
    return { context, page };
  }

  return {
    baseUrl,
    browser: started.browser,
    api: started.api,
    fresh,
    async loggedIn(username: string) {
      const { context, page } = await fresh();
      await page.goto('/login');
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: /登\s*录/ }).click();
      await page.getByTestId('user-menu').waitFor();
      return { context, page };
    },
    async close() {
      await started.browser.close();
      await started.api.stop();
      await dropDatabase(database.toString());
      rmSync(attachmentsDir, { recursive: true, force: true });
    },
  };
}

/**
 * The demo's cases were seeded weeks back, so a few hundred of their deadlines are already
 * due when a worker starts, and it fires them all at once (history rows, notifications). The
 * tests start once it has, so that what they compare (the screen and the API) is not changing
 * under them. (Rows fall due later only at the end of an office day.)
 */
async function dueDeadlinesFired(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await eventually(
      'the worker to fire the deadlines already due',
      async () => {
        const { rows } = await client.query<{ due: number }>(`SELECT count(*)::int AS due FROM deadlines WHERE status = 'pending' AND due_at <= now()`);
        return rows[0].due === 0;
      },
      120_000,
      250,
    );
  } finally {
    await client.end();
  }
}

/**
 * Saves a full-page screenshot as an artifact and checks the page for what must never
 * show: the error boundary, and a message key without a text (the i18n table's sentinel ⟦key⟧).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const text = await page.locator('body').innerText();
  if ((await page.getByTestId('error-boundary').count()) > 0) throw new Error(`${name}: the page shows the error boundary:\n${text.slice(0, 500)}`);
  const missing = text.match(/⟦[^⟧]*⟧/g);
  if (missing) throw new Error(`${name}: untranslated keys on the page: ${[...new Set(missing)].join(', ')}`);
}
