import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { beijingDate } from '../deadlines/deadline-duration.js';
import { isWithin, subtreePrefix } from '../engine/jurisdiction-code.js';
import { sealedPart, sealText, withSealedPart } from '../cases/resident-id-sealing.js';
import { ResidentIdsService, valueAt, type RevealedResidentId } from '../cases/resident-ids.service.js';
import { HouseholdCasesService } from '../households/household-cases.service.js';
import { sealLegacyColumns } from '../households/legacy-text-sealer.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { shownText } from '../org/resident-id-text.js';
import { REENTRY_WORKFLOW } from '../plans/plans.service.js';
import { disasterProblems } from './disaster-input.js';
import { DisasterException, DisasterExceptionCode } from './disasters.exception.js';
import type { RecordDisasterDto } from './dto/disaster.dto.js';

interface DisasterRow {
  id: string;
  type: string;
  occurred_on: string;
  affected_towns: string[];
  /** As shown: resident IDs typed into it masked. */
  description: string;
  /** `{description: {sealedText: […]}}` when it holds IDs (src/cases/resident-id-sealing.ts), else null. */
  sealed_text: unknown;
  jurisdiction_code: string;
  recorded_by: string;
  recorded_at: Date;
}

const DISASTER_COLUMNS = `id, type, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, affected_towns, description, sealed_text, jurisdiction_code, recorded_by, recorded_at`;

/**
 * Major natural disasters (因重大自然灾害返贫). An administrator records one — type, date,
 * affected towns of their jurisdiction — and in the same transaction every eligible household
 * gets a disaster-reentry case, started as the system in its village and pinned to the
 * disaster's year: households that exited (register status `exited`) in an affected town and
 * have no disaster-reentry case running (from this disaster or another). Once per (disaster,
 * household): a unique key. The city's approval (`includedInPlan`) makes the household
 * re-entered (the households trigger) and adds its people to the next year's plan
 * (PlansService: reenteredPeople).
 */
@Injectable()
export class DisastersService implements OnModuleInit {
  private readonly logger = new Logger(DisastersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly householdCases: HouseholdCasesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cipher: ResidentIdCipher,
    private readonly residentIds: ResidentIdsService,
  ) {}

  /** Descriptions written before IDs typed into them were sealed are sealed at start-up (src/households/legacy-text-sealer.ts). */
  async onModuleInit(): Promise<void> {
    const sealed = await this.dataSource.transaction((manager) => sealLegacyColumns(manager, this.cipher, 'disasters', { description: 'description' }));
    if (sealed > 0) this.logger.log(`Resident IDs typed into disaster descriptions before they were sealed, now sealed: ${sealed}`);
  }

  async record(user: AuthUser, input: RecordDisasterDto, address: string | null) {
    const now = this.clock.now();
    const id = await this.dataSource.transaction(async (manager) => {
      const towns: { code: string }[] = await manager.query(
        `SELECT code FROM jurisdictions WHERE level = 'town' AND retired_at IS NULL AND code = ANY($1::varchar[])`,
        [input.affectedTowns],
      );
      const problems = disasterProblems(input, beijingDate(now), new Set(towns.map((t) => t.code)), user.jurisdictionCode);
      if (problems.length > 0) {
        throw new DisasterException(`The disaster is not valid: ${problems.join('; ')}`, DisasterExceptionCode.INVALID_DISASTER, { problems });
      }
      // A resident ID typed into the description is sealed: the column keeps it masked, the
      // re-entry cases get the sealed text (and show it masked too).
      const description = sealText(input.description, this.cipher);
      const [{ id }] = await manager.query(
        `INSERT INTO disasters (type, occurred_on, affected_towns, description, sealed_text, jurisdiction_code, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [input.type, input.date, input.affectedTowns, shownText(description), sealedPart({ description }), user.jurisdictionCode, user.id, now],
      );
      const started = await this.startReentries(manager, id);
      await this.audit.record(
        {
          kind: 'disaster.recorded',
          actor: user,
          targetType: 'disaster',
          targetId: id,
          jurisdictionCode: user.jurisdictionCode,
          address,
          details: { type: input.type, date: input.date, affectedTowns: input.affectedTowns, reentryCases: started },
        },
        manager,
      );
      return id as string;
    });
    return this.get(user, id);
  }

  /**
   * Starts the disaster's re-entry cases for the eligible households not yet given one;
   * returns how many it started. Safe to call again: the (disaster, household) key and the
   * running-case check leave the households already handled alone.
   */
  async startReentries(manager: EntityManager, disasterId: string): Promise<number> {
    const [disaster]: DisasterRow[] = await manager.query(`SELECT ${DISASTER_COLUMNS} FROM disasters WHERE id = $1 FOR UPDATE`, [disasterId]);
    const households: { id: string }[] = await manager.query(
      `SELECT h.id FROM households h
        WHERE left(h.jurisdiction_code, 9) = ANY($1::varchar[]) AND h.register_status = 'exited'
          AND NOT EXISTS (SELECT 1 FROM disaster_reentries r WHERE r.disaster_id = $2 AND r.household_id = h.id)
          AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id AND c.workflow_key = $3 AND c.snapshot->>'status' <> 'done')
        ORDER BY h.jurisdiction_code, h.id`,
      [disaster.affected_towns, disasterId, REENTRY_WORKFLOW],
    );
    const year = Number(disaster.occurred_on.slice(0, 4));
    for (const { id } of households) {
      const caseId = await this.householdCases.startAsSystem(manager, id, REENTRY_WORKFLOW, year, {
        disasterType: disaster.type,
        disasterDate: disaster.occurred_on,
        lossDescription: withSealedPart({ description: disaster.description }, disaster.sealed_text).description,
      });
      await manager.query(`INSERT INTO disaster_reentries (disaster_id, household_id, case_id, created_at) VALUES ($1, $2, $3, $4)`, [disasterId, id, caseId, this.clock.now()]);
    }
    return households.length;
  }

  /** Disasters that touched a town of the caller's subtree (or the caller's own town), newest first. */
  async list(user: AuthUser) {
    const rows: DisasterRow[] = await this.dataSource.query(
      `SELECT ${DISASTER_COLUMNS} FROM disasters d
        WHERE EXISTS (SELECT 1 FROM unnest(d.affected_towns) t WHERE t LIKE $1 OR $2 LIKE t || '%')
        ORDER BY d.occurred_on DESC, d.recorded_at DESC LIMIT 500`,
      [`${subtreePrefix(user.jurisdictionCode)}%`, user.jurisdictionCode],
    );
    return { items: rows.map(view) };
  }

  /** One disaster with its re-entry cases inside the caller's subtree; 404 when it touched none of it. */
  async get(user: AuthUser, id: string) {
    const row = await this.visible(user, id);
    const reentries = await this.dataSource.query(
      `SELECT r.household_id AS "householdId", h.head_name AS "headName", h.jurisdiction_code AS "villageCode", r.case_id AS "caseId",
              c.status AS "caseStatus", r.created_at AS "startedAt"
         FROM disaster_reentries r JOIN households h ON h.id = r.household_id JOIN cases c ON c.id = r.case_id
        WHERE r.disaster_id = $1 AND h.jurisdiction_code LIKE $2
        ORDER BY h.jurisdiction_code, r.household_id`,
      [id, `${subtreePrefix(user.jurisdictionCode)}%`],
    );
    return { ...view(row), reentries };
  }

  /**
   * A resident ID typed into the description, in full (`path` `description/0`: the first):
   * the permission `reveal-resident-id`, a disaster the caller may read (else 404), and the
   * `resident-id.revealed` audit row written before the number leaves — as for a case.
   */
  async revealId(user: AuthUser, id: string, path: string, address: string | null): Promise<RevealedResidentId> {
    return this.residentIds.revealSealed(user, { targetType: 'disaster', targetId: id, path, address }, async () => {
      const row = await this.visible(user, id);
      return { sealed: valueAt(row.sealed_text, path), jurisdictionCode: row.jurisdiction_code, details: { disasterId: id, path } };
    });
  }

  /** The disaster, when it touched the caller's subtree (or the caller's own town); 404 otherwise. */
  private async visible(user: AuthUser, id: string): Promise<DisasterRow> {
    const [row]: DisasterRow[] = await this.dataSource.query(`SELECT ${DISASTER_COLUMNS} FROM disasters WHERE id = $1`, [id]);
    const visible = row?.affected_towns.some((t) => isWithin(t, user.jurisdictionCode) || isWithin(user.jurisdictionCode, t));
    if (!row || !visible) throw new DisasterException(`No disaster ${id} in your jurisdiction`, DisasterExceptionCode.DISASTER_NOT_FOUND, { id });
    return row;
  }
}

function view(row: DisasterRow) {
  return {
    id: row.id,
    type: row.type,
    date: row.occurred_on,
    affectedTowns: row.affected_towns,
    description: row.description,
    jurisdictionCode: row.jurisdiction_code,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
  };
}
