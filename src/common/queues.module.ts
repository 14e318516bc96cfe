import { Global, Inject, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { QueueName, REDIS_CONNECTION, queueToken } from './queues.js';

const redisProvider: Provider = {
  provide: REDIS_CONNECTION,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Redis => {
    const logger = new Logger('Redis');
    // BullMQ requires maxRetriesPerRequest: null so that its blocking commands wait
    // for Redis to come back instead of failing; Redis being away only costs time.
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    redis.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
    return redis;
  },
};

const queueProviders: Provider[] = Object.values(QueueName).map((name) => ({
  provide: queueToken(name),
  inject: [REDIS_CONNECTION],
  // Queues share the one connection (BullMQ does not close a connection it was given);
  // workers will open their own, as blocking reads need a dedicated one.
  useFactory: (redis: Redis) => new Queue(name, { connection: redis }),
}));

/**
 * One ioredis connection and a BullMQ Queue per QueueName, closed on shutdown:
 * queues first, then the connection they share.
 */
@Global()
@Module({
  providers: [redisProvider, ...queueProviders],
  exports: [REDIS_CONNECTION, ...queueProviders.map((p) => (p as { provide: string }).provide)],
})
export class QueuesModule implements OnApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const name of Object.values(QueueName)) {
      await this.moduleRef.get<Queue>(queueToken(name)).close();
    }
    if (this.redis.status === 'end') return;
    // Resolve only once the socket is really gone, so nothing outlives the app.
    const ended = new Promise<void>((resolve) => this.redis.once('end', () => resolve()));
    // quit() lets pending replies arrive; disconnect() when Redis is not reachable anyway.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
    await ended;
  }
}
