import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { ObjectionRateLimiter } from './objection-rate-limiter.js';
import { PublicException, PublicExceptionCode } from './public.exception.js';

/**
 * Counts the request against its address before the body is even validated (guards run
 * before pipes), so refused requests cost next to nothing; over the limit: 429 with
 * Retry-After.
 */
@Injectable()
export class ObjectionRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: ObjectionRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const verdict = await this.limiter.hit(clientAddress(http.getRequest<ClientRequest>()));
    if (verdict.allowed) return true;
    // The error filter writes the body; the header has to be set here.
    http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('Retry-After', String(verdict.retryAfterSeconds));
    throw new PublicException('提交过于频繁，请稍后再试 / Too many objections from this address; try again later', PublicExceptionCode.TOO_MANY_OBJECTIONS, {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
}
