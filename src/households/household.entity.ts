import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { JurisdictionEntity } from '../org/jurisdiction.entity.js';
import type { RegisterStatus, Volunteer } from './household-file.js';

/**
 * A household file (一户一档). `jurisdiction_code` is the household's village or community
 * (a 12-digit node of the jurisdiction tree); county and town are its prefixes, so "the
 * households of a county/town/village" is one `LIKE 'prefix%'` range scan on
 * idx_households_jurisdiction (text_pattern_ops, set in the migration).
 *
 * `register_status`: none (未建档) → registered (建档立卡) → exited (已脱贫, monitored) →
 * reentered (因灾返贫, back in next year's plan). It follows the household's cases: a trigger
 * on `cases` (migration household-files) moves it when a linked case ends in `registered`,
 * `exited` or `includedInPlan`, and writes the version row. A file may be created in any
 * status (households registered before the system, e.g. the 2015 baseline), never edited
 * into another by hand.
 *
 * `version` counts changes; household_versions keeps each with who and when.
 */
@Entity({ name: 'households' })
@Check('chk_households_status', `"register_status" IN ('none', 'registered', 'exited', 'reentered')`)
@Check('chk_households_village', `length("jurisdiction_code") = 12`)
@Index('idx_households_jurisdiction', ['jurisdictionCode'])
@Index('idx_households_status', ['registerStatus', 'jurisdictionCode'])
export class HouseholdEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_households' })
  id!: string;

  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12 })
  jurisdictionCode!: string;

  @ManyToOne(() => JurisdictionEntity, { nullable: false })
  @JoinColumn({ name: 'jurisdiction_code', foreignKeyConstraintName: 'fk_households_jurisdiction' })
  jurisdiction?: Relation<JurisdictionEntity>;

  @Column({ name: 'head_name', type: 'varchar', length: 50 })
  headName!: string;

  @Column({ name: 'address', type: 'varchar', length: 200, nullable: true })
  address!: string | null;

  /** 农村 (true) or 城镇 (false): decides the poverty line and the exit standard. */
  @Column({ name: 'rural', type: 'boolean' })
  rural!: boolean;

  @Column({ name: 'dibao', type: 'boolean', default: false })
  dibao!: boolean;

  /** 自愿接受帮扶: null until asked. */
  @Column({ name: 'consent', type: 'boolean', nullable: true })
  consent!: boolean | null;

  @Column({ name: 'register_status', type: 'varchar', length: 16, default: 'none' })
  registerStatus!: RegisterStatus;

  @Column({ name: 'registered_on', type: 'date', nullable: true })
  registeredOn!: string | null;

  @Column({ name: 'exited_on', type: 'date', nullable: true })
  exitedOn!: string | null;

  @Column({ name: 'reentered_on', type: 'date', nullable: true })
  reenteredOn!: string | null;

  // 一户一策: the support plan.
  @Column({ name: 'measures', type: 'varchar', length: 32, array: true, default: () => `'{}'` })
  measures!: string[];

  @Column({ name: 'paired_unit', type: 'varchar', length: 100, nullable: true })
  pairedUnit!: string | null;

  @Column({ name: 'responsible_person', type: 'varchar', length: 50, nullable: true })
  responsiblePerson!: string | null;

  /** The "10+1" group: at least ten party-member volunteers paired with this one household. */
  @Column({ name: 'volunteers', type: 'jsonb', default: () => `'[]'` })
  volunteers!: Volunteer[];

  @Column({ name: 'plan_summary', type: 'text', nullable: true })
  planSummary!: string | null;

  /**
   * Resident IDs typed into the free text above (head, address, plan, volunteers' names): those
   * columns hold the text with each ID masked, this the sealed texts in the shape of the API's
   * view (`{address: {sealedText: […]}, plan: {summary: …}}`); null when there are none
   * (src/cases/resident-id-sealing.ts, sealedPart).
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;

  @Column({ name: 'version', type: 'int', default: 0 })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;
}
