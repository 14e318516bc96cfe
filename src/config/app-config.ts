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
  smtpUrl: string;
  /** A body-parser size ('256kb'). */
  bodyLimit: string;
}

/** Injection token for {@link AppConfig}: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The development secret is public (it is in this file), so a production process
 * carrying it would accept tokens anybody can mint. loadAppConfig refuses that.
 */
export const DEV_JWT_SECRET = 'fupin-flow-dev-secret-not-for-production';

const DEFAULTS = {
  NODE_ENV: 'development',
  PORT: '3000',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/fupin_flow',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: DEV_JWT_SECRET,
  JWT_EXPIRES_IN: '1h',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  BODY_LIMIT: '256kb',
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

  const jwtSecret = read('JWT_SECRET');
  if (nodeEnv === 'production') {
    if (jwtSecret === DEV_JWT_SECRET) {
      problems.push('JWT_SECRET must be set in production (the development default is public)');
    } else if (jwtSecret.length < MIN_PRODUCTION_SECRET_LENGTH) {
      problems.push(`JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters in production`);
    }
  }

  const jwtExpiresIn = read('JWT_EXPIRES_IN');
  const jwtExpiresInSeconds = parseDurationSeconds(jwtExpiresIn);
  if (jwtExpiresInSeconds === undefined) {
    problems.push("JWT_EXPIRES_IN must be a positive duration such as '3600', '30m', '1h' or '1d'");
  }

  const bodyLimit = read('BODY_LIMIT');
  if (!/^\d+\s*(b|kb|mb)$/i.test(bodyLimit)) problems.push("BODY_LIMIT must be a size such as '256kb' or '1mb'");

  if (problems.length > 0) throw new ConfigValidationError(problems);
  return {
    nodeEnv,
    port,
    databaseUrl,
    redisUrl,
    jwtSecret,
    jwtExpiresIn,
    jwtExpiresInSeconds: jwtExpiresInSeconds!,
    smtpUrl,
    bodyLimit,
  };
}

/** Nest provider for {@link APP_CONFIG}; tests override it with a ready object. */
export const appConfigProvider = {
  provide: APP_CONFIG,
  useFactory: (): AppConfig => loadAppConfig(),
};
