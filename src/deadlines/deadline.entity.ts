import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { CaseEntity } from '../cases/case.entity.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';

export type DeadlineKind = 'reminder' | 'due' | 'escalation';
export type DeadlineStatus = 'pending' | 'paused' | 'fired' | 'cancelled';

/**
 * One timer of one visit of a step: the reminder before the due time, the due time itself,
 * or rung N of the escalation ladder. PostgreSQL is the source of truth; BullMQ only
 * delivers a job `deadline-{id}-{generation}` when the row comes within the horizon.
 * `generation` grows whenever `due_at` is recomputed (resume after a return, a new
 * calendar year, a migration), so a job carrying an older generation is stale.
 */
@Entity({ name: 'deadlines' })
@Index('idx_deadlines_pending_due_at', ['dueAt'], { where: `"status" = 'pending'` })
// What the scheduler looks for on every tick: pending rows not yet handed to BullMQ.
@Index('idx_deadlines_to_schedule', ['dueAt'], { where: `"status" = 'pending' AND "enqueued_generation" IS DISTINCT FROM "generation"` })
@Index('idx_deadlines_case_step', ['caseId', 'step', 'status'])
export class DeadlineEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_deadlines' })
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @ManyToOne(() => CaseEntity, { nullable: false })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_deadlines_case' })
  case?: Relation<CaseEntity>;

  @Column({ name: 'step', type: 'varchar', length: 64 })
  step!: string;

  @Column({ name: 'step_entry', type: 'int' })
  stepEntry!: number;

  @Column({ name: 'kind', type: 'varchar', length: 16 })
  kind!: DeadlineKind;

  /** 0 for the reminder and the due time; 1, 2, … for the escalation rungs. */
  @Column({ name: 'rung', type: 'int', default: 0 })
  rung!: number;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'generation', type: 'int', default: 1 })
  generation!: number;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status!: DeadlineStatus;

  /** Computed beyond the last published holiday year: recomputed when that year arrives. */
  @Column({ name: 'provisional', type: 'boolean', default: false })
  provisional!: boolean;

  /** When the step's clock started (or resumed), and the settings it was computed from. */
  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'settings', type: 'jsonb' })
  settings!: DeadlineDefinition;

  /**
   * What was left of the step's time when its clock last stopped (补正), in the unit of the
   * step's duration; a resumed clock counted from `started_at` with this much time.
   */
  @Column({ name: 'remaining', type: 'int', nullable: true })
  remaining!: number | null;

  /** The generation last handed to BullMQ; null while the row waits in the table. */
  @Column({ name: 'enqueued_generation', type: 'int', nullable: true })
  enqueuedGeneration!: number | null;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
