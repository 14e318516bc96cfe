import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const DISASTER_TYPES = ['typhoon', 'flood', 'drought', 'landslide', 'other'] as const;
export type DisasterType = (typeof DISASTER_TYPES)[number];

/** A major natural disaster recorded by an administrator: its type, date and affected towns. */
@Entity({ name: 'disasters' })
@Check('chk_disasters_type', `"type" IN ('typhoon', 'flood', 'drought', 'landslide', 'other')`)
@Index('idx_disasters_occurred', ['occurredOn'])
export class DisasterEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_disasters' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: DisasterType;

  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  /** Town codes (9 digits). */
  @Column({ name: 'affected_towns', type: 'varchar', length: 9, array: true })
  affectedTowns!: string[];

  @Column({ type: 'text' })
  description!: string;

  /**
   * Resident IDs typed into the description: the column holds them masked, this the sealed text
   * (`{description: …}`), which the re-entry cases get; null when none.
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;

  /** The recording administrator's node. */
  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12 })
  jurisdictionCode!: string;

  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** The disaster-reentry case started for a household hit by a disaster: once per (disaster, household). */
@Entity({ name: 'disaster_reentries' })
@Index('uq_disaster_reentries_case', ['caseId'], { unique: true })
export class DisasterReentryEntity {
  @PrimaryColumn({ name: 'disaster_id', type: 'uuid', primaryKeyConstraintName: 'pk_disaster_reentries' })
  disasterId!: string;

  @PrimaryColumn({ name: 'household_id', type: 'uuid', primaryKeyConstraintName: 'pk_disaster_reentries' })
  householdId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
