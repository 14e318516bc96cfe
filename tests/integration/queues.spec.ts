import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { QueuesModule } from '../../src/common/queues.module.js';
import {
  JobName,
  QueueName,
  REDIS_CONNECTION,
  outboxJobId,
  queueToken,
  type TypedQueue,
} from '../../src/common/queues.js';
import { ConfigModule } from '../../src/config/config.module.js';

describe('QueuesModule', () => {
  it('provides a working Outbox queue on the shared connection and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule, QueuesModule] }).compile();
    const app = await moduleRef.init();
    const queue = app.get<TypedQueue<QueueName.Outbox>>(queueToken(QueueName.Outbox));
    const redis = app.get<Redis>(REDIS_CONNECTION);

    const jobId = outboxJobId(`test-${process.pid}-${Date.now()}`);
    try {
      // delay: nothing consumes it before it is removed again
      await queue.add(JobName.DeliverOutboxMessage, { outboxId: '1' }, { jobId, delay: 60_000 });
      // The same deterministic id again is a no-op: BullMQ keeps the first job.
      await queue.add(JobName.DeliverOutboxMessage, { outboxId: '2' }, { jobId, delay: 60_000 });
      const job = await queue.getJob(jobId);
      expect(job?.data).toEqual({ outboxId: '1' });
    } finally {
      await queue.remove(jobId);
      await app.close();
    }
    expect(redis.status).toBe('end');
  });
});
