import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { numericColumn } from '../rules/yearly-rules.entity.js';
import { HouseholdEntity } from './household.entity.js';
import type { AttachmentKind, FileChange, IncomeSource } from './household-file.js';

/**
 * The yearly and dated records of a household file: incomes, the 两不愁三保障 checklist,
 * visits, attachments and the version log. One file for the lot: they are small and only
 * ever read through the household.
 */

/**
 * One income record of a year. Per-capita disposable income = the year's records summed /
 * the members (src/households/household-file.ts). Wage and transfer incomes are ≥ 0; net
 * business and property incomes may be negative (a loss), as in the statistics' definition.
 */
@Entity({ name: 'household_incomes' })
@Check('chk_household_incomes_source', `"source" IN ('wage', 'business', 'property', 'transfer')`)
@Check('chk_household_incomes_sign', `"amount" >= 0 OR "source" IN ('business', 'property')`)
@Index('idx_household_incomes_household_year', ['householdId', 'year'])
export class HouseholdIncomeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_household_incomes' })
  id!: string;

  @Column({ name: 'household_id', type: 'uuid' })
  householdId!: string;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_incomes_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'year', type: 'smallint' })
  year!: number;

  @Column({ name: 'source', type: 'varchar', length: 16 })
  source!: IncomeSource;

  @Column({ name: 'amount', type: 'numeric', precision: 12, scale: 2, transformer: numericColumn })
  amount!: number;

  @Column({ name: 'note', type: 'varchar', length: 200, nullable: true })
  note!: string | null;

  /**
   * Resident IDs typed into `note`: the column holds them masked, this the sealed text (`{note: …}`); null when none.
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;
}

/** The 两不愁三保障 checklist of a year: item key → holds; the keys are the year's rules' checklist. */
@Entity({ name: 'household_checklists' })
export class HouseholdChecklistEntity {
  @PrimaryColumn({ name: 'household_id', type: 'uuid', primaryKeyConstraintName: 'pk_household_checklists' })
  householdId!: string;

  @PrimaryColumn({ name: 'year', type: 'smallint', primaryKeyConstraintName: 'pk_household_checklists' })
  year!: number;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_checklists_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'items', type: 'jsonb' })
  items!: Record<string, boolean>;

  @Column({ name: 'checked_on', type: 'date', nullable: true })
  checkedOn!: string | null;
}

/** A visit (走访). Leaders (党政主要领导) must visit each poor household at least twice a year. */
@Entity({ name: 'household_visits' })
@Index('idx_household_visits_household', ['householdId', 'visitedOn'])
export class HouseholdVisitEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_household_visits' })
  id!: string;

  @Column({ name: 'household_id', type: 'uuid' })
  householdId!: string;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_visits_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'visited_on', type: 'date' })
  visitedOn!: string;

  @Column({ name: 'visitor_name', type: 'varchar', length: 50 })
  visitorName!: string;

  /** The visitor's post ('台山市委书记', '驻村第一书记'). */
  @Column({ name: 'visitor_role', type: 'varchar', length: 100, nullable: true })
  visitorRole!: string | null;

  /** A leading party or government official (counts towards the two visits a year). */
  @Column({ name: 'leader', type: 'boolean', default: false })
  leader!: boolean;

  @Column({ name: 'notes', type: 'text', nullable: true })
  notes!: string | null;

  /**
   * Resident IDs typed into the visitor's name, post or the notes: the columns hold them masked,
   * this the sealed texts (`{notes: …}`); null when none.
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;

  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/**
 * An attachment (meeting minutes, notice photos) of a household. The bytes are in the
 * attachment store (a local directory or S3-compatible storage) under
 * `households/<household id>/<attachment id>`: keyed by the household, so they stay with
 * it whatever happens to the cases they document.
 */
@Entity({ name: 'household_attachments' })
@Check('chk_household_attachments_kind', `"kind" IN ('meeting-minutes', 'notice-photo', 'other')`)
@Index('idx_household_attachments_household', ['householdId', 'uploadedAt'])
export class HouseholdAttachmentEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'pk_household_attachments' })
  id!: string;

  @Column({ name: 'household_id', type: 'uuid' })
  householdId!: string;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_attachments_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'kind', type: 'varchar', length: 24 })
  kind!: AttachmentKind;

  @Column({ name: 'file_name', type: 'varchar', length: 200 })
  fileName!: string;

  /**
   * A resident ID in the uploaded file's name: the column holds it masked (and the download is
   * named so), this the sealed text (`{fileName: …}`); null when none.
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;

  /** Detected from the bytes, never the client's claim. */
  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'int' })
  sizeBytes!: number;

  @Column({ name: 'sha256', type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 300 })
  storageKey!: string;

  /** The case the document belongs to (民主评议 minutes, 公示 photos), if any. */
  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId!: string | null;

  @Column({ name: 'uploaded_by', type: 'uuid', nullable: true })
  uploadedBy!: string | null;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt!: Date;
}

/** One change of a household file: who, when, what (a list of path / from / to). */
@Entity({ name: 'household_versions' })
export class HouseholdVersionEntity {
  @PrimaryColumn({ name: 'household_id', type: 'uuid', primaryKeyConstraintName: 'pk_household_versions' })
  householdId!: string;

  @PrimaryColumn({ name: 'version', type: 'int', primaryKeyConstraintName: 'pk_household_versions' })
  version!: number;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_versions_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'at', type: 'timestamptz' })
  at!: Date;

  /** Null for a change made by the system (a case ending by a deadline). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 64, nullable: true })
  actorUsername!: string | null;

  /** 'created', 'updated', 'members', 'incomes', 'checklist', 'plan', 'visit', 'attachment', 'case-linked', 'case-status'. */
  @Column({ name: 'kind', type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'changes', type: 'jsonb' })
  changes!: FileChange[];

  /** The case behind a 'case-linked' or 'case-status' change. */
  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId!: string | null;
}
