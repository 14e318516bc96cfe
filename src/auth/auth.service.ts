import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { dummyPasswordHash, verifyPassword } from '../org/password-hasher.js';
import { UsersService } from '../org/users.service.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import type { JwtPayload } from './jwt-auth.guard.js';
import type { LoginResponseDto } from './dto/login-response.dto.js';

/** Consecutive failures before an account is locked, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_DURATION_MS = 15 * 60 * 1000;

// One message for every failure, so the answer never tells whether a username exists
// or is locked.
const INVALID_CREDENTIALS = 'Invalid username or password';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    private readonly limiter: LoginRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `address` is the client's (req.ip). The rate limit is checked first, before the
   * database and the hasher, so refused attempts cost next to nothing.
   */
  async login(username: string, password: string, address: string): Promise<LoginResponseDto> {
    const verdict = await this.limiter.attempt(username, address);
    if (!verdict.allowed) {
      this.logger.warn(`Login refused for ${username} from ${address}: too many attempts per ${verdict.limitedBy}`);
      throw new AuthException('Too many login attempts; try again later', AuthExceptionCode.TOO_MANY_ATTEMPTS, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
    const user = await this.users.findByUsername(username);
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password); // same cost as a real check
      throw new AuthException(INVALID_CREDENTIALS, AuthExceptionCode.INVALID_CREDENTIALS);
    }
    const now = this.clock.now();
    const valid = await verifyPassword(user.passwordHash, password);
    if (user.lockedUntil && user.lockedUntil > now) {
      this.logger.warn(`Login refused for locked account ${user.username}`);
      throw new AuthException(INVALID_CREDENTIALS, AuthExceptionCode.INVALID_CREDENTIALS);
    }
    if (!valid) {
      await this.users.recordFailedLogin(user, now, MAX_FAILED_LOGINS, LOCK_DURATION_MS);
      throw new AuthException(INVALID_CREDENTIALS, AuthExceptionCode.INVALID_CREDENTIALS);
    }
    await this.users.recordSuccessfulLogin(user);
    await this.limiter.succeeded(username);
    const payload: JwtPayload = { sub: user.id, username: user.username };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, expiresIn: this.config.jwtExpiresInSeconds };
  }
}
