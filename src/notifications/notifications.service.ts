import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { Role } from '../engine/workflow-definition.js';
import { NotificationException, NotificationExceptionCode, notificationNotFound } from './notification.exception.js';

export interface NotificationRequest {
  /** User ids; unknown ids and repeats are ignored. */
  recipients: string[];
  caseId: string | null;
  /** What happened ('case-returned', 'deadline-due', 'overdue-digest', …); at most 32 characters. */
  kind: string;
  title: string;
  body: string;
  /**
   * Names the cause (an outbox row, a deadline firing, a digest day) so that delivering the
   * same cause twice writes nothing new. The email of a user is keyed `${dedupKey}:${userId}`.
   */
  dedupKey: string;
  now: Date;
}

export interface NotificationView {
  id: string;
  caseId: string | null;
  kind: string;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

export interface NotificationPage {
  items: NotificationView[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  unreadCount: number;
}

/** Column widths of the notifications / email_deliveries tables (see the migration). */
const TITLE_MAX = 200;
const KIND_MAX = 32;
const DEDUP_MAX = 200;
/** `:` + a uuid: what the email dedup key adds to the caller's key. */
const EMAIL_KEY_SUFFIX = 37;

/** Cuts to `max` characters as PostgreSQL counts them (code points, not UTF-16 units). */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The in-app inbox and the queueing of mail. notify() writes inside the caller's
 * transaction, so a notification exists exactly when the action or firing that caused it
 * committed; the mail itself goes out later through the outbox (kind 'sendEmail'), so SMTP
 * being slow or down never holds up or rolls back a case.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async notify(manager: EntityManager, request: NotificationRequest): Promise<void> {
    const recipients = [...new Set(request.recipients)];
    if (recipients.length === 0) return;
    // A key too long for the email's dedup column would fail the caller's whole transaction
    // at the INSERT; failing here says why. Keys are built by code, so this is a bug, not input.
    if (request.dedupKey.length === 0 || request.dedupKey.length > DEDUP_MAX - EMAIL_KEY_SUFFIX) {
      throw new Error(`notify(): dedupKey must be 1 to ${DEDUP_MAX - EMAIL_KEY_SUFFIX} characters (got ${request.dedupKey.length})`);
    }
    if (request.kind.length === 0 || request.kind.length > KIND_MAX) {
      throw new Error(`notify(): kind must be 1 to ${KIND_MAX} characters (got '${request.kind}')`);
    }
    const title = clip(request.title, TITLE_MAX);
    // Joining users drops ids that are not users (a deleted account), and `active` the
    // deactivated ones, however the caller found them (a task's assignee, a case's starter):
    // a deactivated user gets no notification and no mail.
    await manager.query(
      `INSERT INTO notifications (user_id, case_id, kind, title, body, dedup_key, created_at)
       SELECT u.id, $2, $3, $4, $5, $6, $7 FROM users u WHERE u.id = ANY($1::uuid[]) AND u.active
       ON CONFLICT (user_id, dedup_key) DO NOTHING`,
      [recipients, request.caseId, request.kind, title, request.body, request.dedupKey, request.now],
    );
    // Only emails this call really inserted get an outbox row (RETURNING skips conflicts), so
    // a repeat of the same cause queues no second send.
    await manager.query(
      `WITH new_emails AS (
         INSERT INTO email_deliveries (dedup_key, user_id, to_address, subject, body, status, attempts, created_at)
         SELECT $2 || ':' || u.id, u.id, u.email, $3, $4, 'pending', 0, $5
           FROM users u
          WHERE u.id = ANY($1::uuid[]) AND u.active AND u.email IS NOT NULL AND btrim(u.email) <> ''
         ON CONFLICT (dedup_key) DO NOTHING
         RETURNING id
       )
       INSERT INTO outbox (case_id, kind, payload, created_at, available_at)
       SELECT $6, 'sendEmail', jsonb_build_object('emailId', id), $5, $5 FROM new_emails`,
      [recipients, request.dedupKey, title, request.body, request.now, request.caseId],
    );
  }

  /**
   * Who to tell about work of `role` at the node `jurisdictionCode`: the ids of the active
   * users holding the role bound to that node (not its subtree) — the users a task there is
   * offered to (TaskAssignmentService's eligibility). Reminders, escalations, returned cases,
   * objections and reassigned tasks all find their recipients here.
   */
  async usersToNotify(manager: EntityManager, role: Role, jurisdictionCode: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM users WHERE active AND $1 = ANY(roles) AND jurisdiction_code = $2 ORDER BY username`,
      [role, jurisdictionCode],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The caller's notifications, newest first. The cursor is the (created_at, id) of the
   * last row returned, so paging is stable while new notifications arrive at the top.
   */
  async list(userId: string, options: { unread?: boolean; limit?: number; cursor?: string }): Promise<NotificationPage> {
    const limit = options.limit ?? 20;
    const after = options.cursor !== undefined ? decodeCursor(options.cursor) : undefined;
    const params: unknown[] = [userId, limit + 1];
    let where = 'user_id = $1';
    if (options.unread) where += ' AND read_at IS NULL';
    if (after) {
      params.push(after.micros, after.id);
      // Microseconds since the epoch compare exactly, whatever precision created_at holds.
      where += ` AND (created_at, id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::uuid)`;
    }
    const rows: (NotificationRow & { micros: string })[] = await this.dataSource.query(
      `SELECT id, case_id, kind, title, body, created_at, read_at,
              (extract(epoch FROM created_at) * 1000000)::bigint::text AS micros
         FROM notifications WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const [{ count }] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM notifications WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit && last ? encodeCursor(last.micros, last.id) : null,
      unreadCount: count,
    };
  }

  /** Marks one of the caller's notifications read; reading it again keeps the first time. */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    const [rows] = await this.dataSource.query(
      `UPDATE notifications SET read_at = coalesce(read_at, $3)
        WHERE id = $1 AND user_id = $2
        RETURNING id, case_id, kind, title, body, created_at, read_at`,
      [id, userId, this.clock.now()],
    );
    // The user_id condition makes another user's notification indistinguishable from none.
    if (!rows || rows.length === 0) throw notificationNotFound(id);
    return toView(rows[0]);
  }

  async markAllRead(userId: string): Promise<{ updated: number }> {
    const [, updated] = await this.dataSource.query(
      `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`,
      [userId, this.clock.now()],
    );
    return { updated: Number(updated) || 0 };
  }
}

interface NotificationRow {
  id: string;
  case_id: string | null;
  kind: string;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

function toView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    caseId: row.case_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: base64url of `<microseconds>.<id>`. */
function encodeCursor(micros: string, id: string): string {
  return Buffer.from(`${micros}.${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const [micros, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !/^-?\d{1,18}$/.test(micros ?? '') || !UUID.test(id ?? '')) {
    throw new NotificationException('The cursor is not one this API handed out', NotificationExceptionCode.INVALID_CURSOR);
  }
  return { micros, id };
}
