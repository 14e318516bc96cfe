import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { CalendarAdminService } from './calendar-admin.service.js';
import { CalendarController } from './calendar.controller.js';
import { DeadlineFiringService } from './deadline-firing.service.js';
import { DeadlinesModule } from './deadlines.module.js';

/**
 * Firing deadlines and recomputing them for a new calendar year act on cases (timeout
 * actions, history rows) and notify people, so this sits above both; the cases module
 * itself only writes deadline rows.
 */
@Module({
  imports: [CasesModule, DefinitionsModule, NotificationsModule, DeadlinesModule],
  controllers: [CalendarController],
  providers: [DeadlineFiringService, CalendarAdminService],
  exports: [DeadlineFiringService],
})
export class DeadlineFiringModule {}
