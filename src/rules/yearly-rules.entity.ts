import { Check, Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import type { ChecklistItem, RuleFigure } from './yearly-rules.js';

/** pg returns numeric as a string (it may not fit a double); the figures here always do. */
export const numericColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * The poverty-alleviation rules of one year (src/rules/yearly-rules.ts). Seeded for
 * 2016–2018 by a migration, edited by administrators (PUT /api/rules/:year, audited).
 */
@Entity({ name: 'yearly_rules' })
@Check('chk_yearly_rules_year', `"year" BETWEEN 2000 AND 2100`)
@Check('chk_yearly_rules_figures', `"poverty_line" > 0 AND "rural_low_line" > 0 AND "urban_dibao_standard" > 0 AND "rural_mean_income" > 0 AND "urban_exit_ratio" > 0 AND "rural_exit_ratio" > 0`)
export class YearlyRulesEntity {
  @PrimaryColumn({ name: 'year', type: 'smallint', primaryKeyConstraintName: 'pk_yearly_rules' })
  year!: number;

  @Column({ name: 'poverty_line', type: 'numeric', precision: 12, scale: 2, transformer: numericColumn })
  povertyLine!: number;

  @Column({ name: 'rural_low_line', type: 'numeric', precision: 12, scale: 2, transformer: numericColumn })
  ruralLowLine!: number;

  @Column({ name: 'low_line_counties', type: 'varchar', length: 6, array: true })
  lowLineCounties!: string[];

  @Column({ name: 'urban_dibao_standard', type: 'numeric', precision: 12, scale: 2, transformer: numericColumn })
  urbanDibaoStandard!: number;

  @Column({ name: 'urban_exit_ratio', type: 'numeric', precision: 6, scale: 4, transformer: numericColumn })
  urbanExitRatio!: number;

  @Column({ name: 'rural_mean_income', type: 'numeric', precision: 12, scale: 2, transformer: numericColumn })
  ruralMeanIncome!: number;

  @Column({ name: 'rural_exit_ratio', type: 'numeric', precision: 6, scale: 4, transformer: numericColumn })
  ruralExitRatio!: number;

  @Column({ name: 'checklist', type: 'jsonb' })
  checklist!: ChecklistItem[];

  @Column({ name: 'village_collective_income_target', type: 'numeric', precision: 14, scale: 2, nullable: true, transformer: numericColumn })
  villageCollectiveIncomeTarget!: number | null;

  @Column({ name: 'placeholders', type: 'varchar', length: 40, array: true, default: () => `'{}'` })
  placeholders!: RuleFigure[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** Null for the migration's seed. */
  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;
}
