import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { closeRedisConnection } from '../common/queues.module.js';
import { APP_CONFIG, type AppConfig, type LoginLimitConfig } from '../config/app-config.js';

/** Redis commands of the limiter give up after this long: a login never hangs on Redis. */
export const LOGIN_LIMIT_COMMAND_TIMEOUT_MS = 500;
/** How long a login waits for a connection that is being established (start-up). */
const CONNECT_WAIT_MS = 500;
/** The "Redis is down" warning is repeated at most this often. */
const WARN_EVERY_MS = 30_000;

/**
 * One attempt, atomically: count it for the address, and — unless the address is over
 * its limit — for the account. Fixed windows: the first INCR of a key sets its expiry.
 * KEYS: address key, account key. ARGV: window ms, max per address, max per account.
 * Returns { refusedBy (0 none, 1 address, 2 account), ms left of the refusing window }.
 */
const ATTEMPT_SCRIPT = `
local window = tonumber(ARGV[1])
local address = redis.call('INCR', KEYS[1])
if address == 1 then redis.call('PEXPIRE', KEYS[1], window) end
if address > tonumber(ARGV[2]) then
  return {1, redis.call('PTTL', KEYS[1])}
end
local account = redis.call('INCR', KEYS[2])
if account == 1 then redis.call('PEXPIRE', KEYS[2], window) end
if account > tonumber(ARGV[3]) then
  return {2, redis.call('PTTL', KEYS[2])}
end
return {0, 0}
`;

export type LoginAttemptVerdict =
  | { allowed: true }
  | { allowed: false; limitedBy: 'address' | 'account'; retryAfterSeconds: number };

type RedisWithAttempt = Redis & {
  loginAttempt(addressKey: string, accountKey: string, windowMs: number, maxAddress: number, maxAccount: number): Promise<[number, number]>;
};

/**
 * Login rate limiting shared by every API process: per client address (every attempt)
 * and per account (attempts since the last success), counted in Redis. The API does not
 * load the BullMQ connection unless it runs the worker, so the limiter has its own small
 * one. When Redis is unreachable the limiter lets attempts through (the account lock in
 * PostgreSQL still applies) and logs a warning: logins must not depend on Redis.
 */
@Injectable()
export class LoginRateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LoginRateLimiter.name);
  private readonly limits: LoginLimitConfig;
  private readonly redis: RedisWithAttempt;
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = config.loginLimit;
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: LOGIN_LIMIT_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      connectionName: 'fupin-login-limit',
    });
    redis.defineCommand('loginAttempt', { numberOfKeys: 2, lua: ATTEMPT_SCRIPT });
    let lastError = '';
    redis.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnection attempt: log changes only.
      if (error.message !== lastError) this.logger.warn(`Redis (login limiter): ${error.message}`);
      lastError = error.message;
    });
    redis.on('ready', () => {
      if (lastError) this.logger.log('Redis (login limiter): connected again');
      lastError = '';
    });
    this.redis = redis as RedisWithAttempt;
  }

  onModuleInit(): void {
    // Connect in the background: start-up does not wait for (or fail without) Redis.
    this.redis.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedisConnection(this.redis);
  }

  /** Counts an attempt; call before the password is checked. */
  async attempt(username: string, address: string): Promise<LoginAttemptVerdict> {
    const { keyPrefix, windowMs, maxPerAddress, maxPerAccount } = this.limits;
    try {
      await this.whenReady();
      const [refusedBy, pttl] = await this.redis.loginAttempt(
        this.addressKey(address),
        this.accountKey(username),
        windowMs,
        maxPerAddress,
        maxPerAccount,
      );
      if (refusedBy === 0) return { allowed: true };
      const msLeft = pttl > 0 ? pttl : windowMs;
      return { allowed: false, limitedBy: refusedBy === 1 ? 'address' : 'account', retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
    } catch (error) {
      this.warnUnavailable(error, keyPrefix);
      return { allowed: true };
    }
  }

  /** A successful login clears the account's count. */
  async succeeded(username: string): Promise<void> {
    try {
      await this.whenReady();
      await this.redis.del(this.accountKey(username));
    } catch (error) {
      this.warnUnavailable(error, this.limits.keyPrefix);
    }
  }

  private accountKey(username: string): string {
    return `${this.limits.keyPrefix}:account:${encodeURIComponent(username)}`;
  }

  private addressKey(address: string): string {
    return `${this.limits.keyPrefix}:address:${address}`;
  }

  /** Waits briefly for a connection being established; fails at once when Redis is away. */
  private async whenReady(): Promise<void> {
    const { status } = this.redis;
    if (status === 'ready') return;
    if (status === 'wait') this.redis.connect().catch(() => undefined);
    if (status !== 'wait' && status !== 'connecting' && status !== 'connect') {
      throw new Error(`connection is ${status}`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error('not connected'));
      }, CONNECT_WAIT_MS);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  private warnUnavailable(error: unknown, keyPrefix: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Login rate limiting is off (${keyPrefix}): Redis unavailable (${reason}); only the account lock applies`);
  }
}
