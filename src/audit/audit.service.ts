import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { maskResidentIdsInText } from '../org/resident-id.js';

/** What happened, as a row of the audit log (src/audit/audit-entry.entity.ts). */
export interface AuditRecord {
  kind: AuditKind;
  actor?: { id: string | null; username?: string | null } | null;
  targetType?: string;
  targetId?: string;
  /** The jurisdiction of the thing acted on, so auditors see the rows of their subtree. */
  jurisdictionCode?: string | null;
  address?: string | null;
  details?: Record<string, unknown>;
}

/** Every kind the application writes; `GET /api/audit?kind=` takes these. */
export const AUDIT_KINDS = [
  'auth.login',
  'auth.login-failed',
  'auth.refreshed',
  'access.denied',
  'resident-id.revealed',
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.password-reset',
  'jurisdiction.created',
  'jurisdiction.renamed',
  'jurisdiction.retired',
  'definition.published',
  'definition.changed',
  'calendar.changed',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * Writes the audit log. By default on a connection of its own, outside any transaction of
 * the caller: a denied access is answered by throwing, which rolls the caller's
 * transaction back — the audit row of the denial must survive that. Pass `manager` only
 * when the row must commit or roll back with the change it records (a user change).
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    // Details are masked once more here: whatever a caller passes, no plain ID reaches the table.
    const details = JSON.parse(maskResidentIdsInText(JSON.stringify(entry.details ?? {}))) as Record<string, unknown>;
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO audit_log (at, kind, actor_id, actor_username, target_type, target_id, jurisdiction_code, address, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        this.clock.now(),
        entry.kind,
        entry.actor?.id ?? null,
        entry.actor?.username ?? null,
        entry.targetType ?? null,
        entry.targetId ?? null,
        entry.jurisdictionCode ?? null,
        entry.address ?? null,
        JSON.stringify(details),
      ],
    );
  }
}
