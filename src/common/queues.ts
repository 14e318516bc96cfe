import { Inject } from '@nestjs/common';
import type { Queue } from 'bullmq';

/**
 * BullMQ queues and the jobs they carry. Redis only delivers: every job points at a
 * PostgreSQL row and its consumer re-reads that row, so a lost, duplicated or late job
 * costs time, never correctness.
 */
export enum QueueName {
  Outbox = 'outbox',
}

export enum JobName {
  /** Publish one outbox row to its consumer (mail, in-app notification). */
  DeliverOutboxMessage = 'deliver-outbox-message',
}

/** The data each job carries: ids only, never copies of database state. */
export interface JobPayloads {
  [JobName.DeliverOutboxMessage]: { outboxId: string };
}

/** Which jobs run on which queue. */
export interface QueueJobs {
  [QueueName.Outbox]: JobName.DeliverOutboxMessage;
}

export type TypedQueue<Q extends QueueName> = Queue<JobPayloads[QueueJobs[Q]], unknown, QueueJobs[Q]>;

/**
 * Deterministic job id for an outbox row, so re-publishing the same row is a no-op in
 * BullMQ. (BullMQ refuses purely numeric custom ids and ids containing ':'.)
 */
export function outboxJobId(outboxId: string): string {
  return `outbox-${outboxId}`;
}

/** The Nest token of a queue, for tests and custom providers. */
export function queueToken(name: QueueName): string {
  return `bullmq:queue:${name}`;
}

/** `constructor(@InjectQueue(QueueName.Outbox) private readonly outbox: TypedQueue<QueueName.Outbox>)` */
export const InjectQueue = (name: QueueName): ParameterDecorator => Inject(queueToken(name));

export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
