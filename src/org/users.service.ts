import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Role } from '../engine/workflow-definition.js';
import { hashPassword } from './password-hasher.js';
import { UserEntity } from './user.entity.js';

export interface CreateUserInput {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  jurisdictionCode: string;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  async create(input: CreateUserInput): Promise<UserEntity> {
    const user = this.users.create({
      username: input.username,
      displayName: input.displayName,
      passwordHash: await hashPassword(input.password),
      roles: input.roles,
      jurisdictionCode: input.jurisdictionCode,
    });
    return this.users.save(user);
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
}
