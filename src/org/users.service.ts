import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService, type AuditRecord } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import type { Permission } from '../auth/permissions.js';
import { Clock } from '../common/clock.js';
import { isWithin, subtreePrefix } from '../engine/jurisdiction-code.js';
import type { Role } from '../engine/workflow-definition.js';
import { JurisdictionsService, lowestCommonNode } from './jurisdictions.service.js';
import { hashPassword } from './password-hasher.js';
import { UserEntity } from './user.entity.js';
import { UserException, UserExceptionCode } from './users.exception.js';

export interface CreateUserInput {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  jurisdictionCode: string;
  email?: string | null;
  permissions?: Permission[];
}

export interface UpdateUserInput {
  displayName?: string;
  roles?: Role[];
  jurisdictionCode?: string;
  email?: string | null;
  permissions?: Permission[];
  active?: boolean;
}

/** Who changes users, from where: the administrator and the client's address, for the audit log. */
export interface AdminContext {
  admin: AuthUser;
  address: string;
}

/** Fewer distinct characters than this is not a password ('aaaaaaaaaa', '1212121212'). */
const MIN_DISTINCT_CHARACTERS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Changes after which the user's existing tokens must stop working. */
const REVOKING_FIELDS: ReadonlyArray<keyof UpdateUserInput> = ['roles', 'jurisdictionCode', 'active'];
/** Changes recorded with their old and new values; the others (names, email) by name only. */
const VALUE_AUDITED_FIELDS: ReadonlyArray<keyof UpdateUserInput> = ['roles', 'jurisdictionCode', 'permissions', 'active'];

/** Called with a username whose login counters should start afresh (unlock, password reset). */
export type LoginResetListener = (username: string) => Promise<void>;

/**
 * Users: look-ups for authentication, and their administration. An administrator manages
 * the users bound inside their own subtree only (others answer 404, as if they did not
 * exist) and binds users to current nodes inside it (else 422). Every change is one
 * transaction with its audit row; changes of roles, jurisdiction, activity or password
 * raise `token_version`, which revokes every token issued before.
 */
@Injectable()
export class UsersService {
  private readonly loginResetListeners: LoginResetListener[] = [];

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The auth module clears its Redis login counters through this (it depends on this module, not the reverse). */
  onLoginReset(listener: LoginResetListener): void {
    this.loginResetListeners.push(listener);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  /** The users bound inside a subtree, by username. */
  listWithin(jurisdictionCode: string): Promise<UserEntity[]> {
    return this.users
      .createQueryBuilder('u')
      .where('u.jurisdiction_code LIKE :prefix', { prefix: `${subtreePrefix(jurisdictionCode)}%` })
      .orderBy('u.username', 'ASC')
      .getMany();
  }

  /** A user the administrator manages, or 404. */
  async getManaged(admin: AuthUser, id: string): Promise<UserEntity> {
    const user = UUID.test(id) ? await this.findById(id) : null;
    if (!user || !isWithin(user.jurisdictionCode, admin.jurisdictionCode)) throw userNotFound(id);
    return user;
  }

  async create(input: CreateUserInput, context: AdminContext): Promise<UserEntity> {
    checkPassword(input.password, input.username);
    const passwordHash = await hashPassword(input.password);
    return this.inTransaction(async (manager) => {
      await this.checkBinding(manager, context.admin, input.jurisdictionCode);
      const now = this.clock.now();
      const user = manager.getRepository(UserEntity).create({
        username: input.username,
        displayName: input.displayName.trim(),
        passwordHash,
        roles: input.roles,
        jurisdictionCode: input.jurisdictionCode,
        email: input.email ?? null,
        permissions: input.permissions ?? [],
        active: true,
        tokenVersion: 0,
        createdAt: now,
        updatedAt: now,
      });
      const saved = await manager.getRepository(UserEntity).save(user);
      await this.record(manager, context, saved, 'user.created', {
        roles: saved.roles,
        jurisdictionCode: saved.jurisdictionCode,
        permissions: saved.permissions,
      });
      return saved;
    });
  }

  async update(id: string, patch: UpdateUserInput, context: AdminContext): Promise<UserEntity> {
    const given = (Object.keys(patch) as Array<keyof UpdateUserInput>).filter((key) => patch[key] !== undefined);
    if (given.length === 0) {
      throw new UserException('Name at least one field to change', UserExceptionCode.NOTHING_TO_CHANGE);
    }
    return this.inTransaction(async (manager) => {
      const user = await this.lockManaged(manager, context.admin, id);
      const changed = given.filter((key) => !sameValue(user[key], patch[key]));
      if (changed.length === 0) return user;
      if (user.id === context.admin.id && (patch.active === false || (patch.roles && !patch.roles.includes('administrator')))) {
        throw new UserException(
          'You cannot deactivate yourself or give up your own administrator role; another administrator can',
          UserExceptionCode.SELF_LOCKOUT,
        );
      }
      if (changed.includes('jurisdictionCode')) await this.checkBinding(manager, context.admin, patch.jurisdictionCode!);

      const details: Record<string, unknown> = { changed };
      for (const key of changed) {
        if (VALUE_AUDITED_FIELDS.includes(key)) details[key] = { from: user[key], to: patch[key] };
      }
      const before = user.jurisdictionCode;
      const next: Partial<UserEntity> = { updatedAt: this.clock.now() };
      for (const key of changed) Object.assign(next, { [key]: key === 'displayName' ? patch.displayName!.trim() : patch[key] });
      const revokes = changed.some((key) => REVOKING_FIELDS.includes(key));
      const updated = await this.write(manager, user.id, next, revokes);
      const deactivated = changed.includes('active') && patch.active === false;
      // A move is recorded where both ends are visible: the smallest node containing the old and the new one.
      await this.record(manager, context, updated, deactivated ? 'user.deactivated' : 'user.updated', details, lowestCommonNode(before, updated.jurisdictionCode));
      return updated;
    });
  }

  /** An administrator sets a new password: the user's tokens are revoked and any lock lifted. */
  async resetPassword(id: string, password: string, context: AdminContext): Promise<UserEntity> {
    const target = await this.getManaged(context.admin, id);
    checkPassword(password, target.username);
    const passwordHash = await hashPassword(password);
    const updated = await this.inTransaction(async (manager) => {
      const user = await this.lockManaged(manager, context.admin, id);
      const result = await this.write(manager, user.id, { passwordHash, failedLoginCount: 0, lockedUntil: null, updatedAt: this.clock.now() }, true);
      await this.record(manager, context, result, 'user.password-reset', { unlocked: isLocked(user, this.clock.now()) });
      return result;
    });
    await this.loginReset(updated.username);
    return updated;
  }

  /** Lifts the account lock (PostgreSQL) and the login counter (Redis) of a user. */
  async unlock(id: string, context: AdminContext): Promise<UserEntity> {
    const updated = await this.inTransaction(async (manager) => {
      const user = await this.lockManaged(manager, context.admin, id);
      const wasLocked = isLocked(user, this.clock.now());
      const result = await this.write(manager, user.id, { failedLoginCount: 0, lockedUntil: null, updatedAt: this.clock.now() }, false);
      await this.record(manager, context, result, 'user.unlocked', { wasLocked, failedLoginCount: user.failedLoginCount });
      return result;
    });
    await this.loginReset(updated.username);
    return updated;
  }

  /**
   * Counts a failed login and locks the account once `maxFailures` is reached. One
   * UPDATE computing from the stored count, so concurrent failures cannot undercount;
   * the count restarts once a lock is set.
   */
  async recordFailedLogin(user: UserEntity, now: Date, maxFailures: number, lockMs: number): Promise<void> {
    await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        failedLoginCount: () => 'CASE WHEN failed_login_count + 1 >= :max THEN 0 ELSE failed_login_count + 1 END',
        lockedUntil: () => 'CASE WHEN failed_login_count + 1 >= :max THEN CAST(:until AS timestamptz) ELSE locked_until END',
      })
      .where('id = :id', { id: user.id })
      .setParameters({ max: maxFailures, until: new Date(now.getTime() + lockMs).toISOString() })
      .execute();
  }

  async recordSuccessfulLogin(user: UserEntity): Promise<void> {
    if (user.failedLoginCount === 0 && user.lockedUntil === null) return;
    await this.users.update({ id: user.id }, { failedLoginCount: 0, lockedUntil: null });
  }

  private inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work).catch((error: unknown) => {
      if (error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint === 'uq_users_username') {
        throw new UserException('That username is taken', UserExceptionCode.DUPLICATE_USERNAME);
      }
      throw error;
    });
  }

  /** The managed user's row, locked for the change; 404 when unseen. */
  private async lockManaged(manager: EntityManager, admin: AuthUser, id: string): Promise<UserEntity> {
    const user = UUID.test(id)
      ? await manager.getRepository(UserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!user || !isWithin(user.jurisdictionCode, admin.jurisdictionCode)) throw userNotFound(id);
    return user;
  }

  /**
   * A user may be bound to a current node inside the administrator's subtree. The node is
   * locked FOR SHARE until the change commits, so it cannot be retired meanwhile.
   */
  private async checkBinding(manager: EntityManager, admin: AuthUser, code: string): Promise<void> {
    if (!isWithin(code, admin.jurisdictionCode)) {
      throw new UserException(`Jurisdiction ${code} is outside your jurisdiction ${admin.jurisdictionCode}`, UserExceptionCode.JURISDICTION_OUTSIDE_SCOPE, {
        jurisdictionCode: code,
      });
    }
    const node = await this.jurisdictions.lockNode(manager, code, 'share');
    if (!node) throw new UserException(`Jurisdiction ${code} does not exist`, UserExceptionCode.UNKNOWN_JURISDICTION, { jurisdictionCode: code });
    if (node.retiredAt) {
      throw new UserException(`Jurisdiction ${code} (${node.name}) is retired`, UserExceptionCode.RETIRED_JURISDICTION, { jurisdictionCode: code });
    }
  }

  private async write(manager: EntityManager, id: string, values: Partial<UserEntity>, revokeTokens: boolean): Promise<UserEntity> {
    await manager
      .createQueryBuilder()
      .update(UserEntity)
      .set(revokeTokens ? { ...values, tokenVersion: () => 'token_version + 1' } : values)
      .where('id = :id', { id })
      .execute();
    return manager.getRepository(UserEntity).findOneByOrFail({ id });
  }

  private record(
    manager: EntityManager,
    { admin, address }: AdminContext,
    user: UserEntity,
    kind: AuditRecord['kind'],
    details: Record<string, unknown>,
    jurisdictionCode: string | null = user.jurisdictionCode,
  ): Promise<void> {
    return this.audit.record(
      { kind, actor: admin, targetType: 'user', targetId: user.id, jurisdictionCode, address, details: { username: user.username, ...details } },
      manager,
    );
  }

  private async loginReset(username: string): Promise<void> {
    for (const listener of this.loginResetListeners) await listener(username);
  }
}

function userNotFound(id: string): UserException {
  return new UserException(`User ${id} was not found`, UserExceptionCode.USER_NOT_FOUND, { userId: id });
}

function isLocked(user: UserEntity, now: Date): boolean {
  return user.lockedUntil !== null && user.lockedUntil > now;
}

function sameValue(current: unknown, next: unknown): boolean {
  if (Array.isArray(current) && Array.isArray(next)) {
    return current.length === next.length && [...current].sort().join('\u0000') === [...next].sort().join('\u0000');
  }
  if (typeof next === 'string' && typeof current === 'string') return current === next.trim();
  return (current ?? null) === (next ?? null);
}

/**
 * The password policy beyond the DTO's length (10 to 256): not containing the username,
 * and at least 5 different characters. 400 WEAK_PASSWORD listing what is wrong.
 */
export function checkPassword(password: string, username: string): void {
  const problems: string[] = [];
  if (password.toLowerCase().includes(username.toLowerCase())) problems.push('it must not contain the username');
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) problems.push(`it must have at least ${MIN_DISTINCT_CHARACTERS} different characters`);
  if (problems.length > 0) {
    throw new UserException(`The password is too weak: ${problems.join('; ')}`, UserExceptionCode.WEAK_PASSWORD, { problems });
  }
}
