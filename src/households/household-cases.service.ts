import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService, type CaseView } from '../cases/cases.service.js';
import { Clock } from '../common/clock.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';
import { HOUSEHOLD_CASE_STARTS, type HouseholdCaseStart } from './household-case-starts.js';
import { perCapitaIncome } from './household-file.js';
import { RulesService } from '../rules/rules.service.js';
import { chinaYear } from '../rules/yearly-rules.js';
import type { StartHouseholdCaseDto } from './dto/household.dto.js';
import { explainEligibility, type EligibilityReport } from './eligibility.js';
import { HouseholdException, HouseholdExceptionCode } from './households.exception.js';
import { HouseholdsService, sealedRow, type HouseholdRow, type MemberRow } from './households.service.js';

export interface StartedHouseholdCase {
  case: CaseView;
  /** The file's figures for the first action, filtered to that action's form: review, complete (consent, IDs) and submit. */
  prefill: { step: string; action: string; data: Record<string, unknown> } | null;
}

/**
 * A household file's cases and its eligibility: starting poverty-entry, poverty-exit or
 * disaster-reentry from the file (prefilled from it, linked to it through cases.household_id
 * and judged by the rules of the year given), and the line-by-line entry and exit decisions.
 */
@Injectable()
export class HouseholdCasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly households: HouseholdsService,
    private readonly cases: CasesService,
    private readonly rules: RulesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a case for the household in one transaction with the file locked: the status
   * allows the workflow, no case of it is open for the household, the start form is filled
   * from the file (the householder's resident ID passes sealed, never in plain), the case
   * is linked (`household_id`) and pinned to the year's rules (`rules_year`), and the file
   * records the link as a version.
   */
  async start(user: AuthUser, id: string, input: StartHouseholdCaseDto): Promise<StartedHouseholdCase> {
    const year = input.year ?? chinaYear(this.clock.now());
    return this.dataSource.transaction(async (manager) => {
      const row = await this.households.accessible(manager, user, id, 'start-case', true);
      await this.checkStartable(manager, row, input.workflow);
      const members = await this.households.members(manager, id);
      const fromFile = await this.startData(manager, input.workflow, row, members);
      const overriding = Object.keys(input.data ?? {}).filter((key) => Object.hasOwn(fromFile, key));
      if (overriding.length > 0) {
        throw new HouseholdException(
          `These fields come from the household file; change the file instead: ${overriding.join(', ')}`,
          HouseholdExceptionCode.INVALID_HOUSEHOLD,
          { fields: overriding },
        );
      }
      const view = await this.cases.start(user, { workflow: input.workflow, data: { ...input.data, ...fromFile }, jurisdiction: row.jurisdiction_code }, manager);
      await this.link(manager, id, view.id, input.workflow, view.status, year, user);
      // The view was taken before the link: it says the household as a later read will.
      return { case: { ...view, householdId: id }, prefill: await this.prefill(manager, view, row, members, year) };
    });
  }

  /**
   * Starts a case for the household as the system (the year-end assessment's exits, a
   * disaster's re-entries) inside the caller's transaction: the same checks, start form
   * from the file, link and version as an officer's start, the actor being the system.
   * `data` adds the fields the file does not hold. Returns the case id.
   */
  async startAsSystem(manager: EntityManager, householdId: string, workflow: StartHouseholdCaseDto['workflow'], year: number, data: Record<string, unknown> = {}): Promise<string> {
    const row = await this.households.lockedRow(manager, householdId);
    await this.checkStartable(manager, row, workflow);
    const members = await this.households.members(manager, householdId);
    const fromFile = await this.startData(manager, workflow, row, members);
    const caseId = await this.cases.startAsSystem(manager, workflow, { ...data, ...fromFile }, row.jurisdiction_code, this.clock.now());
    const [{ status }] = await manager.query(`SELECT status FROM cases WHERE id = $1`, [caseId]);
    await this.link(manager, householdId, caseId, workflow, status, year, null);
    return caseId;
  }

  /** The file's status allows the workflow, and no case of it is open for the household. */
  private async checkStartable(manager: EntityManager, row: HouseholdRow, workflow: StartHouseholdCaseDto['workflow']): Promise<void> {
    const { statuses }: HouseholdCaseStart = HOUSEHOLD_CASE_STARTS[workflow];
    if (!statuses.includes(row.register_status)) {
      throw new HouseholdException(
        `A ${workflow} case starts from a household that is ${statuses.join(' or ')}; this one is ${row.register_status}`,
        HouseholdExceptionCode.WORKFLOW_NOT_ALLOWED,
        { workflow, registerStatus: row.register_status },
      );
    }
    const [open] = await manager.query(
      `SELECT id FROM cases WHERE household_id = $1 AND workflow_key = $2 AND snapshot->>'status' <> 'done' LIMIT 1`,
      [row.id, workflow],
    );
    if (open) {
      throw new HouseholdException(`The household already has an open ${workflow} case`, HouseholdExceptionCode.CASE_ALREADY_OPEN, { caseId: open.id });
    }
  }

  /** Links the case to the file, pins the year's rules and records the link as a version. */
  private async link(manager: EntityManager, householdId: string, caseId: string, workflow: string, status: string, year: number, user: AuthUser | null): Promise<void> {
    await manager.query(`UPDATE cases SET household_id = $2, rules_year = $3 WHERE id = $1`, [caseId, householdId, year]);
    await this.households.recordChange(manager, householdId, user, 'case-linked', [{ path: `cases[${caseId}]`, from: null, to: { workflow, status, rulesYear: year } }], caseId);
  }

  async eligibility(user: AuthUser, id: string, year?: number): Promise<EligibilityReport> {
    const manager = this.dataSource.manager;
    const row = await this.households.accessible(manager, user, id, 'read');
    const asked = year ?? chinaYear(this.clock.now());
    const resolved = await this.rules.resolve(asked, manager);
    if (!resolved) throw new HouseholdException(`No rules are configured for ${asked} or any year before`, HouseholdExceptionCode.RULES_NOT_FOUND, { year: asked });
    const facts = await this.facts(manager, row, await this.households.members(manager, id), asked);
    return explainEligibility(facts, resolved.rules, asked);
  }

  /** What the eligibility decisions read of a file for a year. */
  async facts(manager: EntityManager, row: HouseholdRow, members: MemberRow[], year: number) {
    // Sequential: `manager` may be a transaction's single connection (see HouseholdsService.view).
    const incomes = await this.households.incomes(manager, row.id, year);
    const [checklist] = await manager.query(`SELECT items FROM household_checklists WHERE household_id = $1 AND year = $2`, [row.id, year]);
    return {
      county: jurisdictionAt(row.jurisdiction_code, 'county')!,
      rural: row.rural,
      registerStatus: row.register_status,
      dibao: row.dibao,
      consent: row.consent,
      members: members.map((m) => ({ labourAbility: m.labour_ability })),
      incomes: incomes.map((i) => i.amount),
      checklist: (checklist?.items as Record<string, boolean> | undefined) ?? null,
    };
  }

  /** The start form from the file; the householder is the member related 户主, else the first. */
  private async startData(manager: EntityManager, workflow: StartHouseholdCaseDto['workflow'], row: HouseholdRow, members: MemberRow[]): Promise<Record<string, unknown>> {
    const head = members.find((m) => m.relation === '户主') ?? members[0];
    const householderId = head?.resident_id_masked && head.resident_id_token ? { householderId: { masked: head.resident_id_masked, token: head.resident_id_token } } : {};
    // The file's text as stored: an ID typed into it reaches the case sealed (the case keeps it so), never in clear.
    const { head_name: householdName, address } = sealedRow(row);
    const household = { householdName, rural: row.rural, memberCount: members.length };
    if (workflow === 'poverty-entry') return { ...household, ...(address ? { address } : {}), ...householderId };
    if (workflow === 'poverty-exit') {
      const [entry] = await manager.query(
        `SELECT id FROM cases WHERE household_id = $1 AND workflow_key = 'poverty-entry' AND status = 'registered' ORDER BY created_at DESC LIMIT 1`,
        [row.id],
      );
      return { ...household, ...(entry ? { entryCaseId: entry.id } : {}), ...householderId };
    }
    return { householdName };
  }

  /**
   * What the file knows for the case's first action, limited to the fields of its form:
   * the per-capita income of the year, labour ability, dibao, consent and the members for
   * poverty-entry; the income and the year's 两不愁三保障 answers for poverty-exit.
   */
  private async prefill(manager: EntityManager, view: CaseView, row: HouseholdRow, members: MemberRow[], year: number): Promise<StartedHouseholdCase['prefill']> {
    const first = view.availableActions.find((a) => a.kind === 'submit');
    if (!first) return null;
    const facts = await this.facts(manager, row, members, year);
    const income = perCapitaIncome(facts.incomes, members.length)?.perCapita ?? null;
    const candidates: Record<string, unknown> = {
      ...(income !== null ? { perCapitaIncome: income } : {}),
      hasLabourAbility: members.some((m) => m.labour_ability),
      dibao: row.dibao,
      ...(row.consent !== null ? { consent: row.consent } : {}),
      members: members.map((m) => ({ name: m.name, relation: m.relation, age: m.age, labourAbility: m.labour_ability, disability: m.disability })),
      ...(facts.checklist ?? {}),
    };
    const data = Object.fromEntries(Object.entries(candidates).filter(([key]) => Object.hasOwn(first.fields, key)));
    return { step: first.step, action: first.action, data };
  }
}

