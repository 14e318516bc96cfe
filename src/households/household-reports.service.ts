import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { toCsv, toXlsx, type Cell } from '../common/table-export.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { chinaYear } from '../rules/yearly-rules.js';
import { MEASURE_LABELS, perCapitaIncome, REGISTER_STATUS_LABELS, type RegisterStatus, type SupportMeasure } from './household-file.js';
import { HouseholdException, HouseholdExceptionCode } from './households.exception.js';
import { narrowestScope } from './households.service.js';

/** Leaders (党政主要领导) visit each poor household at least this often a year (seed: 每年至少2次). */
export const LEADER_VISITS_PER_YEAR = 2;

/** The statuses whose households the leaders must visit: those in the support procedure now. */
const VISITED_STATUSES: readonly RegisterStatus[] = ['registered', 'reentered'];

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Buffer;
}

/**
 * Reports over the household files of the caller's subtree: the households short of their
 * two leader visits in a year, and a county's household list for export (CSV, XLSX) with
 * the resident IDs masked. Both are scoped in SQL by the caller's node (prefix range).
 */
@Injectable()
export class HouseholdReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Households registered (or re-entered) that had fewer than two leader visits in `year`:
   * fewest visits first. A household registered after the year is not counted for it.
   */
  async visitAlerts(user: AuthUser, year: number, limit = 200) {
    const params = [`${subtreePrefix(user.jurisdictionCode)}%`, `${year}-01-01`, `${year}-12-31`, VISITED_STATUSES, LEADER_VISITS_PER_YEAR];
    const scope = `h.jurisdiction_code LIKE $1 AND h.register_status = ANY($4::varchar[]) AND (h.registered_on IS NULL OR h.registered_on <= $3::date)`;
    const [{ households, short }] = await this.dataSource.query(
      `SELECT count(*)::int AS households, count(*) FILTER (WHERE visits < $5)::int AS short
         FROM (SELECT h.id, (SELECT count(*) FROM household_visits v WHERE v.household_id = h.id AND v.leader AND v.visited_on BETWEEN $2::date AND $3::date) AS visits
                 FROM households h WHERE ${scope}) counted`,
      params,
    );
    const items = await this.dataSource.query(
      `SELECT h.id, h.head_name AS "headName", h.jurisdiction_code AS "villageCode", j.name AS "villageName",
              h.register_status AS "registerStatus", coalesce(v.visits, 0)::int AS "leaderVisits",
              to_char(v.last_visit, 'YYYY-MM-DD') AS "lastLeaderVisitOn"
         FROM households h
         LEFT JOIN LATERAL (SELECT count(*) AS visits, max(visited_on) AS last_visit FROM household_visits
                             WHERE household_id = h.id AND leader AND visited_on BETWEEN $2::date AND $3::date) v ON true
         LEFT JOIN jurisdictions j ON j.code = h.jurisdiction_code
        WHERE ${scope} AND coalesce(v.visits, 0) < $5
        ORDER BY coalesce(v.visits, 0), h.jurisdiction_code, h.head_name, h.id
        LIMIT $6`,
      [...params, limit],
    );
    return {
      year,
      jurisdictionCode: user.jurisdictionCode,
      requiredLeaderVisits: LEADER_VISITS_PER_YEAR,
      households,
      short,
      items: items.map((item: Record<string, unknown>) => ({ ...item, missingVisits: LEADER_VISITS_PER_YEAR - (item.leaderVisits as number) })),
    };
  }

  /**
   * A county's household list (the part inside the caller's subtree), one row per household:
   * division names, the head's name and masked resident ID, status and dates, members, the
   * year's per-capita income, the plan and the year's leader visits. Audited
   * (`household.exported`): it is a list of personal data leaving the system.
   */
  async export(user: AuthUser, county: string, format: 'csv' | 'xlsx', year = chinaYear(this.clock.now()), address: string | null = null): Promise<ExportFile> {
    const scope = narrowestScope(user.jurisdictionCode, county);
    if (scope === undefined) {
      throw new HouseholdException(`County ${county} is not inside your jurisdiction ${user.jurisdictionCode}`, HouseholdExceptionCode.OUTSIDE_JURISDICTION, { county });
    }
    const rows: ExportRow[] = await this.dataSource.query(
      `SELECT h.id, c.name AS county, t.name AS town, v.name AS village, h.head_name, head.resident_id_masked AS head_id,
              h.rural, h.dibao, h.register_status, to_char(h.registered_on, 'YYYY-MM-DD') AS registered_on,
              to_char(h.exited_on, 'YYYY-MM-DD') AS exited_on, to_char(h.reentered_on, 'YYYY-MM-DD') AS reentered_on,
              m.members, m.able, i.amounts, h.measures, h.paired_unit, h.responsible_person,
              jsonb_array_length(h.volunteers) AS volunteers, coalesce(vis.visits, 0)::int AS leader_visits
         FROM households h
         LEFT JOIN jurisdictions c ON c.code = substr(h.jurisdiction_code, 1, 6)
         LEFT JOIN jurisdictions t ON t.code = substr(h.jurisdiction_code, 1, 9)
         LEFT JOIN jurisdictions v ON v.code = h.jurisdiction_code
         LEFT JOIN LATERAL (SELECT count(*)::int AS members, count(*) FILTER (WHERE labour_ability)::int AS able
                              FROM household_members WHERE household_id = h.id) m ON true
         LEFT JOIN LATERAL (SELECT resident_id_masked FROM household_members WHERE household_id = h.id
                             ORDER BY (relation = '户主') DESC, position LIMIT 1) head ON true
         LEFT JOIN LATERAL (SELECT array_agg(amount::float8) AS amounts FROM household_incomes WHERE household_id = h.id AND year = $2) i ON true
         LEFT JOIN LATERAL (SELECT count(*) AS visits FROM household_visits
                             WHERE household_id = h.id AND leader AND visited_on BETWEEN $3::date AND $4::date) vis ON true
        WHERE h.jurisdiction_code LIKE $1
        ORDER BY h.jurisdiction_code, h.head_name, h.id`,
      [`${subtreePrefix(scope)}%`, year, `${year}-01-01`, `${year}-12-31`],
    );
    const headers = [
      '户编号 Household ID',
      '县（市、区） County',
      '镇（街） Town',
      '村（居） Village',
      '户主姓名 Head',
      '户主身份证号 Resident ID (masked)',
      '城乡 Rural/urban',
      '低保 Dibao',
      '建档状态 Status',
      '建档日期 Registered',
      '脱贫日期 Exited',
      '返贫日期 Re-entered',
      '家庭人口 Members',
      '有劳动能力人数 Able to work',
      `${year}年人均可支配收入 Per-capita income`,
      '帮扶措施 Measures',
      '结对帮扶单位 Paired unit',
      '帮扶责任人 Responsible person',
      '义工人数 Volunteers',
      `${year}年领导走访次数 Leader visits`,
    ];
    const cells: Cell[][] = rows.map((r) => [
      r.id,
      r.county,
      r.town,
      r.village,
      r.head_name,
      r.head_id,
      r.rural ? '农村' : '城镇',
      r.dibao ? '是' : '否',
      REGISTER_STATUS_LABELS[r.register_status].label,
      r.registered_on,
      r.exited_on,
      r.reentered_on,
      r.members,
      r.able,
      perCapitaIncome(r.amounts ?? [], r.members)?.perCapita ?? null,
      r.measures.map((m) => MEASURE_LABELS[m as SupportMeasure] ?? m).join('、') || null,
      r.paired_unit,
      r.responsible_person,
      r.volunteers,
      r.leader_visits,
    ]);
    await this.audit.record({
      kind: 'household.exported',
      actor: user,
      targetType: 'household-list',
      targetId: scope,
      jurisdictionCode: scope,
      address,
      details: { county, scope, format, year, rows: rows.length },
    });
    const base = `households-${scope}-${year}`;
    return format === 'csv'
      ? { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(headers, cells) }
      : { fileName: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: toXlsx(`户档 ${scope}`, headers, cells) };
  }
}

interface ExportRow {
  id: string;
  county: string | null;
  town: string | null;
  village: string | null;
  head_name: string;
  head_id: string | null;
  rural: boolean;
  dibao: boolean;
  register_status: RegisterStatus;
  registered_on: string | null;
  exited_on: string | null;
  reentered_on: string | null;
  members: number;
  able: number;
  amounts: number[] | null;
  measures: string[];
  paired_unit: string | null;
  responsible_person: string | null;
  volunteers: number;
  leader_visits: number;
}
