import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { TaskEntity } from './task.entity.js';

/**
 * Who else must sign a task besides (or instead of) its single assignee:
 *  - `countersign`: a voter of a countersign step (会签 all / 或签 any-one / 票签 vote ratio);
 *    the eligible users of the step's node become voters at the first vote;
 *  - `before`: added (加签 前加签) by the assignee — signs before the assignee may act;
 *  - `after`: added (加签 后加签) — signs after the assignee acted and before the case moves on.
 * `decision` is the action key the signer chose (e.g. `approve`, `return`).
 */
export type TaskSignerKind = 'countersign' | 'before' | 'after';
export type TaskSignerStatus = 'pending' | 'signed' | 'cancelled';

@Entity({ name: 'task_signers' })
@Unique('uq_task_signers_task_user', ['taskId', 'userId'])
// A user's pending signatures: part of the inbox.
@Index('idx_task_signers_pending_user', ['userId'], { where: `"status" = 'pending'` })
export class TaskSignerEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_task_signers' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { nullable: false })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_task_signers_task' })
  task?: Relation<TaskEntity>;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: TaskSignerKind;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: TaskSignerStatus;

  /** Who added the signer (加签); null for the voters of a countersign step. */
  @Column({ name: 'added_by', type: 'uuid', nullable: true })
  addedBy!: string | null;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;

  @Column({ name: 'decision', type: 'varchar', length: 64, nullable: true })
  decision!: string | null;

  @Column({ name: 'comment', type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'signed_at', type: 'timestamptz', nullable: true })
  signedAt!: Date | null;
}
