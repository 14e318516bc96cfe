import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import { maskResidentIdsInText } from '../org/resident-id.js';
import { AuditException, AuditExceptionCode } from './audit.exception.js';

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
  'user.unlocked',
  'jurisdiction.created',
  'jurisdiction.renamed',
  'jurisdiction.retired',
  'definition.published',
  'definition.key-order-restored',
  'definition.changed',
  'definition.deprecated',
  'definition.restored',
  'definition.draft-saved',
  'definition.draft-validated',
  'definition.draft-discarded',
  'definition.migration-queued',
  'definition.migrated',
  'case.migrated',
  'calendar.changed',
  'plan.targets-changed',
  'rules.changed',
  'household.exported',
  'plan.assessment-started',
  'disaster.recorded',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** Who reads the log: rows of their subtree, and rows of no jurisdiction when bound to the city. */
export interface AuditViewer {
  jurisdictionCode: string;
}

export interface AuditFilter {
  kind?: AuditKind;
  actorId?: string;
  /** The actor's username. */
  actor?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  limit: number;
  cursor?: string;
}

export interface AuditEntryView {
  id: string;
  at: Date;
  kind: string;
  actorId: string | null;
  actorUsername: string | null;
  targetType: string | null;
  targetId: string | null;
  jurisdictionCode: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntryView[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

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

  /**
   * The rows a viewer may see, newest first, one page: keyset pagination on (at, id), which
   * idx_audit_log_at serves backwards. Rows of a jurisdiction are seen from inside its
   * subtree (prefix rule); rows of none (failed logins of unknown names, definitions, the
   * calendar) by users bound to the city only.
   */
  async list(viewer: AuditViewer, filter: AuditFilter): Promise<AuditPage> {
    if (filter.from && filter.to && filter.from >= filter.to) {
      throw new AuditException('from must be before to', AuditExceptionCode.INVALID_PERIOD);
    }
    const params: unknown[] = [`${subtreePrefix(viewer.jurisdictionCode)}%`, viewer.jurisdictionCode === JIANGMEN_CODE];
    const where = ['(jurisdiction_code LIKE $1 OR ($2::boolean AND jurisdiction_code IS NULL))'];
    const add = (condition: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.kind !== undefined) add((n) => `kind = ${n}`, filter.kind);
    if (filter.actorId !== undefined) add((n) => `actor_id = ${n}::uuid`, filter.actorId);
    if (filter.actor !== undefined) add((n) => `actor_username = ${n}`, filter.actor);
    if (filter.targetType !== undefined) add((n) => `target_type = ${n}`, filter.targetType);
    if (filter.targetId !== undefined) add((n) => `target_id = ${n}`, filter.targetId);
    if (filter.from !== undefined) add((n) => `at >= ${n}`, filter.from);
    if (filter.to !== undefined) add((n) => `at < ${n}`, filter.to);
    if (filter.cursor !== undefined) {
      const after = decodeCursor(filter.cursor);
      params.push(after.micros, after.id);
      // Microseconds since the epoch compare exactly, whatever precision `at` holds.
      where.push(`(at, id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::bigint)`);
    }
    params.push(filter.limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, at, kind, actor_id AS "actorId", actor_username AS "actorUsername", target_type AS "targetType",
              target_id AS "targetId", jurisdiction_code AS "jurisdictionCode", address, details,
              (extract(epoch FROM at) * 1000000)::bigint::text AS micros
         FROM audit_log WHERE ${where.join(' AND ')}
        -- audit_log.id, not the output column \`id\` (text): '10' sorts before '9' as text.
        ORDER BY at DESC, audit_log.id DESC LIMIT $${params.length}`,
      params,
    )) as Array<AuditEntryView & { micros: string }>;
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ micros: _micros, ...row }) => row),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.micros, last.id) : null,
    };
  }
}

function encodeCursor(micros: string, id: string): string {
  return Buffer.from(`${micros}.${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const [micros, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !/^-?\d{1,18}$/.test(micros ?? '') || !/^\d{1,19}$/.test(id ?? '')) {
    throw new AuditException('The cursor is not one this API handed out', AuditExceptionCode.INVALID_CURSOR);
  }
  return { micros, id };
}
