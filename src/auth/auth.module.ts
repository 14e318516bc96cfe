import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrgModule } from '../org/org.module.js';
import { UsersService } from '../org/users.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { RolesGuard } from './roles.guard.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    OrgModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { expiresIn: config.jwtExpiresInSeconds, algorithm: 'HS256' },
        // Pinning the algorithm on verify rejects tokens signed any other way ('none').
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokenService,
    LoginRateLimiter,
    // Global guards run in this order: authenticate first, then check roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly limiter: LoginRateLimiter,
  ) {}

  /**
   * Wires the login counter reset, and TRUST_PROXY → Express's `trust proxy`, so that behind a reverse proxy req.ip (the
   * address the login limit counts) is the client's, from X-Forwarded-For, rather than
   * the proxy's. Off by default: without a proxy that header is the client's to forge.
   */
  onModuleInit(): void {
    // An administrator's unlock or password reset also clears the account's login counter.
    this.users.onLoginReset((username) => this.limiter.succeeded(username));
    if (this.config.trustProxy === false) return;
    const instance = this.adapterHost.httpAdapter?.getInstance<{ set?: (name: string, value: unknown) => void }>();
    instance?.set?.('trust proxy', this.config.trustProxy);
  }
}
