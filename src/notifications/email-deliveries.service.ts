import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { EmailStatus } from './email-delivery.entity.js';

export interface EmailDeliveryView {
  id: string;
  userId: string | null;
  username: string | null;
  to: string;
  subject: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
}

/** What administrators see of outgoing mail: a failed email is listed, never lost silently. */
@Injectable()
export class EmailDeliveriesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(status: EmailStatus, limit: number): Promise<{ status: EmailStatus; count: number; items: EmailDeliveryView[] }> {
    const rows = await this.dataSource.query(
      `SELECT e.id, e.user_id, u.username, e.to_address, e.subject, e.status, e.attempts, e.last_error,
              e.created_at, e.sent_at, e.failed_at
         FROM email_deliveries e LEFT JOIN users u ON u.id = e.user_id
        WHERE e.status = $1
        ORDER BY coalesce(e.failed_at, e.sent_at, e.created_at) DESC, e.created_at DESC, e.id DESC
        LIMIT $2`,
      [status, limit],
    );
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM email_deliveries WHERE status = $1`, [status]);
    return {
      status,
      count,
      items: rows.map((r: Record<string, unknown>) => ({
        id: r.id,
        userId: r.user_id,
        username: r.username,
        to: r.to_address,
        subject: r.subject,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at,
        sentAt: r.sent_at,
        failedAt: r.failed_at,
      })) as EmailDeliveryView[],
    };
  }
}
