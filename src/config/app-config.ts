import { resolve } from 'node:path';
import { URL } from 'node:url';

/**
 * Typed configuration read once from the environment. Everything the process needs to
 * know about its surroundings comes from here, so a bad value fails at start-up with
 * every problem listed instead of surfacing later in some request.
 */
export type NodeEnv = 'development' | 'test' | 'production';

export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  /** As written in the environment ('1h', '30m', '3600'). */
  jwtExpiresIn: string;
  /** The same lifetime in seconds: what the JWT library and the login response use. */
  jwtExpiresInSeconds: number;
  /** HMAC key of the refresh tokens: a key of its own, so neither kind of token can pass for the other. */
  jwtRefreshSecret: string;
  /** Lifetime of a refresh token, as written ('7d') and in seconds. */
  jwtRefreshExpiresIn: string;
  jwtRefreshExpiresInSeconds: number;
  /** Origins a browser may call the API from (CORS); empty: no cross-origin calls. */
  corsOrigins: string[];
  smtpUrl: string;
  /** The From address of every email ('fupin-flow <noreply@…>'). */
  mailFrom: string;
  /** A body-parser size ('256kb'). */
  bodyLimit: string;
  /** Base64 of the 32-byte secret that encrypts resident ID numbers and keys their blind index. */
  residentIdKey: string;
  /**
   * Keys the request hash kept with each Idempotency-Key (HMAC-SHA256): a plain hash of a
   * request body holding a resident ID could be tried against the numbers its mask leaves open.
   */
  idempotencySecret: string;
  /** Delivery machinery (BullMQ workers, deadline scheduler, reconciler, outbox relay). */
  delivery: DeliveryConfig;
  /** Login rate limiting (Redis counters shared by every API process). */
  loginLimit: LoginLimitConfig;
  /** The public notice board (公示) and its objections. */
  publicBoard: PublicBoardConfig;
  /**
   * Express's `trust proxy`: false (default: req.ip is the socket's peer), true, a hop
   * count, or a comma-separated list of trusted proxy addresses/subnets ('loopback', '10.0.0.0/8').
   */
  trustProxy: boolean | number | string;
  /**
   * The built web app (web/dist, absolute): served at `/` when it holds an index.html. A
   * relative WEB_DIST is taken from the working directory, the repository root for every
   * npm script, the test processes and the Docker image.
   */
  webDist: string;
  /** Where household attachments (minutes, notice photos) are kept, and their limits. */
  attachments: AttachmentsConfig;
}

/**
 * Household attachments: a local directory by default (ATTACHMENTS_DIR), or an
 * S3-compatible bucket (ATTACHMENT_STORE=s3 with S3_ENDPOINT, S3_BUCKET, S3_REGION,
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY; path-style URLs, as MinIO and most
 * S3-compatible stores serve them).
 */
export interface AttachmentsConfig {
  store: 'local' | 's3';
  /** The local directory (created when missing). */
  dir: string;
  /** The largest file accepted, in bytes (ATTACHMENT_MAX_BYTES, default 10 MiB). */
  maxBytes: number;
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string } | null;
}

/** Fixed-window login counters in Redis. */
export interface LoginLimitConfig {
  /** Failed logins per account (username) per window; the next one answers 429. */
  maxPerAccount: number;
  /** Login attempts per client address per window. */
  maxPerAddress: number;
  windowMs: number;
  /** Prefix of the counter keys; by default it names the database, so deployments sharing a Redis stay apart. */
  keyPrefix: string;
}

/** The unauthenticated notice board: its secret and the objection limit per client address. */
export interface PublicBoardConfig {
  /**
   * Keys the notice ids (which encrypt a case id) and the form tokens; HKDF derives a key of
   * its own for each. Changing it changes every notice id and voids every form token.
   */
  secret: string;
  /** Objections (POST, valid or not) per client address per window; the next one answers 429. */
  maxObjectionsPerAddress: number;
  objectionWindowMs: number;
  /** Prefix of the counter keys; by default it names the database, like the login limit's. */
  keyPrefix: string;
}

/**
 * How the worker hands PostgreSQL rows to BullMQ and consumes them. Read by the worker
 * process, and by the API when it runs the worker in-process (RUN_WORKER).
 */
export interface DeliveryConfig {
  /** The API process also runs the worker (development); docker-compose runs them apart. */
  runWorker: boolean;
  /** Prefix of every BullMQ key in Redis; a test gives each file its own. */
  bullmqPrefix: string;
  /** How often the scheduler hands rows due within the horizon to BullMQ. */
  schedulerIntervalMs: number;
  /** Rows due within this much of now get a delayed job; later rows wait in the table. */
  deadlineHorizonMs: number;
  /** A pending, enqueued row this long past due has its job checked (promoted/re-added). */
  deadlineLateAfterMs: number;
  /** How often the reconciler checks that every enqueued row still has its job. */
  reconcileIntervalMs: number;
  /** How often the outbox relay publishes unpublished rows. */
  outboxIntervalMs: number;
  /** Attempts of an outbox delivery job, and the first exponential backoff delay. */
  outboxAttempts: number;
  outboxBackoffMs: number;
  /** Published outbox rows this recent are re-published when Redis lost their job. */
  outboxRecheckMs: number;
  /** Jobs one worker process runs at once, per queue. */
  deadlineConcurrency: number;
  outboxConcurrency: number;
  /** BullMQ job lock and stalled-job check: how soon a dead worker's job is redelivered. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Cron pattern of the daily digest, in Asia/Shanghai time. */
  dailyDigestCron: string;
  /** Test only (NODE_ENV=test): hold a deadline job this long after firing, before it completes. */
  testFireDelayMs: number;
}

/** Injection token for {@link AppConfig}: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The development secret is public (it is in this file), so a production process
 * carrying it would accept tokens anybody can mint. loadAppConfig refuses that.
 */
export const DEV_JWT_SECRET = 'fupin-flow-dev-secret-not-for-production';

/**
 * The development resident-ID key (base64 of 32 bytes) is public too: IDs encrypted
 * with it are readable by anybody, so loadAppConfig refuses it in production.
 */
export const DEV_RESIDENT_ID_KEY = 'duSKkS1AbupGHgVU+4KS7jqMnY4jisLzqqsb2fVdL0k=';
const RESIDENT_ID_KEY_BYTES = 32;

/** The development refresh-token key is public as well: refused in production. */
export const DEV_JWT_REFRESH_SECRET = 'fupin-flow-dev-refresh-secret-not-for-production';

/** The development key of notice ids and form tokens is public too: refused in production. */
export const DEV_PUBLIC_BOARD_SECRET = 'fupin-flow-dev-public-board-secret-not-for-production';

/** The development key of the idempotency request hashes is public as well: refused in production. */
export const DEV_IDEMPOTENCY_SECRET = 'fupin-flow-dev-idempotency-secret-not-for-production';

/** Browser origins allowed outside production when CORS_ORIGINS is unset (local front-end dev servers). */
export const DEV_CORS_ORIGINS: readonly string[] = [
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];

const DEFAULTS = {
  NODE_ENV: 'development',
  PORT: '3000',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/fupin_flow',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: DEV_JWT_SECRET,
  JWT_EXPIRES_IN: '15m',
  JWT_REFRESH_SECRET: DEV_JWT_REFRESH_SECRET,
  JWT_REFRESH_EXPIRES_IN: '7d',
  CORS_ORIGINS: '',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  MAIL_FROM: 'fupin-flow <noreply@fupin-flow.local>',
  BODY_LIMIT: '256kb',
  RESIDENT_ID_KEY: DEV_RESIDENT_ID_KEY,
  IDEMPOTENCY_SECRET: DEV_IDEMPOTENCY_SECRET,
  RUN_WORKER: '',
  BULLMQ_PREFIX: 'fupin',
  SCHEDULER_INTERVAL_MS: '5000',
  DEADLINE_HORIZON: '24h',
  DEADLINE_LATE_AFTER_MS: '30000',
  RECONCILE_INTERVAL_MS: '300000',
  OUTBOX_INTERVAL_MS: '1000',
  OUTBOX_ATTEMPTS: '5',
  OUTBOX_BACKOFF_MS: '1000',
  OUTBOX_RECHECK_WINDOW: '1d',
  WORKER_DEADLINE_CONCURRENCY: '10',
  WORKER_OUTBOX_CONCURRENCY: '5',
  WORKER_LOCK_DURATION_MS: '30000',
  WORKER_STALLED_INTERVAL_MS: '30000',
  DAILY_DIGEST_CRON: '0 8 * * *',
  FIRE_DELAY_MS: '0',
  LOGIN_MAX_PER_ACCOUNT: '10',
  LOGIN_MAX_PER_ADDRESS: '30',
  LOGIN_WINDOW_MS: '60000',
  LOGIN_LIMIT_PREFIX: '',
  PUBLIC_BOARD_SECRET: DEV_PUBLIC_BOARD_SECRET,
  PUBLIC_OBJECTIONS_MAX_PER_ADDRESS: '10',
  PUBLIC_OBJECTIONS_WINDOW_MS: '3600000',
  PUBLIC_LIMIT_PREFIX: '',
  TRUST_PROXY: 'false',
  WEB_DIST: 'web/dist',
  ATTACHMENT_STORE: 'local',
  ATTACHMENTS_DIR: 'storage/attachments',
  ATTACHMENT_MAX_BYTES: String(10 * 1024 * 1024),
  S3_ENDPOINT: '',
  S3_BUCKET: '',
  S3_REGION: 'us-east-1',
  S3_ACCESS_KEY_ID: '',
  S3_SECRET_ACCESS_KEY: '',
} as const;

const NODE_ENVS: readonly NodeEnv[] = ['development', 'test', 'production'];
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const MIN_PRODUCTION_SECRET_LENGTH = 32;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** '90' (seconds), '45s', '30m', '1h', '7d' → seconds; undefined when malformed. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || 's'];
  return seconds > 0 ? seconds : undefined;
}

function checkUrl(name: string, value: string, protocols: string[], problems: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} is not a valid URL`);
    return;
  }
  if (!protocols.includes(url.protocol)) {
    problems.push(`${name} must use ${protocols.join(' or ')} (got ${url.protocol})`);
  }
}

/**
 * Reads and validates the configuration. Pass an explicit `env` in tests; the
 * application passes nothing and gets `process.env`. Throws ConfigValidationError
 * listing every problem at once.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable counts as unset, as docker-compose writes `VAR=` for blanks.
  const read = (name: keyof typeof DEFAULTS): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? DEFAULTS[name] : value.trim();
  };
  const problems: string[] = [];

  const nodeEnv = read('NODE_ENV') as NodeEnv;
  if (!NODE_ENVS.includes(nodeEnv)) problems.push(`NODE_ENV must be one of ${NODE_ENVS.join(', ')}`);

  const port = Number(read('PORT'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push('PORT must be an integer from 1 to 65535');

  const databaseUrl = read('DATABASE_URL');
  checkUrl('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:'], problems);
  if (!problems.some((p) => p.startsWith('DATABASE_URL')) && new URL(databaseUrl).pathname.length <= 1) {
    problems.push('DATABASE_URL must name a database (postgres://user@host:5432/name)');
  }
  const redisUrl = read('REDIS_URL');
  checkUrl('REDIS_URL', redisUrl, ['redis:', 'rediss:'], problems);
  const smtpUrl = read('SMTP_URL');
  checkUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:'], problems);
  const mailFrom = read('MAIL_FROM').trim();
  if (!/^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(mailFrom)) {
    problems.push("MAIL_FROM must be an address such as 'fupin-flow <noreply@example.gov.cn>'");
  }

  const jwtSecret = read('JWT_SECRET');
  const jwtRefreshSecret = read('JWT_REFRESH_SECRET');
  const publicBoardSecret = read('PUBLIC_BOARD_SECRET');
  const idempotencySecret = read('IDEMPOTENCY_SECRET');
  if (nodeEnv === 'production') {
    checkProductionSecret('JWT_SECRET', jwtSecret, DEV_JWT_SECRET, problems);
    checkProductionSecret('JWT_REFRESH_SECRET', jwtRefreshSecret, DEV_JWT_REFRESH_SECRET, problems);
    checkProductionSecret('PUBLIC_BOARD_SECRET', publicBoardSecret, DEV_PUBLIC_BOARD_SECRET, problems);
    checkProductionSecret('IDEMPOTENCY_SECRET', idempotencySecret, DEV_IDEMPOTENCY_SECRET, problems);
    if (jwtRefreshSecret === jwtSecret) problems.push('JWT_REFRESH_SECRET must differ from JWT_SECRET');
  }

  const jwtExpiresIn = read('JWT_EXPIRES_IN');
  const jwtExpiresInSeconds = parseDurationSeconds(jwtExpiresIn);
  if (jwtExpiresInSeconds === undefined) {
    problems.push("JWT_EXPIRES_IN must be a positive duration such as '900', '15m', '1h' or '1d'");
  }
  const jwtRefreshExpiresIn = read('JWT_REFRESH_EXPIRES_IN');
  const jwtRefreshExpiresInSeconds = parseDurationSeconds(jwtRefreshExpiresIn);
  if (jwtRefreshExpiresInSeconds === undefined) {
    problems.push("JWT_REFRESH_EXPIRES_IN must be a positive duration such as '12h' or '7d'");
  } else if (jwtExpiresInSeconds !== undefined && jwtRefreshExpiresInSeconds <= jwtExpiresInSeconds) {
    problems.push('JWT_REFRESH_EXPIRES_IN must be longer than JWT_EXPIRES_IN');
  }
  const corsOrigins = readCorsOrigins(read('CORS_ORIGINS'), nodeEnv, problems);

  const bodyLimit = read('BODY_LIMIT');
  if (!/^\d+\s*(b|kb|mb)$/i.test(bodyLimit)) problems.push("BODY_LIMIT must be a size such as '256kb' or '1mb'");

  const residentIdKey = read('RESIDENT_ID_KEY');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(residentIdKey) || Buffer.from(residentIdKey, 'base64').length !== RESIDENT_ID_KEY_BYTES) {
    problems.push(`RESIDENT_ID_KEY must be ${RESIDENT_ID_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
  } else if (nodeEnv === 'production' && residentIdKey === DEV_RESIDENT_ID_KEY) {
    problems.push('RESIDENT_ID_KEY must be set in production (the development default is public)');
  }

  const delivery = readDeliveryConfig(read, nodeEnv, problems);
  const loginLimit = readLoginLimitConfig(read, databaseUrl, problems);
  const publicBoard = readPublicBoardConfig(read, publicBoardSecret, databaseUrl, problems);
  const trustProxy = readTrustProxy(read('TRUST_PROXY'), problems);
  const webDist = resolve(read('WEB_DIST'));
  const attachments = readAttachmentsConfig(read, problems);

  if (problems.length > 0) throw new ConfigValidationError(problems);
  return {
    nodeEnv,
    port,
    databaseUrl,
    redisUrl,
    jwtSecret,
    jwtExpiresIn,
    jwtExpiresInSeconds: jwtExpiresInSeconds!,
    jwtRefreshSecret,
    jwtRefreshExpiresIn,
    jwtRefreshExpiresInSeconds: jwtRefreshExpiresInSeconds!,
    corsOrigins,
    smtpUrl,
    mailFrom,
    bodyLimit,
    residentIdKey,
    idempotencySecret,
    delivery,
    loginLimit,
    publicBoard,
    trustProxy,
    webDist,
    attachments,
  };
}

function readAttachmentsConfig(read: (name: keyof typeof DEFAULTS) => string, problems: string[]): AttachmentsConfig {
  const store = read('ATTACHMENT_STORE');
  if (store !== 'local' && store !== 's3') problems.push('ATTACHMENT_STORE must be local or s3');
  const maxBytes = Number(read('ATTACHMENT_MAX_BYTES'));
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > 200 * 1024 * 1024) {
    problems.push('ATTACHMENT_MAX_BYTES must be an integer from 1 to 209715200 (200 MiB)');
  }
  let s3: AttachmentsConfig['s3'] = null;
  if (store === 's3') {
    const missing = (['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((name) => read(name) === '');
    if (missing.length > 0) problems.push(`ATTACHMENT_STORE=s3 needs ${missing.join(', ')}`);
    else checkUrl('S3_ENDPOINT', read('S3_ENDPOINT'), ['http:', 'https:'], problems);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(read('S3_BUCKET')) && read('S3_BUCKET') !== '') problems.push('S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, . or -)');
    s3 = {
      endpoint: read('S3_ENDPOINT').replace(/\/+$/, ''),
      bucket: read('S3_BUCKET'),
      region: read('S3_REGION'),
      accessKeyId: read('S3_ACCESS_KEY_ID'),
      secretAccessKey: read('S3_SECRET_ACCESS_KEY'),
    };
  }
  return { store: store === 's3' ? 's3' : 'local', dir: read('ATTACHMENTS_DIR'), maxBytes: Number.isInteger(maxBytes) ? maxBytes : Number(DEFAULTS.ATTACHMENT_MAX_BYTES), s3 };
}

/** A production secret must be set (not the public development value) and long enough. */
function checkProductionSecret(name: string, value: string, devValue: string, problems: string[]): void {
  if (value === devValue) {
    problems.push(`${name} must be set in production (the development default is public)`);
  } else if (value.length < MIN_PRODUCTION_SECRET_LENGTH) {
    problems.push(`${name} must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production`);
  }
}

/**
 * CORS_ORIGINS: comma-separated origins (scheme://host[:port], no path). Unset: none in
 * production, the local development servers elsewhere. `*` is refused: the API is not public.
 */
function readCorsOrigins(value: string, nodeEnv: NodeEnv, problems: string[]): string[] {
  if (value === '') return nodeEnv === 'production' ? [] : [...DEV_CORS_ORIGINS];
  const origins = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = origins.filter((origin) => {
    try {
      const url = new URL(origin);
      return !['http:', 'https:'].includes(url.protocol) || url.origin !== origin;
    } catch {
      return true;
    }
  });
  if (bad.length > 0) {
    problems.push(`CORS_ORIGINS must list origins such as 'https://fupin.example.gov.cn' (scheme, host and port only); not: ${bad.join(', ')}`);
  }
  return origins;
}

/**
 * Whether the API process runs the worker in-process: RUN_WORKER when set, otherwise
 * only in development. Read straight from the environment because it decides which
 * modules the API imports; loadAppConfig validates the same variable at start-up.
 */
export function runWorkerInProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.RUN_WORKER?.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  const nodeEnv = env.NODE_ENV?.trim() || DEFAULTS.NODE_ENV;
  return nodeEnv === 'development';
}

const BULLMQ_PREFIX = /^[A-Za-z0-9_.{}-]{1,64}$/;
const CRON_FIELDS = /^\S+(\s+\S+){4,5}$/;

function readDeliveryConfig(read: (name: keyof typeof DEFAULTS) => string, nodeEnv: NodeEnv, problems: string[]): DeliveryConfig {
  const integer = (name: keyof typeof DEFAULTS, min: number, max = 2_147_483_647): number => {
    const value = Number(read(name));
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
      return Number(DEFAULTS[name]);
    }
    return value;
  };
  const duration = (name: keyof typeof DEFAULTS): number => {
    const seconds = parseDurationSeconds(read(name));
    if (seconds === undefined) {
      problems.push(`${name} must be a positive duration such as '90', '30m', '24h' or '1d'`);
      return parseDurationSeconds(DEFAULTS[name])! * 1000;
    }
    return seconds * 1000;
  };

  const runWorkerValue = read('RUN_WORKER').toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(runWorkerValue)) problems.push('RUN_WORKER must be true or false');
  const runWorker = runWorkerValue === '' ? nodeEnv === 'development' : runWorkerValue === 'true' || runWorkerValue === '1';

  const bullmqPrefix = read('BULLMQ_PREFIX');
  if (!BULLMQ_PREFIX.test(bullmqPrefix)) problems.push('BULLMQ_PREFIX must be 1 to 64 letters, digits or _ . - { }');

  const dailyDigestCron = read('DAILY_DIGEST_CRON');
  if (!CRON_FIELDS.test(dailyDigestCron)) problems.push("DAILY_DIGEST_CRON must be a cron pattern such as '0 8 * * *'");

  const testFireDelayMs = integer('FIRE_DELAY_MS', 0, 600_000);
  if (testFireDelayMs > 0 && nodeEnv !== 'test') problems.push('FIRE_DELAY_MS is a test setting: it is refused unless NODE_ENV=test');

  return {
    runWorker,
    bullmqPrefix,
    schedulerIntervalMs: integer('SCHEDULER_INTERVAL_MS', 10),
    deadlineHorizonMs: duration('DEADLINE_HORIZON'),
    deadlineLateAfterMs: integer('DEADLINE_LATE_AFTER_MS', 0),
    reconcileIntervalMs: integer('RECONCILE_INTERVAL_MS', 100),
    outboxIntervalMs: integer('OUTBOX_INTERVAL_MS', 10),
    outboxAttempts: integer('OUTBOX_ATTEMPTS', 1, 100),
    outboxBackoffMs: integer('OUTBOX_BACKOFF_MS', 0),
    outboxRecheckMs: duration('OUTBOX_RECHECK_WINDOW'),
    deadlineConcurrency: integer('WORKER_DEADLINE_CONCURRENCY', 1, 1000),
    outboxConcurrency: integer('WORKER_OUTBOX_CONCURRENCY', 1, 1000),
    lockDurationMs: integer('WORKER_LOCK_DURATION_MS', 1000),
    stalledIntervalMs: integer('WORKER_STALLED_INTERVAL_MS', 500),
    dailyDigestCron,
    testFireDelayMs,
  };
}

/** Nest provider for {@link APP_CONFIG}; tests override it with a ready object. */
export const appConfigProvider = {
  provide: APP_CONFIG,
  useFactory: (): AppConfig => loadAppConfig(),
};

const LIMIT_PREFIX = /^[A-Za-z0-9_.:{}-]{1,100}$/;

type Reader = (name: keyof typeof DEFAULTS) => string;

function boundedInteger(read: Reader, name: keyof typeof DEFAULTS, min: number, max: number, problems: string[]): number {
  const value = Number(read(name));
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}`);
    return Number(DEFAULTS[name]);
  }
  return value;
}

/**
 * The prefix of a limiter's Redis keys: the variable when set, else `<base>:<database name>`
 * (one deployment = one database), so deployments sharing a Redis stay apart.
 */
function readLimitPrefix(read: Reader, name: 'LOGIN_LIMIT_PREFIX' | 'PUBLIC_LIMIT_PREFIX', base: string, databaseUrl: string, problems: string[]): string {
  const keyPrefix = read(name);
  if (keyPrefix !== '') {
    if (!LIMIT_PREFIX.test(keyPrefix)) problems.push(`${name} must be 1 to 100 letters, digits or _ . : - { }`);
    return keyPrefix;
  }
  let database = 'fupin_flow';
  try {
    database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || database;
  } catch {
    // an invalid DATABASE_URL is reported by loadAppConfig
  }
  return `${base}:${database.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

function readLoginLimitConfig(read: Reader, databaseUrl: string, problems: string[]): LoginLimitConfig {
  return {
    maxPerAccount: boundedInteger(read, 'LOGIN_MAX_PER_ACCOUNT', 1, 1_000_000, problems),
    maxPerAddress: boundedInteger(read, 'LOGIN_MAX_PER_ADDRESS', 1, 1_000_000, problems),
    windowMs: boundedInteger(read, 'LOGIN_WINDOW_MS', 100, 86_400_000, problems),
    keyPrefix: readLimitPrefix(read, 'LOGIN_LIMIT_PREFIX', 'fupin-login', databaseUrl, problems),
  };
}

function readPublicBoardConfig(read: Reader, secret: string, databaseUrl: string, problems: string[]): PublicBoardConfig {
  return {
    secret,
    maxObjectionsPerAddress: boundedInteger(read, 'PUBLIC_OBJECTIONS_MAX_PER_ADDRESS', 1, 1_000_000, problems),
    objectionWindowMs: boundedInteger(read, 'PUBLIC_OBJECTIONS_WINDOW_MS', 100, 86_400_000, problems),
    keyPrefix: readLimitPrefix(read, 'PUBLIC_LIMIT_PREFIX', 'fupin-public', databaseUrl, problems),
  };
}

const TRUST_PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;

/** 'false' | 'true' | a hop count | comma-separated addresses, subnets, loopback/linklocal/uniquelocal. */
function readTrustProxy(value: string, problems: string[]): boolean | number | string {
  const lower = value.toLowerCase();
  if (lower === 'false' || lower === '0') return false;
  if (lower === 'true') return true;
  if (/^\d+$/.test(lower)) return Number(lower);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => TRUST_PROXY_ENTRY.test(entry))) return entries.join(',');
  problems.push("TRUST_PROXY must be false, true, a hop count or a comma-separated list of addresses/subnets (e.g. 'loopback,10.0.0.0/8')");
  return false;
}
