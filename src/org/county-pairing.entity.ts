import { Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { JurisdictionEntity } from './jurisdiction.entity.js';

/**
 * The county pairing (对口帮扶) as data: `helper_code` helps `helped_code`. The seed's four
 * pairs are inserted at start-up (ON CONFLICT DO NOTHING); administrators may add more later.
 */
@Entity({ name: 'county_pairings' })
export class CountyPairingEntity {
  @PrimaryColumn({ name: 'helper_code', type: 'varchar', length: 12, primaryKeyConstraintName: 'pk_county_pairings' })
  helperCode!: string;

  @PrimaryColumn({ name: 'helped_code', type: 'varchar', length: 12, primaryKeyConstraintName: 'pk_county_pairings' })
  helpedCode!: string;

  @ManyToOne(() => JurisdictionEntity, { nullable: false })
  @JoinColumn({ name: 'helper_code', foreignKeyConstraintName: 'fk_county_pairings_helper' })
  helper?: Relation<JurisdictionEntity>;

  @ManyToOne(() => JurisdictionEntity, { nullable: false })
  @JoinColumn({ name: 'helped_code', foreignKeyConstraintName: 'fk_county_pairings_helped' })
  helped?: Relation<JurisdictionEntity>;
}
