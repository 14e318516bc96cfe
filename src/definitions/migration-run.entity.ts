import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { StepMapping } from '../engine/case-migration.js';

export type MigrationRunStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * One migration of running cases from one version of a workflow to a newer one, started by
 * a city administrator and carried out by a BullMQ job that holds only this row's id. At
 * most one run per workflow key is queued or running at a time (partial unique index).
 * The counts move in the same transaction as each case's outcome, so they are exact at any
 * moment; the cases themselves and their outcomes are `migration_run_cases`.
 */
@Entity({ name: 'migration_runs' })
@Check('chk_migration_runs_status', `"status" IN ('queued', 'running', 'done', 'failed')`)
@Index('uq_migration_runs_active', ['workflowKey'], { unique: true, where: `"status" IN ('queued', 'running')` })
@Index('idx_migration_runs_key', ['workflowKey', 'createdAt'])
export class MigrationRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_migration_runs' })
  id!: string;

  @Column({ name: 'workflow_key', type: 'varchar', length: 64 })
  workflowKey!: string;

  @Column({ name: 'from_version', type: 'int' })
  fromVersion!: number;

  @Column({ name: 'to_version', type: 'int' })
  toVersion!: number;

  /** Old step → new step, as requested (steps not named map to the step of the same key). */
  @Column({ type: 'jsonb' })
  mapping!: StepMapping;

  /** The administrator who started it: the actor of every case's `definition`/`migrated` event. */
  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: MigrationRunStatus;

  /** The cases the run takes (fixed when it is queued). */
  @Column({ type: 'int' })
  total!: number;

  @Column({ type: 'int', default: 0 })
  migrated!: number;

  /** Left untouched, with the reason (finished, no counterpart, signers pending, another version …). */
  @Column({ type: 'int', default: 0 })
  refused!: number;

  /** Already on the target version when the run came to them: nothing to do. */
  @Column({ type: 'int', default: 0 })
  skipped!: number;

  /** Their transaction failed and was rolled back: they are still on the old version. */
  @Column({ type: 'int', default: 0 })
  failed!: number;

  // Times from the injected Clock, never from the database: tests move time.
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Why a failed run stopped (its versions no longer fit, its job failed for good). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;
}

export type MigrationCaseOutcome = 'pending' | 'migrated' | 'refused' | 'skipped' | 'failed';

/**
 * A case a run takes, in the order it takes them (`position`), and what became of it. A
 * case's row leaves `pending` in the same transaction as the case's migration, so a run
 * resumed after its worker died continues with the cases still pending and never takes a
 * case twice. `case_id` has no foreign key: an id the administrator named may name no case
 * (it is refused, with that reason).
 */
@Entity({ name: 'migration_run_cases' })
@Check('chk_migration_run_cases_outcome', `"outcome" IN ('pending', 'migrated', 'refused', 'skipped', 'failed')`)
@Index('idx_migration_run_cases_outcome', ['runId', 'outcome', 'position'])
export class MigrationRunCaseEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'pk_migration_run_cases' })
  runId!: string;

  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_migration_run_cases' })
  caseId!: string;

  @ManyToOne(() => MigrationRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_migration_run_cases_run' })
  run?: Relation<MigrationRunEntity>;

  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 16 })
  outcome!: MigrationCaseOutcome;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'handled_at', type: 'timestamptz', nullable: true })
  handledAt!: Date | null;
}
