import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { WorkflowDefinitionEntity } from '../definitions/workflow-definition.entity.js';

/**
 * A running or finished procedure. `version` is NOT a TypeORM @VersionColumn: every
 * action bumps it with an explicit conditional UPDATE (… WHERE version = expected),
 * which is what turns a stale write into a 409.
 */
@Entity({ name: 'cases' })
@Index('idx_cases_workflow_key_status', ['workflowKey', 'status'])
@Index('idx_cases_jurisdiction_code', ['jurisdictionCode'])
// The cases of one version: counted per version, and found to migrate them to another.
@Index('idx_cases_definition', ['definitionId'])
// Partial: most cases are called by none; the children of a case are found by this index.
@Index('idx_cases_parent_case_id', ['parentCaseId'], { where: 'parent_case_id IS NOT NULL' })
@Index('idx_cases_household', ['householdId'], { where: '"household_id" IS NOT NULL' })
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_cases' })
  id!: string;

  @Column({ name: 'workflow_key', type: 'varchar', length: 64 })
  workflowKey!: string;

  @Column({ name: 'workflow_version', type: 'int' })
  workflowVersion!: number;

  @Column({ name: 'definition_id', type: 'uuid' })
  definitionId!: string;

  @ManyToOne(() => WorkflowDefinitionEntity, { nullable: false })
  @JoinColumn({ name: 'definition_id', foreignKeyConstraintName: 'fk_cases_definition' })
  definition?: Relation<WorkflowDefinitionEntity>;

  @Column({ name: 'status', type: 'varchar', length: 32 })
  status!: string;

  /** The engine's persisted state (xstate snapshot); opaque to SQL. */
  @Column({ name: 'snapshot', type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  /** Form data gathered so far. */
  @Column({ name: 'data', type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'title', type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12 })
  jurisdictionCode!: string;

  @Column({ name: 'version', type: 'int', default: 0 })
  version!: number;

  /**
   * The head of the hash-chained history: the last row's seq and hash, moved in the same
   * statement as each history insert. Read under the row lock, it gives the next row its
   * seq and prev_hash; compared with the history, it shows rows removed from the end.
   */
  @Column({ name: 'history_seq', type: 'int', default: 0 })
  historySeq!: number;

  @Column({ name: 'history_hash', type: 'char', length: 64, nullable: true })
  historyHash!: string | null;

  /**
   * A case started by a call step of another case (src/engine/call-step.ts): the calling
   * case, and the step and visit of it that waits for this case's outcome. Null otherwise.
   */
  @Column({ name: 'parent_case_id', type: 'uuid', nullable: true })
  parentCaseId!: string | null;

  @ManyToOne(() => CaseEntity, { nullable: true })
  @JoinColumn({ name: 'parent_case_id', foreignKeyConstraintName: 'fk_cases_parent_case' })
  parentCase?: Relation<CaseEntity> | null;

  @Column({ name: 'parent_step', type: 'varchar', length: 64, nullable: true })
  parentStep!: string | null;

  @Column({ name: 'parent_step_entry', type: 'int', nullable: true })
  parentStepEntry!: number | null;
  /** The household file (src/households) the case is about, when started from one. */
  @Column({ name: 'household_id', type: 'uuid', nullable: true })
  householdId!: string | null;

  /** The year whose rules (src/rules) the guards read; null: the year the case started in. */
  @Column({ name: 'rules_year', type: 'smallint', nullable: true })
  rulesYear!: number | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  // Plain columns rather than Create/UpdateDateColumn: times come from the injected
  // Clock, never from TypeORM or the database, so tests can move time.
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
