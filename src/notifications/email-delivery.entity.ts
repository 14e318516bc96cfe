import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type EmailStatus = 'pending' | 'sent' | 'failed';

/**
 * One email to send. Written before the BullMQ job that sends it, so a mail is never lost
 * silently: it is sent, still pending, or failed with the last error for administrators
 * to see. A failure never touches the case it is about.
 */
@Entity({ name: 'email_deliveries' })
@Index('uq_email_deliveries_dedup', ['dedupKey'], { unique: true })
@Index('idx_email_deliveries_status', ['status', 'createdAt'])
export class EmailDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_email_deliveries' })
  id!: string;

  @Column({ name: 'dedup_key', type: 'varchar', length: 200 })
  dedupKey!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'to_address', type: 'varchar', length: 200 })
  toAddress!: string;

  @Column({ name: 'subject', type: 'varchar', length: 200 })
  subject!: string;

  @Column({ name: 'body', type: 'text' })
  body!: string;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status!: EmailStatus;

  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;
}
