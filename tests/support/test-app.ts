import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type { DataSource, MigrationInterface } from 'typeorm';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import { configureApp } from '../../src/app-setup.js';
import { AppModule } from '../../src/app.module.js';
import { Clock } from '../../src/common/clock.js';
import { MaskingLogger } from '../../src/common/masking-logger.js';
import { APP_CONFIG, loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../../src/database/seed-demo.js';
import { dropDatabase, ensureDatabase } from '../../src/database/ensure-database.js';
import { ManualClock } from './manual-clock.js';

export interface TestAppOptions {
  /** Extra environment for loadAppConfig (DATABASE_URL is always a fresh database). */
  env?: Record<string, string>;
  /** Where the ManualClock starts. */
  now?: Date | string;
  /** Seed the demo users (default true). */
  seed?: boolean;
  /**
   * Start on this database (migrated as usual) instead of a fresh one: a second app on the
   * database a first one kept, as after a restart or an upgrade. close() drops it.
   */
  databaseUrl?: string;
  /** close() leaves the database for a later app (databaseUrl). */
  keepDatabase?: boolean;
}

export interface TestApp {
  app: INestApplication;
  /** supertest bound to the app's server: `http.get('/api/auth/me')`. */
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  clock: ManualClock;
  config: AppConfig;
  /** Logs a demo user in and returns the access token. */
  login(username: string, password?: string): Promise<string>;
  /** Closes the app and drops its database (unless keepDatabase). */
  close(): Promise<void>;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

/**
 * The migration classes, imported here rather than by TypeORM: TypeORM loads a glob
 * with an import() that Jest's ESM sandbox cannot serve, while this module's own
 * import() goes through Jest (and ts-jest) as usual.
 */
async function loadMigrations(): Promise<Array<new () => MigrationInterface>> {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const classes: Array<new () => MigrationInterface> = [];
  for (const file of files) {
    const module = (await import(join(MIGRATIONS_DIR, file))) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'function') classes.push(value as new () => MigrationInterface);
    }
  }
  return classes;
}

function freshDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fupin_flow');
  url.pathname = `/fupin_flow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

/**
 * A fresh, migrated database and the Nest app on top of it, configured exactly as
 * main.ts configures it (configureApp), with a ManualClock in place of the system clock.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadAppConfig({
    ...process.env,
    NODE_ENV: 'test',
    ...options.env,
    DATABASE_URL: options.databaseUrl ?? freshDatabaseUrl(),
  });
  await ensureDatabase(config, await loadMigrations());

  const clock = new ManualClock(options.now);
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(APP_CONFIG)
      .useValue(config)
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: new MaskingLogger({ logLevels: ['error', 'warn'] }) });
    configureApp(app);
    await app.init();

    const dataSource = app.get(TypeOrmDataSource);
    if (options.seed !== false) await seedDemoUsers(dataSource);

    const http = request(app.getHttpServer());
    const started = app;
    return {
      app: started,
      http,
      dataSource,
      clock,
      config,
      async login(username: string, password = DEMO_PASSWORD): Promise<string> {
        const response = await http.post('/api/auth/login').send({ username, password });
        if (response.status !== 200) {
          throw new Error(`login(${username}) failed: ${response.status} ${JSON.stringify(response.body)}`);
        }
        return (response.body as { accessToken: string }).accessToken;
      },
      async close(): Promise<void> {
        await started.close();
        if (!options.keepDatabase) await dropDatabase(config.databaseUrl);
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await dropDatabase(config.databaseUrl);
    throw error;
  }
}
