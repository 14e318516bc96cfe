import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { dummyPasswordHash, verifyPassword } from '../org/password-hasher.js';
import type { UserEntity } from '../org/user.entity.js';
import { UsersService } from '../org/users.service.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { TokenService, type TokenPair } from './token.service.js';

/** Consecutive failures before an account is locked, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_DURATION_MS = 15 * 60 * 1000;

// One message for every failure, so the answer never tells whether a username exists,
// is locked or deactivated.
const INVALID_CREDENTIALS = 'Invalid username or password';

/** Why a login failed, as the audit log records it (never in the answer). */
export type LoginFailureReason = 'unknown-user' | 'wrong-password' | 'locked' | 'inactive' | 'rate-limited';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
  ) {}

  /**
   * `address` is the client's (req.ip). The rate limit is checked first, before the
   * database and the hasher, so refused attempts cost next to nothing. Every attempt is
   * audited: `auth.login`, or `auth.login-failed` with the username tried and the reason.
   */
  async login(username: string, password: string, address: string): Promise<TokenPair> {
    const verdict = await this.limiter.attempt(username, address);
    if (!verdict.allowed) {
      this.logger.warn(`Login refused for ${username} from ${address}: too many attempts per ${verdict.limitedBy}`);
      await this.recordFailure(username, null, address, 'rate-limited', { limitedBy: verdict.limitedBy });
      throw new AuthException('Too many login attempts; try again later', AuthExceptionCode.TOO_MANY_ATTEMPTS, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
    const user = await this.users.findByUsername(username);
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password); // same cost as a real check
      return this.refuse(username, null, address, 'unknown-user');
    }
    const now = this.clock.now();
    const valid = await verifyPassword(user.passwordHash, password);
    if (user.lockedUntil && user.lockedUntil > now) {
      this.logger.warn(`Login refused for locked account ${user.username}`);
      return this.refuse(username, user, address, 'locked');
    }
    if (!valid) {
      await this.users.recordFailedLogin(user, now, MAX_FAILED_LOGINS, LOCK_DURATION_MS);
      return this.refuse(username, user, address, 'wrong-password');
    }
    if (!user.active) return this.refuse(username, user, address, 'inactive');
    await this.users.recordSuccessfulLogin(user);
    await this.limiter.succeeded(username);
    return this.issue('auth.login', user, address);
  }

  /**
   * A new pair for a valid refresh token of a user who is still active and whose token
   * version has not moved since (no password reset, role or jurisdiction change).
   */
  async refresh(refreshToken: string, address: string): Promise<TokenPair> {
    const payload = await this.tokens.verify(refreshToken, 'refresh');
    const user = await this.users.findById(payload.sub);
    this.tokens.assertCurrent(payload, user);
    return this.issue('auth.refreshed', user, address);
  }

  private async issue(kind: 'auth.login' | 'auth.refreshed', user: UserEntity, address: string): Promise<TokenPair> {
    await this.audit.record({ kind, actor: user, targetType: 'user', targetId: user.id, jurisdictionCode: user.jurisdictionCode, address });
    return this.tokens.issue(user);
  }

  private async refuse(username: string, user: UserEntity | null, address: string, reason: LoginFailureReason): Promise<never> {
    await this.recordFailure(username, user, address, reason);
    throw new AuthException(INVALID_CREDENTIALS, AuthExceptionCode.INVALID_CREDENTIALS);
  }

  /** The username tried is kept in details (it may name nobody); the actor only when it names a user. */
  private recordFailure(
    username: string,
    user: UserEntity | null,
    address: string,
    reason: LoginFailureReason,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.audit.record({
      kind: 'auth.login-failed',
      actor: user,
      targetType: user ? 'user' : undefined,
      targetId: user?.id,
      jurisdictionCode: user?.jurisdictionCode ?? null,
      address,
      details: { username, reason, ...extra },
    });
  }
}
