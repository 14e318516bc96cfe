import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { CaseEntity } from './case.entity.js';

/**
 * Append-only, hash-chained record of everything that happened to a case:
 * hash = sha256(prev_hash + canonical row). `seq` orders entries within a case.
 */
@Entity({ name: 'case_history' })
@Unique('uq_case_history_case_seq', ['caseId', 'seq'])
export class CaseHistoryEntity {
  /** bigint comes back from pg as a string: JavaScript numbers cannot hold every bigint. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_case_history' })
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @ManyToOne(() => CaseEntity, { nullable: false })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_history_case' })
  case?: Relation<CaseEntity>;

  @Column({ name: 'seq', type: 'int' })
  seq!: number;

  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType!: string;

  @Column({ name: 'action', type: 'varchar', length: 64, nullable: true })
  action!: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  /** Who acted as they were at the time (name, roles, jurisdiction), or the system. */
  @Column({ name: 'actor', type: 'jsonb', nullable: true })
  actor!: Record<string, unknown> | null;

  @Column({ name: 'payload', type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'at', type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ name: 'hash', type: 'char', length: 64 })
  hash!: string;
}
