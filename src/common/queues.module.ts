import { Global, Inject, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { QueueName, REDIS_CONNECTION, queueToken } from './queues.js';

/**
 * A Redis connection for BullMQ. Producers (`blocking: false`) fail fast while Redis is
 * away (no offline queue): the relay and the scheduler then roll back and leave their rows
 * in PostgreSQL for the next tick. Workers (`blocking: true`) wait for Redis to come back,
 * as BullMQ requires (maxRetriesPerRequest: null). BullMQ's ESM build cannot load ioredis
 * by itself, so it is always handed an instance.
 */
export function createRedisConnection(redisUrl: string, { blocking, name }: { blocking: boolean; name: string }): Redis {
  const logger = new Logger('Redis');
  const redis = blocking
    ? new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: name })
    : new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: name });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis repeats the same error on every reconnection attempt: log changes only.
    if (error.message !== lastError) logger.warn(`Redis (${name}): ${error.message}`);
    lastError = error.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.log(`Redis (${name}): connected again`);
    lastError = '';
  });
  return redis;
}

/** Closes a connection we own, resolving once its socket is really gone. */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  // Between two reconnection attempts there is no socket: disconnect() just stops retrying
  // and no 'end' follows. Otherwise wait for the socket to close (at most 2 s).
  const socketless = redis.status === 'reconnecting' || redis.status === 'wait';
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    redis.once('end', () => resolve());
    timer = setTimeout(resolve, 2000);
  });
  // quit() lets pending replies arrive; disconnect() when Redis is not reachable anyway.
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
  if (!socketless) await ended;
  clearTimeout(timer);
}

const redisProvider: Provider = {
  provide: REDIS_CONNECTION,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Redis => createRedisConnection(config.redisUrl, { blocking: false, name: 'fupin-producer' }),
};

const queueProviders: Provider[] = Object.values(QueueName).map((name) => ({
  provide: queueToken(name),
  inject: [REDIS_CONNECTION, APP_CONFIG],
  // Queues share the one connection (BullMQ does not close a connection it was given);
  // workers open their own, as blocking reads need a dedicated one.
  useFactory: (redis: Redis, config: AppConfig) => {
    const queue = new Queue(name, { connection: redis, prefix: config.delivery.bullmqPrefix });
    // Errors also reach the connection's own listener; without one here Node would throw.
    queue.on('error', () => undefined);
    return queue;
  },
}));

/**
 * One ioredis connection and a BullMQ Queue per QueueName (with the configured key
 * prefix), closed on shutdown: queues first, then the connection they share.
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
    await closeRedisConnection(this.redis);
  }
}
