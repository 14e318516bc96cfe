import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { CaseEntity } from '../cases/case.entity.js';
import type { Level, Role } from '../engine/workflow-definition.js';

export type TaskStatus = 'open' | 'completed' | 'cancelled';

/**
 * Work waiting for someone at a step. (case_id, step, step_entry) is unique so that
 * opening the same task twice (a retried transaction, a replayed effect) cannot
 * produce a duplicate: step_entry counts how often the case has entered the step.
 */
@Entity({ name: 'tasks' })
@Unique('uq_tasks_case_step_entry', ['caseId', 'step', 'stepEntry'])
@Index('idx_tasks_inbox', ['status', 'role', 'jurisdictionCode'])
// A case's open tasks (every action reads them): without it the lookup goes through
// idx_tasks_inbox, whose `status = 'open'` prefix covers every open task in the system.
@Index('idx_tasks_open_by_case', ['caseId'], { where: `"status" = 'open'` })
// The inbox: tasks offered to a role at a node, in due order (keyset pagination on due_at, id).
@Index('idx_tasks_offered', ['jurisdictionCode', 'role', 'dueAt', 'id'], { where: `"status" = 'open'` })
// Overdue lists (alerts, digests): open tasks from the most overdue on. With the node and
// the id in the index, the page's ids and the per-county counts come from the index alone.
@Index('idx_tasks_open_due', ['dueAt', 'jurisdictionCode', 'id'], { where: `"status" = 'open'` })
// The inbox: tasks assigned to (claimed by, transferred or delegated to) one user.
@Index('idx_tasks_assigned', ['assigneeId', 'dueAt', 'id'], { where: `"status" = 'open' AND "assignee_id" IS NOT NULL` })
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_tasks' })
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @ManyToOne(() => CaseEntity, { nullable: false })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_tasks_case' })
  case?: Relation<CaseEntity>;

  @Column({ name: 'step', type: 'varchar', length: 64 })
  step!: string;

  @Column({ name: 'step_entry', type: 'int' })
  stepEntry!: number;

  @Column({ name: 'role', type: 'varchar', length: 32 })
  role!: Role;

  @Column({ name: 'level', type: 'varchar', length: 16 })
  level!: Level;

  /** The node at `level` that owns the task (the case's ancestor at that level). */
  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12 })
  jurisdictionCode!: string;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: TaskStatus;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId!: string | null;

  /**
   * Who delegated the task (委托): the assignee acts on their behalf until they take it
   * back. Null when the task is not delegated.
   */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId!: string | null;

  /** The due time of the step's deadline, copied here so the inbox sorts and pages by an index. */
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  /**
   * An action the assignee took while signers added after them (后加签) have not signed:
   * `{ action, step, data, comment, actorId }`. The case moves when the last of them signs.
   */
  @Column({ name: 'pending_action', type: 'jsonb', nullable: true })
  pendingAction!: Record<string, unknown> | null;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'closed_by', type: 'uuid', nullable: true })
  closedBy!: string | null;

  @Column({ name: 'outcome', type: 'varchar', length: 64, nullable: true })
  outcome!: string | null;
}
