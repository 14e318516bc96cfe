import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Role } from '../engine/workflow-definition.js';

@Entity({ name: 'users' })
@Unique('uq_users_username', ['username'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id!: string;

  @Column({ name: 'username', type: 'varchar', length: 64 })
  username!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'roles', type: 'text', array: true })
  roles!: Role[];

  /** The jurisdiction node (6-digit county/city or 9-digit town code) the user acts for. */
  @Column({ name: 'jurisdiction_code', type: 'varchar', length: 12 })
  jurisdictionCode!: string;

  /** Where alerts and digests are mailed; users without one get in-app notifications only. */
  @Column({ name: 'email', type: 'varchar', length: 200, nullable: true })
  email!: string | null;

  @Column({ name: 'failed_login_count', type: 'int', default: 0 })
  failedLoginCount!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** Extra permissions beyond the roles, e.g. `reveal-resident-id`. */
  @Column({ name: 'permissions', type: 'text', array: true, default: () => `'{}'` })
  permissions!: string[];

  /** A deactivated user can't log in and is offered no tasks; the row stays for history. */
  @Column({ name: 'active', type: 'boolean', default: true })
  active!: boolean;

  /** Raised when the password, roles or jurisdiction change: older tokens stop working. */
  @Column({ name: 'token_version', type: 'int', default: 0 })
  tokenVersion!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
