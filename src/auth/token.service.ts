import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { UserEntity } from '../org/user.entity.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';

export type TokenType = 'access' | 'refresh';

/**
 * What both kinds of token carry: the user, the kind (`typ`), and the user's token version
 * (`tv`) when the token was issued. A password reset, a change of roles or jurisdiction and a
 * deactivation raise the user's version, so every token issued before is refused.
 */
export interface JwtPayload {
  sub: string;
  username: string;
  typ: TokenType;
  tv: number;
}

export interface TokenPair {
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds the refresh token lives. */
  refreshExpiresIn: number;
}

const INVALID_TOKEN = 'The token is invalid or has expired';

/**
 * Signs and checks access and refresh tokens. Each kind has its own HMAC key (JWT_SECRET,
 * JWT_REFRESH_SECRET) and its own `typ`, so a refresh token is never accepted as an access
 * token or the other way round, even if both keys were configured alike.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(user: Pick<UserEntity, 'id' | 'username' | 'tokenVersion'>): Promise<TokenPair> {
    const claims = { sub: user.id, username: user.username, tv: user.tokenVersion };
    const [accessToken, refreshToken] = await Promise.all([
      this.jwt.signAsync({ ...claims, typ: 'access' } satisfies JwtPayload),
      this.jwt.signAsync({ ...claims, typ: 'refresh' } satisfies JwtPayload, {
        secret: this.config.jwtRefreshSecret,
        expiresIn: this.config.jwtRefreshExpiresInSeconds,
      }),
    ]);
    return {
      accessToken,
      expiresIn: this.config.jwtExpiresInSeconds,
      refreshToken,
      refreshExpiresIn: this.config.jwtRefreshExpiresInSeconds,
    };
  }

  /** The payload of a valid, unexpired token of that kind; 401 INVALID_TOKEN otherwise. */
  async verify(token: string, type: TokenType): Promise<JwtPayload> {
    let payload: Partial<JwtPayload>;
    try {
      payload = await this.jwt.verifyAsync<JwtPayload>(token, type === 'refresh' ? { secret: this.config.jwtRefreshSecret } : {});
    } catch {
      throw new AuthException(INVALID_TOKEN, AuthExceptionCode.INVALID_TOKEN);
    }
    if (payload.typ !== type || typeof payload.sub !== 'string' || !Number.isInteger(payload.tv)) {
      throw new AuthException(INVALID_TOKEN, AuthExceptionCode.INVALID_TOKEN);
    }
    return payload as JwtPayload;
  }

  /** The user a token names may still use it: active, and no change since the token was issued. */
  assertCurrent(payload: JwtPayload, user: Pick<UserEntity, 'active' | 'tokenVersion'> | null): asserts user is UserEntity {
    if (!user || !user.active || user.tokenVersion !== payload.tv) {
      throw new AuthException(INVALID_TOKEN, AuthExceptionCode.INVALID_TOKEN);
    }
  }
}
