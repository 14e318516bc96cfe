import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { residentIdCipherProvider } from '../org/resident-id-cipher.js';
import { ObjectionRateLimitGuard } from './objection-rate-limit.guard.js';
import { ObjectionRateLimiter } from './objection-rate-limiter.js';
import { PublicNoticesController } from './public-notices.controller.js';
import { PublicNoticesService } from './public-notices.service.js';
import { PublicObjectionsService } from './public-objections.service.js';

/** The public notice board and its objections (unauthenticated routes under /api/public). */
@Module({
  imports: [CasesModule, DefinitionsModule, NotificationsModule],
  controllers: [PublicNoticesController],
  providers: [PublicNoticesService, PublicObjectionsService, ObjectionRateLimiter, ObjectionRateLimitGuard, residentIdCipherProvider],
})
export class PublicModule {}
