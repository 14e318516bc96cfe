import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { DigestService } from './digest.service.js';
import { EmailDeliveriesService } from './email-deliveries.service.js';
import { MailService, mailFromProvider } from './mail.service.js';
import { AdminEmailsController, NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { OutboxDeliveryService } from './outbox-delivery.service.js';

/**
 * In-app notifications, mail and the supervisors' digest. Imported by the API (routes) and
 * by the worker (OutboxDeliveryService for outbox jobs, DigestService for the 08:00 run);
 * importing it brings AlertsModule and GET /api/alerts/overdue along.
 */
@Module({
  imports: [AlertsModule],
  controllers: [NotificationsController, AdminEmailsController],
  providers: [NotificationsService, OutboxDeliveryService, DigestService, MailService, mailFromProvider, EmailDeliveriesService],
  exports: [NotificationsService, OutboxDeliveryService, DigestService],
})
export class NotificationsModule {}
