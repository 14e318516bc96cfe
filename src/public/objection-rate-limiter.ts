import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RedisRateLimiter, type RateVerdict } from '../common/redis-rate-limiter.js';
import { APP_CONFIG, type AppConfig, type PublicBoardConfig } from '../config/app-config.js';

/**
 * Objections per client address, counted in Redis and so shared by every API process
 * (src/common/redis-rate-limiter.ts, the login limit's counters). Every POST counts, valid
 * or not: a flood of garbage is throttled like a flood of objections. Without Redis the
 * limit is off (logged); the form token, the honeypot and the duplicate check still apply,
 * and a citizen's objection is never refused for the infrastructure's sake.
 */
@Injectable()
export class ObjectionRateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly limits: PublicBoardConfig;
  private readonly counters: RedisRateLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = config.publicBoard;
    this.counters = new RedisRateLimiter(config.redisUrl, 'objection-limit');
  }

  onModuleInit(): void {
    this.counters.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.counters.close();
  }

  hit(address: string): Promise<RateVerdict> {
    const { keyPrefix, maxObjectionsPerAddress, objectionWindowMs } = this.limits;
    return this.counters.hit([{ key: `${keyPrefix}:objections:${address}`, max: maxObjectionsPerAddress }], objectionWindowMs);
  }
}
