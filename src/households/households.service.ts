import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService } from '../cases/cases.service.js';
import { presentResidentIds, resealText, sealedIdsIn, sealedPart, sealResidentIds, sealStrings, withSealedPart, type WithFreeText } from '../cases/resident-id-sealing.js';
import { ResidentIdsService, valueAt, type RevealedResidentId } from '../cases/resident-ids.service.js';
import { Clock } from '../common/clock.js';
import { isWithin, jurisdictionAt, subtreePrefix } from '../engine/jurisdiction-code.js';
import type { FieldDefinition } from '../engine/workflow-definition.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { isValidResidentId, type SealedResidentId } from '../org/resident-id.js';
import type { FreeText } from '../org/resident-id-text.js';
import { RulesService } from '../rules/rules.service.js';
import { chinaYear, DEFAULT_CHECKLIST } from '../rules/yearly-rules.js';
import type {
  AddMemberDto,
  AddVisitDto,
  CreateHouseholdDto,
  ListHouseholdsQueryDto,
  MemberDto,
  PlanDto,
  PutChecklistDto,
  PutIncomesDto,
  PutPlanDto,
  UpdateHouseholdDto,
  UpdateMemberDto,
} from './dto/household.dto.js';
import { householdAccess, type HouseholdAccess } from './household-access.js';
import {
  changesBetween,
  flatten,
  NET_INCOME_SOURCES,
  perCapitaIncome,
  REGISTER_STATUS_LABELS,
  VOLUNTEER_GROUP_SIZE,
  type FileChange,
  type IncomeSource,
  type RegisterStatus,
  type Schooling,
  type Volunteer,
} from './household-file.js';
import { HouseholdException, HouseholdExceptionCode, householdNotFound } from './households.exception.js';

/** A households row as the service reads it (snake_case from SQL). */
export interface HouseholdRow {
  id: string;
  jurisdiction_code: string;
  head_name: string;
  address: string | null;
  rural: boolean;
  dibao: boolean;
  consent: boolean | null;
  register_status: RegisterStatus;
  registered_on: string | null;
  exited_on: string | null;
  reentered_on: string | null;
  measures: string[];
  paired_unit: string | null;
  responsible_person: string | null;
  volunteers: Volunteer[];
  plan_summary: string | null;
  /** The sealed part of the free text above (src/cases/resident-id-sealing.ts), shaped as householdTexts; null: no ID in it. */
  sealed_text: unknown;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The free-text columns of `households` (the plan's volunteers hold names too). */
export const HOUSEHOLD_TEXT_COLUMNS = ['head_name', 'address', 'paired_unit', 'responsible_person', 'plan_summary', 'volunteers'] as const;
type HouseholdTextColumn = (typeof HOUSEHOLD_TEXT_COLUMNS)[number];

/**
 * A households row with its free text as stored: where a text holds resident IDs, the sealed
 * text instead of the column's masked one. What the version log records and a case started
 * from the file is given; never shown (presentResidentIds shows it masked).
 */
export type SealedHouseholdRow = Omit<HouseholdRow, HouseholdTextColumn> & WithFreeText<Pick<HouseholdRow, HouseholdTextColumn>>;

export interface MemberRow {
  id: string;
  position: number;
  name: string;
  relation: string;
  /** The sealed part of `name` and `relation`; null: no ID typed into them. */
  sealed_text: unknown;
  resident_id_masked: string | null;
  resident_id_token: string | null;
  age: number;
  labour_ability: boolean;
  disability: boolean;
  schooling: Schooling;
  in_school: boolean;
  health_insurance: boolean;
}

export interface IncomeRow {
  id: string;
  year: number;
  source: IncomeSource;
  amount: number;
  note: string | null;
  /** The sealed part of `note`; null: no ID typed into it. */
  sealed_text: unknown;
}

type SealedMemberRow = Omit<MemberRow, 'name' | 'relation'> & { name: FreeText; relation: FreeText };

/** What a route does with a file, as the denied-access audit row records it. */
export type HouseholdOperation = 'read' | 'write' | 'reveal' | 'start-case';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const HOUSEHOLD_COLUMNS = `id, jurisdiction_code, head_name, address, rural, dibao, consent, register_status,
  to_char(registered_on, 'YYYY-MM-DD') AS registered_on, to_char(exited_on, 'YYYY-MM-DD') AS exited_on,
  to_char(reentered_on, 'YYYY-MM-DD') AS reentered_on, measures, paired_unit, responsible_person, volunteers, plan_summary,
  sealed_text, version, created_at, updated_at`;
const MEMBER_COLUMNS = `id, position, name, relation, sealed_text, resident_id_masked, resident_id_token, age, labour_ability, disability, schooling, in_school, health_insurance`;
const RESIDENT_ID_FIELD: Record<string, FieldDefinition> = { residentId: { type: 'residentId', label: '身份证号码' } };

/**
 * Household files (一户一档): the household, its members (resident IDs sealed as in case
 * data), yearly incomes, the 两不愁三保障 checklists, the support plan (一户一策) and visits.
 * Every change is one transaction: the household row locked, the version checked where the
 * client names one, the change, `version + 1`, and a household_versions row with who, when
 * and each changed path with its old and new value.
 *
 * Authorization (src/households/household-access.ts): officers change the files inside
 * their subtree; everyone else inside it (and the helping county) reads them; anything
 * else answers 404 and writes an `access.denied` audit row.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cipher: ResidentIdCipher,
    private readonly cases: CasesService,
    private readonly residentIds: ResidentIdsService,
    private readonly rules: RulesService,
  ) {}

  // ---------------------------------------------------------------- access and versions

  /**
   * The household, if the caller may do `operation` on it; 404 (audited) when it is not
   * theirs to see, 403 READ_ONLY_ACCESS when they may only read it. `lock` takes the row
   * FOR UPDATE: every change of a file serialises on it.
   */
  /** The household row locked FOR UPDATE, for the system's own starts (no user, no access check). */
  async lockedRow(manager: EntityManager, id: string): Promise<HouseholdRow> {
    const [row] = (await manager.query(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE id = $1 FOR UPDATE`, [id])) as HouseholdRow[];
    if (!row) throw householdNotFound(id);
    return row;
  }

  async accessible(manager: EntityManager, user: AuthUser, id: string, operation: HouseholdOperation, lock = false): Promise<HouseholdRow & { access: HouseholdAccess }> {
    if (!UUID.test(id)) throw householdNotFound(id);
    const [row] = (await manager.query(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as HouseholdRow[];
    if (!row) throw householdNotFound(id);
    const helped = isWithin(row.jurisdiction_code, user.jurisdictionCode) ? [] : await this.cases.countiesHelpedBy(manager, user.jurisdictionCode);
    const access = householdAccess(user, row.jurisdiction_code, helped);
    if (access === 'none') {
      await this.audit.record({
        kind: 'access.denied',
        actor: user,
        targetType: 'household',
        targetId: id,
        jurisdictionCode: row.jurisdiction_code,
        details: { operation },
      });
      throw householdNotFound(id);
    }
    if (access === 'read' && operation !== 'read' && operation !== 'reveal') {
      throw new HouseholdException(`You may read household ${id} but not change it`, HouseholdExceptionCode.READ_ONLY_ACCESS, { householdId: id });
    }
    return { ...row, access };
  }

  /** The locked, writable household at the version the client loaded (else 409). */
  private async writable(manager: EntityManager, user: AuthUser, id: string, expectedVersion?: number): Promise<HouseholdRow> {
    const row = await this.accessible(manager, user, id, 'write', true);
    if (expectedVersion !== undefined && row.version !== expectedVersion) {
      throw new HouseholdException(
        `The household file has changed since you loaded it (your version ${expectedVersion}, now ${row.version}); reload it to see what changed`,
        HouseholdExceptionCode.VERSION_CONFLICT,
        { expectedVersion, currentVersion: row.version },
      );
    }
    return row;
  }

  /** Moves the file to its next version and records the change (the row must be locked). */
  async recordChange(manager: EntityManager, householdId: string, user: AuthUser | null, kind: string, changes: FileChange[], caseId: string | null = null): Promise<number> {
    const now = this.clock.now();
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
    const [{ version }] = await manager.query(
      `WITH moved AS (UPDATE households SET version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $1 RETURNING version) SELECT version FROM moved`,
      [householdId, now, user?.id ?? null],
    );
    await manager.query(
      `INSERT INTO household_versions (household_id, version, at, actor_id, actor_username, kind, changes, case_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [householdId, version, now, user?.id ?? null, user?.username ?? null, kind, JSON.stringify(changes), caseId],
    );
    return version as number;
  }

  async versions(user: AuthUser, id: string) {
    await this.accessible(this.dataSource.manager, user, id, 'read');
    const rows: { changes: FileChange[] }[] = await this.dataSource.query(
      `SELECT version, at, actor_id AS "actorId", actor_username AS "actorUsername", kind, changes, case_id AS "caseId"
         FROM household_versions WHERE household_id = $1 ORDER BY version`,
      [id],
    );
    // The changes hold the file's free text as stored: IDs typed into it sealed, shown masked.
    return rows.map((row) => ({ ...row, changes: presentResidentIds(row.changes) }));
  }

  // ---------------------------------------------------------------- reading

  async get(user: AuthUser, id: string) {
    const manager = this.dataSource.manager;
    const row = await this.accessible(manager, user, id, 'read');
    return this.view(manager, row);
  }

  /** The whole file as its API shows it: resident IDs masked, incomes with their per-capita figure. */
  async view(manager: EntityManager, row: HouseholdRow & { access?: HouseholdAccess }) {
    // One after another: inside a transaction the manager is one connection, and queries sent
    // to it at once only queue up (pg warns, and pg 9 refuses).
    const members = await this.members(manager, row.id);
    const incomes = await this.incomes(manager, row.id);
    const checklists = await manager.query(`SELECT year, items, to_char(checked_on, 'YYYY-MM-DD') AS "checkedOn" FROM household_checklists WHERE household_id = $1 ORDER BY year DESC`, [row.id]);
    const visits = await manager.query(
      `SELECT id, to_char(visited_on, 'YYYY-MM-DD') AS "visitedOn", visitor_name AS "visitorName", visitor_role AS "visitorRole", leader, notes, recorded_at AS "recordedAt"
         FROM household_visits WHERE household_id = $1 ORDER BY visited_on DESC, recorded_at DESC`,
      [row.id],
    );
    const attachments = await manager.query(
      `SELECT id, kind, file_name AS "fileName", content_type AS "contentType", size_bytes AS "sizeBytes", case_id AS "caseId", uploaded_at AS "uploadedAt"
         FROM household_attachments WHERE household_id = $1 ORDER BY uploaded_at DESC`,
      [row.id],
    );
    const cases = await manager.query(
      `SELECT id, workflow_key AS workflow, status, title, snapshot->>'status' = 'done' AS finished, created_at AS "createdAt"
         FROM cases WHERE household_id = $1 ORDER BY created_at DESC`,
      [row.id],
    );
    const names = await this.divisionNames(manager, row.jurisdiction_code);
    const years = [...new Set(incomes.map((i) => i.year))].sort((a, b) => b - a);
    return {
      id: row.id,
      ...names,
      headName: row.head_name,
      address: row.address,
      rural: row.rural,
      dibao: row.dibao,
      consent: row.consent,
      registerStatus: row.register_status,
      registerStatusLabel: REGISTER_STATUS_LABELS[row.register_status].label,
      registeredOn: row.registered_on,
      exitedOn: row.exited_on,
      reenteredOn: row.reentered_on,
      members: members.map(memberView),
      incomes: years.map((year) => {
        const records = incomes.filter((i) => i.year === year);
        const figure = perCapitaIncome(records.map((r) => r.amount), members.length);
        return { year, records: records.map(({ id, source, amount, note }) => ({ id, source, amount, note })), total: figure?.total ?? null, perCapita: figure?.perCapita ?? null };
      }),
      checklists,
      plan: planView(row),
      visits,
      attachments,
      cases,
      ...(row.access ? { access: row.access } : {}),
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async members(manager: EntityManager, householdId: string): Promise<MemberRow[]> {
    return manager.query(`SELECT ${MEMBER_COLUMNS} FROM household_members WHERE household_id = $1 ORDER BY position, id`, [householdId]);
  }

  async incomes(manager: EntityManager, householdId: string, year?: number): Promise<IncomeRow[]> {
    return manager.query(
      `SELECT id, year, source, amount::float8 AS amount, note, sealed_text FROM household_incomes
        WHERE household_id = $1 AND ($2::int IS NULL OR year = $2) ORDER BY year DESC, source, id`,
      [householdId, year ?? null],
    );
  }

  private async divisionNames(manager: EntityManager, village: string) {
    const county = jurisdictionAt(village, 'county')!;
    const town = jurisdictionAt(village, 'town')!;
    const rows: { code: string; name: string }[] = await manager.query(`SELECT code, name FROM jurisdictions WHERE code = ANY($1::varchar[])`, [[county, town, village]]);
    const name = (code: string) => rows.find((r) => r.code === code)?.name ?? null;
    return { villageCode: village, county: { code: county, name: name(county) }, town: { code: town, name: name(town) }, village: { code: village, name: name(village) } };
  }

  /**
   * The households inside the caller's subtree (and inside `jurisdiction` when given), with
   * filters, by village then head's name, a page at a time with the total count.
   */
  async list(user: AuthUser, query: ListHouseholdsQueryDto) {
    const scope = narrowestScope(user.jurisdictionCode, query.jurisdiction);
    if (scope === undefined) return { total: 0, limit: query.limit ?? 50, offset: query.offset ?? 0, items: [] };
    const params: unknown[] = [`${subtreePrefix(scope)}%`];
    const where = ['h.jurisdiction_code LIKE $1'];
    const add = (condition: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.status !== undefined) add((n) => `h.register_status = ${n}`, query.status);
    if (query.rural !== undefined) add((n) => `h.rural = ${n}`, query.rural);
    if (query.dibao !== undefined) add((n) => `h.dibao = ${n}`, query.dibao);
    if (query.name !== undefined) add((n) => `strpos(h.head_name, ${n}) > 0`, query.name);
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM households h WHERE ${where.join(' AND ')}`, params);
    const items = await this.dataSource.query(
      `SELECT h.id, h.jurisdiction_code AS "villageCode", v.name AS "villageName", h.head_name AS "headName", h.rural, h.dibao,
              h.register_status AS "registerStatus", to_char(h.registered_on, 'YYYY-MM-DD') AS "registeredOn",
              to_char(h.exited_on, 'YYYY-MM-DD') AS "exitedOn",
              (SELECT count(*)::int FROM household_members m WHERE m.household_id = h.id) AS "memberCount",
              h.version, h.updated_at AS "updatedAt"
         FROM households h LEFT JOIN jurisdictions v ON v.code = h.jurisdiction_code
        WHERE ${where.join(' AND ')}
        ORDER BY h.jurisdiction_code, h.head_name, h.id
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { total, limit, offset, items };
  }

  // ---------------------------------------------------------------- changing

  async create(user: AuthUser, input: CreateHouseholdDto) {
    const status = input.registerStatus ?? 'none';
    checkStatusDates(status, input);
    const members = this.memberRows(input.members, 'members');
    return this.inTransaction(async (manager) => {
      await this.checkVillage(manager, user, input.villageCode);
      await this.checkResidentIdsFree(manager, members, null);
      const now = this.clock.now();
      const seal = (text: string) => resealText(text, [], this.cipher);
      const text = shownColumns({
        head_name: seal(input.headName.trim()),
        address: input.address == null ? null : seal(input.address),
        ...planColumns(input.plan ?? { measures: [] }, seal),
      });
      const [{ id }] = await manager.query(
        `INSERT INTO households (jurisdiction_code, head_name, address, rural, dibao, consent, register_status, registered_on, exited_on, reentered_on,
                                 measures, paired_unit, responsible_person, volunteers, plan_summary, sealed_text, version, created_at, created_by, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $18, 0, $16, $17, $16, $17) RETURNING id`,
        [
          input.villageCode,
          text.head_name,
          text.address,
          input.rural,
          input.dibao ?? false,
          input.consent ?? null,
          status,
          input.registeredOn ?? null,
          input.exitedOn ?? null,
          input.reenteredOn ?? null,
          [...new Set(input.plan?.measures ?? [])],
          text.paired_unit,
          text.responsible_person,
          JSON.stringify(text.volunteers),
          text.plan_summary,
          now,
          user.id,
          text.sealed_text,
        ],
      );
      for (const [position, member] of members.entries()) await this.insertMember(manager, id, position, member);
      const row = await this.accessible(manager, user, id, 'write', true);
      await this.recordChange(manager, id, user, 'created', changesBetween({}, fileState(sealedRow(row), (await this.members(manager, id)).map(sealedMember))));
      return this.view(manager, { ...row, version: row.version + 1 });
    });
  }

  async update(user: AuthUser, id: string, input: UpdateHouseholdDto) {
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      if (input.villageCode !== undefined && input.villageCode !== row.jurisdiction_code) await this.checkVillage(manager, user, input.villageCode);
      const current = sealedRow(row);
      const seal = this.resealer(row.sealed_text);
      const next: SealedHouseholdRow = {
        ...current,
        jurisdiction_code: input.villageCode ?? row.jurisdiction_code,
        head_name: input.headName !== undefined ? seal(input.headName.trim()) : current.head_name,
        address: input.address !== undefined ? input.address && seal(input.address) : current.address,
        rural: input.rural ?? row.rural,
        dibao: input.dibao ?? row.dibao,
        consent: input.consent !== undefined ? input.consent : row.consent,
      };
      const changes = changesBetween(householdFields(current), householdFields(next));
      if (changes.length === 0) return this.view(manager, row);
      const text = shownColumns(next);
      await manager.query(
        `UPDATE households SET jurisdiction_code = $2, head_name = $3, address = $4, rural = $5, dibao = $6, consent = $7, sealed_text = $8 WHERE id = $1`,
        [id, next.jurisdiction_code, text.head_name, text.address, next.rural, next.dibao, next.consent, text.sealed_text],
      );
      const version = await this.recordChange(manager, id, user, 'updated', changes);
      return this.view(manager, { ...next, ...text, version });
    });
  }

  async addMember(user: AuthUser, id: string, input: AddMemberDto) {
    const [member] = this.memberRows([input], 'member');
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      const before = await this.members(manager, id);
      if (before.length >= 30) throw new HouseholdException('A household has at most 30 members', HouseholdExceptionCode.INVALID_HOUSEHOLD);
      await this.checkResidentIdsFree(manager, [member], id);
      await this.insertMember(manager, id, Math.max(-1, ...before.map((m) => m.position)) + 1, member);
      return this.commitMembers(manager, user, row, before);
    });
  }

  async updateMember(user: AuthUser, id: string, memberId: string, input: UpdateMemberDto) {
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      const before = await this.members(manager, id);
      const current = before.find((m) => m.id === memberId);
      if (!current) throw memberNotFound(memberId);
      const sealed = input.residentId === undefined ? undefined : input.residentId === null ? null : this.seal(input.residentId, 'residentId');
      if (sealed) await this.checkResidentIdsFree(manager, [{ sealed }], id, memberId);
      const { name, relation } = sealedMember(current);
      const seal = this.resealer(current.sealed_text);
      const text = memberTextColumns({ name: input.name !== undefined ? seal(input.name.trim()) : name, relation: input.relation !== undefined ? seal(input.relation.trim()) : relation });
      // $10: whether the resident ID changes (to a new one, or removed); otherwise the stored one stays.
      await manager.query(
        `UPDATE household_members SET name = $2, relation = $3, age = $4, labour_ability = $5, disability = $6, schooling = $7, in_school = $8,
                health_insurance = $9,
                resident_id_masked = CASE WHEN $10 THEN $11 ELSE resident_id_masked END,
                resident_id_token = CASE WHEN $10 THEN $12 ELSE resident_id_token END,
                resident_id_index = CASE WHEN $10 THEN $13 ELSE resident_id_index END,
                sealed_text = $14
          WHERE id = $1`,
        [
          memberId,
          text.name,
          text.relation,
          input.age ?? current.age,
          input.labourAbility ?? current.labour_ability,
          input.disability ?? current.disability,
          input.schooling ?? current.schooling,
          input.inSchool ?? current.in_school,
          input.healthInsurance ?? current.health_insurance,
          sealed !== undefined,
          sealed?.masked ?? null,
          sealed?.token ?? null,
          sealed?.index ?? null,
          text.sealed_text,
        ],
      );
      return this.commitMembers(manager, user, row, before);
    });
  }

  async removeMember(user: AuthUser, id: string, memberId: string, expectedVersion: number) {
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, expectedVersion);
      const before = await this.members(manager, id);
      if (!before.some((m) => m.id === memberId)) throw memberNotFound(memberId);
      if (before.length === 1) throw new HouseholdException('A household keeps at least one member', HouseholdExceptionCode.INVALID_HOUSEHOLD);
      await manager.query(`DELETE FROM household_members WHERE id = $1`, [memberId]);
      return this.commitMembers(manager, user, row, before);
    });
  }

  private async commitMembers(manager: EntityManager, user: AuthUser, row: HouseholdRow, before: MemberRow[]) {
    const after = await this.members(manager, row.id);
    const changes = changesBetween(membersState(before.map(sealedMember)), membersState(after.map(sealedMember)));
    if (changes.length === 0) return this.view(manager, row);
    const version = await this.recordChange(manager, row.id, user, 'members', changes);
    return this.view(manager, { ...row, version });
  }

  /** Replaces a year's income records. */
  async putIncomes(user: AuthUser, id: string, year: number, input: PutIncomesDto) {
    const negative = input.records.flatMap((r, i) => (r.amount < 0 && !NET_INCOME_SOURCES.includes(r.source) ? [`records[${i}]: a ${r.source} income cannot be negative`] : []));
    if (negative.length > 0) {
      throw new HouseholdException(`The income records are not valid: ${negative.join('; ')} (only net business and property incomes can be losses)`, HouseholdExceptionCode.INVALID_HOUSEHOLD, { problems: negative });
    }
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      const before = await this.incomes(manager, id, year);
      // A note sent back as shown keeps the IDs of the year's notes it still shows masked.
      const seal = this.resealer(before.map((r) => r.sealed_text));
      const records = input.records.map((r) => ({ source: r.source, amount: r.amount, note: r.note?.trim() ? seal(r.note.trim()) : null }));
      await manager.query(`DELETE FROM household_incomes WHERE household_id = $1 AND year = $2`, [id, year]);
      for (const record of records) {
        const note = presentResidentIds(record.note);
        await manager.query(`INSERT INTO household_incomes (household_id, year, source, amount, note, sealed_text) VALUES ($1, $2, $3, $4, $5, $6)`, [
          id,
          year,
          record.source,
          record.amount,
          note,
          sealedPart({ note: record.note }),
        ]);
      }
      const stored = before.map((r) => ({ source: r.source, amount: r.amount, note: withSealedPart({ note: r.note }, r.sealed_text).note }));
      const changes = changesBetween({ [`incomes.${year}`]: stored }, { [`incomes.${year}`]: records });
      const version = changes.length === 0 ? row.version : await this.recordChange(manager, id, user, 'incomes', changes);
      return this.view(manager, { ...row, version });
    });
  }

  /** Records a year's 两不愁三保障 checklist; the items are those of the year's rules. */
  async putChecklist(user: AuthUser, id: string, year: number, input: PutChecklistDto) {
    const resolved = await this.rules.resolve(year);
    const keys = (resolved?.rules.checklist ?? DEFAULT_CHECKLIST).map((item) => item.key);
    const problems = Object.entries(input.items).flatMap(([key, value]) => [
      ...(keys.includes(key) ? [] : [`${key} is not an item of ${year}'s checklist (${keys.join(', ')})`]),
      ...(typeof value === 'boolean' ? [] : [`${key} must be true or false`]),
    ]);
    if (problems.length > 0) throw new HouseholdException(`The checklist is not valid: ${problems.join('; ')}`, HouseholdExceptionCode.INVALID_HOUSEHOLD, { problems });
    if (input.checkedOn !== undefined) checkDate(input.checkedOn, this.clock.now(), 'checkedOn');
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      const [before] = await manager.query(`SELECT items, to_char(checked_on, 'YYYY-MM-DD') AS "checkedOn" FROM household_checklists WHERE household_id = $1 AND year = $2`, [id, year]);
      const items = Object.fromEntries(keys.filter((k) => Object.hasOwn(input.items, k)).map((k) => [k, input.items[k]]));
      await manager.query(
        `INSERT INTO household_checklists (household_id, year, items, checked_on) VALUES ($1, $2, $3, $4)
         ON CONFLICT (household_id, year) DO UPDATE SET items = $3, checked_on = $4`,
        [id, year, JSON.stringify(items), input.checkedOn ?? null],
      );
      const changes = changesBetween(before ? { [`checklist.${year}`]: before } : {}, { [`checklist.${year}`]: { items, checkedOn: input.checkedOn ?? null } });
      const version = changes.length === 0 ? row.version : await this.recordChange(manager, id, user, 'checklist', changes);
      return this.view(manager, { ...row, version });
    });
  }

  /** Replaces the support plan (一户一策). */
  async putPlan(user: AuthUser, id: string, input: PutPlanDto) {
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id, input.expectedVersion);
      const current = sealedRow(row);
      const next: SealedHouseholdRow = { ...current, ...planColumns(input, this.resealer(row.sealed_text)), measures: [...new Set(input.measures)] };
      const changes = changesBetween(flatten('plan', planView(current)), flatten('plan', planView(next)));
      if (changes.length === 0) return this.view(manager, row);
      const text = shownColumns(next);
      await manager.query(
        `UPDATE households SET measures = $2, paired_unit = $3, responsible_person = $4, volunteers = $5, plan_summary = $6, sealed_text = $7 WHERE id = $1`,
        [id, next.measures, text.paired_unit, text.responsible_person, JSON.stringify(text.volunteers), text.plan_summary, text.sealed_text],
      );
      const version = await this.recordChange(manager, id, user, 'plan', changes);
      return this.view(manager, { ...next, ...text, version });
    });
  }

  /** Records a visit (走访). Visits are facts: they are added, never edited. */
  async addVisit(user: AuthUser, id: string, input: AddVisitDto) {
    checkDate(input.visitedOn, this.clock.now(), 'visitedOn');
    return this.inTransaction(async (manager) => {
      const row = await this.writable(manager, user, id);
      const visit = sealStrings(
        { visitedOn: input.visitedOn, visitorName: input.visitorName.trim(), visitorRole: input.visitorRole?.trim() || null, leader: input.leader, notes: input.notes?.trim() || null },
        [],
        this.cipher,
      );
      const shown = presentResidentIds(visit);
      const [{ id: visitId }] = await manager.query(
        `INSERT INTO household_visits (household_id, visited_on, visitor_name, visitor_role, leader, notes, sealed_text, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [id, input.visitedOn, shown.visitorName, shown.visitorRole, visit.leader, shown.notes, sealedPart(visit), user.id, this.clock.now()],
      );
      const version = await this.recordChange(manager, id, user, 'visit', [{ path: `visits[${visitId}]`, from: null, to: visit }]);
      return this.view(manager, { ...row, version });
    });
  }

  /** A member's resident ID in full: permission `reveal-resident-id`, audited (src/cases/resident-ids.service.ts). */
  async revealMemberId(user: AuthUser, id: string, memberId: string, address: string | null): Promise<RevealedResidentId> {
    return this.revealInFile(user, id, `members/${memberId}/residentId`, address, { householdId: id, memberId }, async (file) => {
      const sealed = await file();
      if (!Object.hasOwn(sealed.members, memberId)) throw memberNotFound(memberId);
      return sealed;
    });
  }

  /**
   * A resident ID typed into the file's free text, in full: the same permission, decryption
   * and audit row as a member's (the row's details say `path`, and `version` when given). `path`
   * names the place as the file's view does, records by their id: `address/0` (the first ID
   * typed into the address), `headName/0`, `plan/summary/0`, `plan/volunteers/2/name/0`,
   * `members/<id>/name/0` (or `members/<id>/residentId`, the member's own), `incomes/<id>/note/0`,
   * `visits/<id>/notes/0`, `attachments/<id>/fileName/0`. With `version`, the path is in that
   * version's changes as stored (`changes/0/to/0`, `changes/1/from/notes/0`): an ID a later change
   * replaced lives only there.
   */
  async revealText(user: AuthUser, id: string, path: string, address: string | null, version?: number): Promise<RevealedResidentId> {
    return this.revealInFile(user, id, path, address, { householdId: id, ...(version === undefined ? {} : { version }), path }, async (file) => {
      if (version === undefined) return file();
      const [row] = await this.dataSource.query(`SELECT changes FROM household_versions WHERE household_id = $1 AND version = $2`, [id, version]);
      return { changes: row?.changes };
    });
  }

  private async revealInFile(
    user: AuthUser,
    id: string,
    path: string,
    address: string | null,
    details: Record<string, unknown>,
    within: (file: () => Promise<SealedFile>) => Promise<unknown>,
  ): Promise<RevealedResidentId> {
    return this.residentIds.revealSealed(user, { targetType: 'household', targetId: id, path, address }, async () => {
      const row = await this.accessible(this.dataSource.manager, user, id, 'reveal');
      return { sealed: valueAt(await within(() => this.sealedFile(row)), path), jurisdictionCode: row.jurisdiction_code, details };
    });
  }

  /** What of the file may hold a sealed ID, in the places the reveal's paths name. */
  private async sealedFile(row: HouseholdRow): Promise<SealedFile> {
    const manager = this.dataSource.manager;
    const byId = async (table: 'household_incomes' | 'household_visits' | 'household_attachments') =>
      Object.fromEntries(
        ((await manager.query(`SELECT id, sealed_text FROM ${table} WHERE household_id = $1 AND sealed_text IS NOT NULL`, [row.id])) as { id: string; sealed_text: unknown }[]).map(
          (r) => [r.id, r.sealed_text],
        ),
      );
    const members = await this.members(manager, row.id);
    return {
      ...householdTexts(sealedRow(row)),
      members: Object.fromEntries(
        members.map((m) => {
          const residentId: SealedResidentId | null = m.resident_id_masked && m.resident_id_token ? { masked: m.resident_id_masked, token: m.resident_id_token } : null;
          return [m.id, { ...(m.sealed_text ?? {}), residentId }];
        }),
      ),
      incomes: await byId('household_incomes'),
      visits: await byId('household_visits'),
      attachments: await byId('household_attachments'),
    };
  }

  // ---------------------------------------------------------------- helpers

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      throw duplicateResidentId(error);
    }
  }

  /** The village must be a current village of the tree, inside the caller's jurisdiction. */
  private async checkVillage(manager: EntityManager, user: AuthUser, code: string): Promise<void> {
    if (!isWithin(code, user.jurisdictionCode)) {
      throw new HouseholdException(`Village ${code} is not inside your jurisdiction ${user.jurisdictionCode}`, HouseholdExceptionCode.INVALID_VILLAGE, { villageCode: code });
    }
    const [node] = await manager.query(`SELECT level, retired_at FROM jurisdictions WHERE code = $1 FOR SHARE`, [code]);
    if (!node || node.level !== 'village' || node.retired_at !== null) {
      throw new HouseholdException(`${code} is not a current village or community`, HouseholdExceptionCode.INVALID_VILLAGE, { villageCode: code });
    }
  }

  /** Seals a plain resident ID (validated against today in China) for storage: mask, token, blind index. */
  private seal(value: string, field: string): SealedResidentId & { index: string } {
    if (!isValidResidentId(value, this.clock.now())) {
      // The message names the field, never the value: a mistyped ID is still personal data.
      throw new HouseholdException(`${field} is not a valid resident ID number (GB 11643)`, HouseholdExceptionCode.INVALID_RESIDENT_ID, { field });
    }
    return sealMemberResidentId(value, this.cipher);
  }

  private memberRows(inputs: MemberDto[], field: string): Array<MemberDto & { sealed: (SealedResidentId & { index: string }) | null }> {
    const rows = inputs.map((input, i) => ({
      ...input,
      sealed: input.residentId ? this.seal(input.residentId, inputs.length > 1 || field === 'members' ? `${field}[${i}].residentId` : 'residentId') : null,
    }));
    const indexes = rows.flatMap((r) => (r.sealed ? [r.sealed.index] : []));
    if (new Set(indexes).size !== indexes.length) {
      throw new HouseholdException('The same resident ID number is given for two members', HouseholdExceptionCode.DUPLICATE_RESIDENT_ID);
    }
    return rows;
  }

  /** A person is a member of one household: refused (409) when another member already has the ID. */
  private async checkResidentIdsFree(manager: EntityManager, members: { sealed: { index: string } | null }[], householdId: string | null, exceptMember?: string): Promise<void> {
    const indexes = members.flatMap((m) => (m.sealed ? [m.sealed.index] : []));
    if (indexes.length === 0) return;
    const taken: { household_id: string }[] = await manager.query(
      `SELECT household_id FROM household_members WHERE resident_id_index = ANY($1::char(64)[]) AND ($2::uuid IS NULL OR id <> $2)`,
      [indexes, exceptMember ?? null],
    );
    if (taken.length > 0) {
      const same = householdId !== null && taken.every((t) => t.household_id === householdId);
      throw new HouseholdException(
        same ? 'This resident ID number is already another member of this household' : 'This resident ID number is already a member of a household',
        HouseholdExceptionCode.DUPLICATE_RESIDENT_ID,
      );
    }
  }

  private async insertMember(manager: EntityManager, householdId: string, position: number, member: MemberDto & { sealed: (SealedResidentId & { index: string }) | null }): Promise<void> {
    const text = memberTextColumns(sealStrings({ name: member.name.trim(), relation: member.relation.trim() }, [], this.cipher));
    await manager.query(
      `INSERT INTO household_members (household_id, position, name, relation, resident_id_masked, resident_id_token, resident_id_index, age,
                                      labour_ability, disability, schooling, in_school, health_insurance, sealed_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        householdId,
        position,
        text.name,
        text.relation,
        member.sealed?.masked ?? null,
        member.sealed?.token ?? null,
        member.sealed?.index ?? null,
        member.age,
        member.labourAbility,
        member.disability ?? false,
        member.schooling ?? 'none',
        member.inSchool ?? false,
        member.healthInsurance ?? false,
        text.sealed_text,
      ],
    );
  }

  /**
   * Seals free text on its way into a record whose stored sealed part is `stored`: a text sent
   * back as shown keeps the IDs behind the masks it still shows (resealText).
   */
  private resealer(stored: unknown): (text: string) => FreeText {
    const kept = sealedIdsIn(stored);
    return (text) => resealText(text, kept, this.cipher);
  }
}

// ---------------------------------------------------------------- pure helpers

/**
 * A member's valid resident ID as a household file stores it: sealed like a case field
 * (mask and AES-256-GCM token) plus its blind index. The one sealing of member IDs (the
 * service and the demo register's bulk import both use it).
 */
export function sealMemberResidentId(value: string, cipher: Pick<ResidentIdCipher, 'encrypt' | 'decrypt' | 'blindIndex'>): SealedResidentId & { index: string } {
  const sealed = sealResidentIds(RESIDENT_ID_FIELD, { residentId: value }, cipher).residentId as SealedResidentId;
  return { ...sealed, index: cipher.blindIndex(value) };
}

/** The deeper of the caller's node and the requested one when one contains the other; undefined when they are apart. */
export function narrowestScope(own: string, requested?: string): string | undefined {
  if (requested === undefined || isWithin(own, requested)) return own;
  return isWithin(requested, own) ? requested : undefined;
}

/** The free text of a households row in the shape of the file's view: what `sealed_text` mirrors and the reveal's paths name. */
function householdTexts(row: Pick<SealedHouseholdRow, HouseholdTextColumn>) {
  return {
    headName: row.head_name,
    address: row.address,
    plan: { pairedUnit: row.paired_unit, responsiblePerson: row.responsible_person, summary: row.plan_summary, volunteers: row.volunteers.map((v) => ({ name: v.name })) },
  };
}

/** The row with its sealed free text laid back over the masked columns (withSealedPart). */
export function sealedRow(row: HouseholdRow): SealedHouseholdRow {
  const texts = withSealedPart(householdTexts(row), row.sealed_text);
  return {
    ...row,
    head_name: texts.headName,
    address: texts.address,
    paired_unit: texts.plan.pairedUnit,
    responsible_person: texts.plan.responsiblePerson,
    plan_summary: texts.plan.summary,
    volunteers: row.volunteers.map((v, i) => ({ ...v, name: texts.plan.volunteers[i].name })),
  };
}

/** What the free-text columns of `households` store for a row's sealed text: each text masked, and the sealed part beside them. */
export function shownColumns(row: Pick<SealedHouseholdRow, HouseholdTextColumn>): Pick<HouseholdRow, HouseholdTextColumn | 'sealed_text'> {
  const shown = presentResidentIds(row) as unknown as Pick<HouseholdRow, HouseholdTextColumn>;
  return {
    head_name: shown.head_name,
    address: shown.address,
    paired_unit: shown.paired_unit,
    responsible_person: shown.responsible_person,
    plan_summary: shown.plan_summary,
    volunteers: shown.volunteers,
    sealed_text: sealedPart(householdTexts(row)),
  };
}

function sealedMember(m: MemberRow): SealedMemberRow {
  return { ...m, ...withSealedPart({ name: m.name, relation: m.relation }, m.sealed_text) };
}

function memberTextColumns(text: { name: FreeText; relation: FreeText }): { name: string; relation: string; sealed_text: unknown } {
  return { ...presentResidentIds(text as { name: string; relation: string }), sealed_text: sealedPart(text) };
}

/** Everything of a file that may hold a sealed ID, as the reveal's paths name it. */
interface SealedFile extends ReturnType<typeof householdTexts> {
  members: Record<string, unknown>;
  incomes: Record<string, unknown>;
  visits: Record<string, unknown>;
  attachments: Record<string, unknown>;
}

function memberView(m: SealedMemberRow) {
  return {
    id: m.id,
    name: m.name,
    relation: m.relation,
    residentId: m.resident_id_masked,
    age: m.age,
    labourAbility: m.labour_ability,
    disability: m.disability,
    schooling: m.schooling,
    inSchool: m.in_school,
    healthInsurance: m.health_insurance,
  };
}

function planView(row: Pick<SealedHouseholdRow, 'measures' | 'paired_unit' | 'responsible_person' | 'volunteers' | 'plan_summary'>) {
  return {
    measures: row.measures,
    pairedUnit: row.paired_unit,
    responsiblePerson: row.responsible_person,
    volunteers: row.volunteers,
    /** "10+1": at least ten party-member volunteers. */
    volunteerGroupComplete: row.volunteers.filter((v) => v.partyMember).length >= VOLUNTEER_GROUP_SIZE,
    summary: row.plan_summary,
  };
}

/** The plan's free-text columns from the client's plan, trimmed and sealed by `seal`. */
function planColumns(plan: PlanDto, seal: (text: string) => FreeText): Pick<SealedHouseholdRow, 'paired_unit' | 'responsible_person' | 'volunteers' | 'plan_summary'> {
  const text = (value: string | null | undefined) => (value?.trim() ? seal(value.trim()) : null);
  return {
    paired_unit: text(plan.pairedUnit),
    responsible_person: text(plan.responsiblePerson),
    volunteers: (plan.volunteers ?? []).map((v) => ({ name: seal(v.name.trim()), partyMember: v.partyMember })),
    plan_summary: text(plan.summary),
  };
}

function householdFields(row: SealedHouseholdRow): Record<string, unknown> {
  return {
    villageCode: row.jurisdiction_code,
    headName: row.head_name,
    address: row.address,
    rural: row.rural,
    dibao: row.dibao,
    consent: row.consent,
    registerStatus: row.register_status,
    registeredOn: row.registered_on,
    exitedOn: row.exited_on,
    reenteredOn: row.reentered_on,
  };
}

function membersState(members: SealedMemberRow[]): Record<string, unknown> {
  return flatten('members', members.map((m) => ({ ...memberView(m), position: m.position })));
}

function fileState(row: SealedHouseholdRow, members: SealedMemberRow[]): Record<string, unknown> {
  const { volunteerGroupComplete: _complete, ...plan } = planView(row);
  return { ...householdFields(row), ...membersState(members), ...flatten('plan', plan) };
}

function checkStatusDates(status: RegisterStatus, input: Pick<CreateHouseholdDto, 'registeredOn' | 'exitedOn' | 'reenteredOn'>): void {
  const needs: Record<RegisterStatus, Array<'registeredOn' | 'exitedOn' | 'reenteredOn'>> = {
    none: [],
    registered: ['registeredOn'],
    exited: ['registeredOn', 'exitedOn'],
    reentered: ['registeredOn', 'exitedOn', 'reenteredOn'],
  };
  const problems = (['registeredOn', 'exitedOn', 'reenteredOn'] as const).flatMap((field) => {
    const given = input[field] !== undefined;
    if (needs[status].includes(field) && !given) return [`${field} is required for the status ${status}`];
    if (!needs[status].includes(field) && given) return [`${field} does not go with the status ${status}`];
    return [];
  });
  const dates = needs[status].map((field) => input[field]).filter((d): d is string => d !== undefined);
  if (problems.length === 0 && dates.some((d, i) => i > 0 && d < dates[i - 1])) problems.push('the dates must follow one another: registered, exited, re-entered');
  if (problems.length > 0) throw new HouseholdException(`The status is not consistent: ${problems.join('; ')}`, HouseholdExceptionCode.INVALID_HOUSEHOLD, { problems });
}

/** A real calendar date, not after today (China). */
function checkDate(value: string, now: Date, field: string): void {
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || value > today || chinaYear(date) < 2000) {
    throw new HouseholdException(`${field} must be a real date, not after today`, HouseholdExceptionCode.INVALID_HOUSEHOLD, { field });
  }
}

function memberNotFound(memberId: string): HouseholdException {
  return new HouseholdException(`Member ${memberId} was not found in this household`, HouseholdExceptionCode.MEMBER_NOT_FOUND, { memberId });
}

/** The unique index on members' blind index caught a race the pre-check could not: 409, not 500. */
function duplicateResidentId(error: unknown): unknown {
  if (error instanceof QueryFailedError && (error.driverError as { code?: string; constraint?: string })?.constraint === 'uq_household_members_resident_id') {
    return new HouseholdException('This resident ID number is already a member of a household', HouseholdExceptionCode.DUPLICATE_RESIDENT_ID);
  }
  return error;
}
