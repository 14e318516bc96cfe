import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { closeRedisConnection } from './queues.module.js';

/** Redis commands of a limiter give up after this long: a request never hangs on Redis. */
export const RATE_LIMIT_COMMAND_TIMEOUT_MS = 500;
/** How long a request waits for a connection that is being established (start-up). */
const CONNECT_WAIT_MS = 500;
/** The "Redis is down" warning is repeated at most this often. */
const WARN_EVERY_MS = 30_000;

/**
 * One hit, atomically: count it on each key in turn, and stop at the first key over its
 * limit (the keys after it are not counted). Fixed windows: the first INCR of a key sets
 * its expiry. KEYS: the counters. ARGV: window ms, then the maximum of each key.
 * Returns { index of the refusing key (1-based, 0 none), ms left of its window }.
 */
const HIT_SCRIPT = `
local window = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, window) end
  if count > tonumber(ARGV[i + 1]) then
    return {i, redis.call('PTTL', key)}
  end
end
return {0, 0}
`;

/** A counter of one hit: its key and how many hits its window allows. */
export interface RateCounter {
  key: string;
  max: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; limitedBy: number; retryAfterSeconds: number };

type RedisWithHit = Redis & { rateLimitHit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<[number, number]> };

/**
 * Fixed-window counters in Redis, shared by every process that uses the same Redis and key
 * prefix (logins, public objections). Each limiter has its own small connection: the API
 * does not load the BullMQ connection unless it runs the worker. When Redis is unreachable
 * a hit is allowed and a warning logged: the callers keep other defences (the account lock,
 * form tokens) and must not stop working without Redis.
 */
export class RedisRateLimiter {
  private readonly logger: Logger;
  private readonly redis: RedisWithHit;
  private lastWarning = 0;

  /** `name` labels the connection and the log lines ('login limiter'). */
  constructor(
    redisUrl: string,
    private readonly name: string,
  ) {
    this.logger = new Logger(`RateLimiter(${name})`);
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: RATE_LIMIT_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      connectionName: `fupin-${name.replace(/\s+/g, '-')}`,
    });
    redis.defineCommand('rateLimitHit', { lua: HIT_SCRIPT });
    let lastError = '';
    redis.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnection attempt: log changes only.
      if (error.message !== lastError) this.logger.warn(`Redis (${name}): ${error.message}`);
      lastError = error.message;
    });
    redis.on('ready', () => {
      if (lastError) this.logger.log(`Redis (${name}): connected again`);
      lastError = '';
    });
    this.redis = redis as RedisWithHit;
  }

  /** Connects in the background: start-up does not wait for (or fail without) Redis. */
  connect(): void {
    this.redis.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await closeRedisConnection(this.redis);
  }

  /** Counts one hit on `counters` in order; `limitedBy` is the index of the counter that refused. */
  async hit(counters: RateCounter[], windowMs: number): Promise<RateVerdict> {
    try {
      await this.whenReady();
      const [refusedBy, pttl] = await this.redis.rateLimitHit(
        counters.length,
        ...counters.map((c) => c.key),
        windowMs,
        ...counters.map((c) => c.max),
      );
      if (refusedBy === 0) return { allowed: true };
      const msLeft = pttl > 0 ? pttl : windowMs;
      return { allowed: false, limitedBy: refusedBy - 1, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
    } catch (error) {
      this.warnUnavailable(error);
      return { allowed: true };
    }
  }

  /** Clears a counter (a successful login clears its account's count). */
  async clear(key: string): Promise<void> {
    try {
      await this.whenReady();
      await this.redis.del(key);
    } catch (error) {
      this.warnUnavailable(error);
    }
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

  private warnUnavailable(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Rate limiting is off (${this.name}): Redis unavailable (${reason})`);
  }
}
