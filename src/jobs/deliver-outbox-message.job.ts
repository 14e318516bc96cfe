import { Injectable } from '@nestjs/common';
import { JobName, type JobResults, type TypedJob } from '../common/queues.js';
import { OutboxDeliveryService } from '../notifications/outbox-delivery.service.js';
import { isFinalAttempt, JobHandler, type JobHandlerOf } from './job-handler.js';

/**
 * Delivers one outbox row. OutboxDeliveryService re-reads the row and is idempotent; it
 * throws to ask for a retry (BullMQ's backoff), and on the final attempt records a
 * permanent failure instead of throwing.
 */
@Injectable()
@JobHandler(JobName.DeliverOutboxMessage)
export class DeliverOutboxMessageJob implements JobHandlerOf<JobName.DeliverOutboxMessage> {
  constructor(private readonly delivery: OutboxDeliveryService) {}

  handle(job: TypedJob<JobName.DeliverOutboxMessage>): Promise<JobResults[JobName.DeliverOutboxMessage]> {
    return this.delivery.deliver(job.data.outboxId, { number: job.attemptsMade + 1, final: isFinalAttempt(job) });
  }
}
