import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { HouseholdEntity } from './household.entity.js';
import type { Schooling } from './household-file.js';

/**
 * A member of a household. The resident ID number is stored as the cases store it
 * (src/cases/resident-id-sealing.ts): the mask for display, the AES-256-GCM token
 * (src/org/resident-id-cipher.ts), and the HMAC blind index — unique, so one person is a
 * member of one household only, and a household can be found by a member's ID without
 * decrypting anything.
 */
@Entity({ name: 'household_members' })
@Check('chk_household_members_age', `"age" BETWEEN 0 AND 130`)
@Check('chk_household_members_schooling', `"schooling" IN ('none', 'preschool', 'primary', 'junior', 'senior', 'vocational', 'college')`)
@Index('idx_household_members_household', ['householdId', 'position'])
@Index('uq_household_members_resident_id', ['residentIdIndex'], { unique: true, where: '"resident_id_index" IS NOT NULL' })
export class HouseholdMemberEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_household_members' })
  id!: string;

  @Column({ name: 'household_id', type: 'uuid' })
  householdId!: string;

  @ManyToOne(() => HouseholdEntity, { nullable: false })
  @JoinColumn({ name: 'household_id', foreignKeyConstraintName: 'fk_household_members_household' })
  household?: Relation<HouseholdEntity>;

  @Column({ name: 'position', type: 'smallint' })
  position!: number;

  @Column({ name: 'name', type: 'varchar', length: 50 })
  name!: string;

  /** 户主, 配偶, 子女 … */
  @Column({ name: 'relation', type: 'varchar', length: 20 })
  relation!: string;

  /**
   * Resident IDs typed into `name` or `relation`: the columns hold them masked, this the sealed
   * texts (`{name: {sealedText: […]}}`); null when there are none. The member's own ID is the
   * `resident_id_*` columns below, never here.
   */
  @Column({ name: 'sealed_text', type: 'jsonb', nullable: true })
  sealedText!: Record<string, unknown> | null;

  @Column({ name: 'resident_id_masked', type: 'varchar', length: 18, nullable: true })
  residentIdMasked!: string | null;

  @Column({ name: 'resident_id_token', type: 'text', nullable: true })
  residentIdToken!: string | null;

  @Column({ name: 'resident_id_index', type: 'char', length: 64, nullable: true })
  residentIdIndex!: string | null;

  @Column({ name: 'age', type: 'smallint' })
  age!: number;

  @Column({ name: 'labour_ability', type: 'boolean' })
  labourAbility!: boolean;

  @Column({ name: 'disability', type: 'boolean', default: false })
  disability!: boolean;

  /** Highest schooling reached or attended now. */
  @Column({ name: 'schooling', type: 'varchar', length: 16, default: 'none' })
  schooling!: Schooling;

  /** Attending school now (义务教育有保障 looks at the children of school age). */
  @Column({ name: 'in_school', type: 'boolean', default: false })
  inSchool!: boolean;

  /** Insured by the basic medical insurance (城乡居民医保 or 职工医保). */
  @Column({ name: 'health_insurance', type: 'boolean', default: false })
  healthInsurance!: boolean;
}
