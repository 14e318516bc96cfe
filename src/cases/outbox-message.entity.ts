import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A side effect written in the same transaction as the action that caused it; the
 * worker's relay publishes it to BullMQ (job id = outbox id) and stamps published_at.
 * The partial index keeps the relay's "what is still unpublished and due" scan small.
 */
@Entity({ name: 'outbox' })
@Index('idx_outbox_unpublished_available_at', ['availableAt'], { where: '"published_at" IS NULL' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_outbox' })
  id!: string;

  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId!: string | null;

  @Column({ name: 'kind', type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'payload', type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'available_at', type: 'timestamptz' })
  availableAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
