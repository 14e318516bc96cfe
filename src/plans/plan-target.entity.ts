import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A county's share of a year's reduction plan (2:3:5): how many people it is to lift out
 * of poverty that year. The city's target is the sum of its counties'. Seeded for
 * 2016–2018 by migration (src/plans/plan-allocation.ts says how); administrators of the
 * city change a year with PUT /api/plans/:year/targets.
 */
@Entity({ name: 'plan_targets' })
@Check('chk_plan_targets_people', `"target_people" >= 0`)
export class PlanTargetEntity {
  @PrimaryColumn({ name: 'year', type: 'int', primaryKeyConstraintName: 'pk_plan_targets' })
  year!: number;

  @PrimaryColumn({ name: 'county_code', type: 'varchar', length: 12, primaryKeyConstraintName: 'pk_plan_targets' })
  countyCode!: string;

  @Column({ name: 'target_people', type: 'int' })
  targetPeople!: number;

  /** Null for the seeded rows. */
  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
