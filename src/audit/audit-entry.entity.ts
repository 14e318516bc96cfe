import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row of the audit log: who did (or tried) what to what, and when. Append-only: the
 * migration gives the table a trigger that refuses UPDATE, DELETE and TRUNCATE and revokes
 * those privileges from the application's role, so not even a bug (or an intruder holding
 * the application's credentials) can rewrite what happened.
 *
 * `jurisdiction_code` is the jurisdiction of the thing acted on (a case's, a user's), so an
 * auditor of a county sees the rows of that county only.
 */
@Entity({ name: 'audit_log' })
@Index('idx_audit_log_at', ['at', 'id'])
@Index('idx_audit_log_kind_at', ['kind', 'at'])
@Index('idx_audit_log_actor_at', ['actorId', 'at'])
@Index('idx_audit_log_target', ['targetType', 'targetId'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  id!: string;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at!: Date;

  /** e.g. `auth.login`, `auth.login-failed`, `access.denied`, `resident-id.revealed`, `user.created`, `definition.published`. */
  @Column({ name: 'kind', type: 'varchar', length: 48 })
  kind!: string;

  /** The user who acted; null for an unknown user (a failed login for a missing account) or the system. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 64, nullable: true })
  actorUsername!: string | null;

  /** `case`, `user`, `jurisdiction`, `workflow`, `task`, `route` … */
  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 200, nullable: true })
  targetId!: string | null;

  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12, nullable: true })
  jurisdictionCode!: string | null;

  /** The client's address (req.ip) for requests; null for jobs. */
  @Column({ name: 'address', type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  /** What else matters (the route, the reason, the changed fields). Never a plain resident ID. */
  @Column({ name: 'details', type: 'jsonb', default: () => `'{}'` })
  details!: Record<string, unknown>;
}
