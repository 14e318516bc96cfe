import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RedisRateLimiter } from '../common/redis-rate-limiter.js';
import { APP_CONFIG, type AppConfig, type LoginLimitConfig } from '../config/app-config.js';

export type LoginAttemptVerdict =
  | { allowed: true }
  | { allowed: false; limitedBy: 'address' | 'account'; retryAfterSeconds: number };

/**
 * Login rate limiting shared by every API process: per client address (every attempt)
 * and per account (attempts since the last success), counted in Redis
 * (src/common/redis-rate-limiter.ts). When Redis is unreachable attempts go through (the
 * account lock in PostgreSQL still applies): logins must not depend on Redis.
 */
@Injectable()
export class LoginRateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly limits: LoginLimitConfig;
  private readonly counters: RedisRateLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = config.loginLimit;
    this.counters = new RedisRateLimiter(config.redisUrl, 'login-limit');
  }

  onModuleInit(): void {
    this.counters.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counters.close();
  }

  /**
   * Counts an attempt; call before the password is checked. The address is counted first:
   * an address over its limit does not also use up the account's attempts.
   */
  async attempt(username: string, address: string): Promise<LoginAttemptVerdict> {
    const { windowMs, maxPerAddress, maxPerAccount } = this.limits;
    const verdict = await this.counters.hit(
      [
        { key: this.addressKey(address), max: maxPerAddress },
        { key: this.accountKey(username), max: maxPerAccount },
      ],
      windowMs,
    );
    if (verdict.allowed) return verdict;
    return { allowed: false, limitedBy: verdict.limitedBy === 0 ? 'address' : 'account', retryAfterSeconds: verdict.retryAfterSeconds };
  }

  /** A successful login clears the account's count. */
  async succeeded(username: string): Promise<void> {
    await this.counters.clear(this.accountKey(username));
  }

  private accountKey(username: string): string {
    return `${this.limits.keyPrefix}:account:${encodeURIComponent(username)}`;
  }

  private addressKey(address: string): string {
    return `${this.limits.keyPrefix}:address:${address}`;
  }
}
