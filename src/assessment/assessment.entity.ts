import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type AssessmentRunStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * One start of a year-end assessment (by an administrator or the yearly scheduler). The
 * BullMQ job carries only this row's id. At most one run per year is queued or running at
 * a time (partial unique index): a second start while one runs answers with that run.
 */
@Entity({ name: 'assessment_runs' })
@Check('chk_assessment_runs_status', `"status" IN ('queued', 'running', 'done', 'failed')`)
@Check('chk_assessment_runs_trigger', `"trigger" IN ('administrator', 'schedule')`)
@Index('uq_assessment_runs_active', ['year'], { unique: true, where: `"status" IN ('queued', 'running')` })
export class AssessmentRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_assessment_runs' })
  id!: string;

  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'varchar', length: 16 })
  trigger!: 'administrator' | 'schedule';

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: AssessmentRunStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Per county what this run did, and the circular (通报). */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}

/**
 * A county's year-end result: one row per (year, county), written once the county's
 * assessment committed ('done'); a county whose transaction failed has a 'failed' row with
 * the error, and the next run assesses it again. The interview opened for a missed target
 * is referenced here: one row per (year, county) holds at most one interview (unique).
 */
@Entity({ name: 'county_assessments' })
@Check('chk_county_assessments_status', `"status" IN ('done', 'failed')`)
@Index('uq_county_assessments_interview', ['interviewCaseId'], { unique: true })
export class CountyAssessmentEntity {
  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_county_assessments' })
  year!: number;

  @PrimaryColumn({ name: 'county_code', type: 'varchar', length: 6, primaryKeyConstraintName: 'pk_county_assessments' })
  countyCode!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'done' | 'failed';

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  /** The plan target, and the re-entered people added to it (纳入下年度计划). */
  @Column({ type: 'int', nullable: true })
  target!: number | null;

  @Column({ name: 'reentered_people', type: 'int', default: 0 })
  reenteredPeople!: number;

  @Column({ name: 'exited_people', type: 'int', default: 0 })
  exitedPeople!: number;

  /** Exited fewer than target + re-entered; null without a target. */
  @Column({ type: 'boolean', nullable: true })
  missed!: boolean | null;

  @Column({ name: 'exit_cases_opened', type: 'int', default: 0 })
  exitCasesOpened!: number;

  @Column({ name: 'interview_case_id', type: 'uuid', nullable: true })
  interviewCaseId!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'assessed_at', type: 'timestamptz' })
  assessedAt!: Date;
}

/**
 * A poverty-exit case the assessment opened: one per (year, household), so a re-run never
 * opens a second one even if the skip check were bypassed.
 */
@Entity({ name: 'assessment_exits' })
@Index('uq_assessment_exits_case', ['caseId'], { unique: true })
export class AssessmentExitEntity {
  @PrimaryColumn({ type: 'int', primaryKeyConstraintName: 'pk_assessment_exits' })
  year!: number;

  @PrimaryColumn({ name: 'household_id', type: 'uuid', primaryKeyConstraintName: 'pk_assessment_exits' })
  householdId!: string;

  @Column({ name: 'county_code', type: 'varchar', length: 6 })
  countyCode!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;
}
