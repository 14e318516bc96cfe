import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { loadAppConfig, type AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.js';

const logger = new Logger('Database');

/** Any fixed number: the key of the advisory lock that serialises migration runs. */
const MIGRATION_LOCK_KEY = 7_440_700;
/** PostgreSQL's duplicate_database: someone else created it between our check and CREATE. */
const DUPLICATE_DATABASE = '42P04';

/** The target database's name and a URL to the `postgres` maintenance DB on the same server. */
export function splitDatabaseUrl(databaseUrl: string): { name: string; maintenanceUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  return { name, maintenanceUrl: url.toString() };
}

async function withMaintenanceClient<T>(databaseUrl: string, work: (client: pg.Client, name: string) => Promise<T>): Promise<T> {
  const { name, maintenanceUrl } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    return await work(client, name);
  } finally {
    await client.end();
  }
}

/** Creates the database named in DATABASE_URL unless it exists. Returns whether it did. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  return withMaintenanceClient(databaseUrl, async (client, name) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      // CREATE DATABASE takes no bind parameters: the name is quoted as an identifier.
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } catch (error) {
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
      throw error;
    }
    logger.log(`Created database ${name}`);
    return true;
  });
}

/** Drops the database named in DATABASE_URL, closing its connections first (tests). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withMaintenanceClient(databaseUrl, async (client, name) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/**
 * Runs the pending migrations, each in its own transaction. TypeORM takes no lock of
 * its own, so an advisory lock held on a separate session keeps an API process and a
 * worker (or two replicas) that start together from running the same migration twice.
 */
export async function runMigrations(
  config: Pick<AppConfig, 'databaseUrl'>,
  migrations?: DataSourceOptions['migrations'],
): Promise<string[]> {
  const lockClient = new pg.Client({ connectionString: config.databaseUrl });
  await lockClient.connect();
  const dataSource = new DataSource({ ...dataSourceOptions(config, { migrations }), logging: ['error'] });
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.initialize();
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of ran) logger.log(`Applied migration ${migration.name}`);
    if (ran.length === 0) logger.log('Database schema is up to date');
    return ran.map((m) => m.name);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end();
  }
}

/** What `npm start` does before listening: make sure the database exists and is migrated. */
export async function ensureDatabase(
  config: Pick<AppConfig, 'databaseUrl'>,
  migrations?: DataSourceOptions['migrations'],
): Promise<void> {
  await createDatabaseIfMissing(config.databaseUrl);
  await runMigrations(config, migrations);
}

// `node dist/src/database/ensure-database.js` (npm run migration:run, the Docker entry).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureDatabase(loadAppConfig()).catch((error: unknown) => {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
