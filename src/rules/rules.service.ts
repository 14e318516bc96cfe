import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { canonicalJson } from '../common/canonical-json.js';
import { Clock } from '../common/clock.js';
import { offeringStep, type PersistedCaseSnapshot } from '../engine/case-transition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import type { YearlyRulesDto } from './dto/yearly-rules.dto.js';
import { RulesException, RulesExceptionCode } from './rules.exception.js';
import { chinaYear, ruleFiguresRead, ruleParams, type YearlyRules } from './yearly-rules.js';

export interface YearlyRulesView extends YearlyRules {
  updatedAt: Date;
  updatedBy: string | null;
}

/** The rules that apply to a year: its own row, or the latest earlier year's carried forward. */
export interface ResolvedRules {
  rules: YearlyRules;
  /** The year asked for; `rules.year` is the row used (earlier when carried forward). */
  year: number;
  carriedForward: boolean;
}

const SELECT_RULES = `SELECT year, poverty_line::float8 AS "povertyLine", rural_low_line::float8 AS "ruralLowLine",
       low_line_counties AS "lowLineCounties", urban_dibao_standard::float8 AS "urbanDibaoStandard",
       urban_exit_ratio::float8 AS "urbanExitRatio", rural_mean_income::float8 AS "ruralMeanIncome",
       rural_exit_ratio::float8 AS "ruralExitRatio", checklist,
       village_collective_income_target::float8 AS "villageCollectiveIncomeTarget", placeholders,
       updated_at AS "updatedAt", updated_by AS "updatedBy"
  FROM yearly_rules`;

/** Who changes the rules, from where (for the audit log). */
export interface RulesAdminContext {
  admin: AuthUser;
  address: string;
}

/**
 * The yearly rules: read by the households' eligibility explanation and — through
 * `guardParams`, called by the case shell for every action — by the workflows' guards.
 * Precedence: a figure of the year's rules overrides the definition's shipped `params` of
 * the same name; a definition param the rules do not name keeps its shipped value.
 */
@Injectable()
export class RulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<YearlyRulesView[]> {
    return this.dataSource.query(`${SELECT_RULES} ORDER BY year`);
  }

  async get(year: number): Promise<YearlyRulesView> {
    const [row] = await this.dataSource.query(`${SELECT_RULES} WHERE year = $1`, [year]);
    if (!row) throw new RulesException(`No rules are configured for ${year}`, RulesExceptionCode.RULES_NOT_FOUND, { year });
    return row;
  }

  /**
   * The rules in force for `year`: its own row, else the latest earlier year's (figures
   * stay in force until an administrator enters new ones); undefined before the first year.
   */
  async resolve(year: number, manager: EntityManager = this.dataSource.manager): Promise<ResolvedRules | undefined> {
    const [row] = await manager.query(`${SELECT_RULES} WHERE year <= $1 ORDER BY year DESC LIMIT 1`, [year]);
    if (!row) return undefined;
    const { updatedAt: _at, updatedBy: _by, ...rules } = row as YearlyRulesView;
    return { rules, year, carriedForward: rules.year !== year };
  }

  /**
   * The hook of the case shell (CasesService.perform): the figures of the yearly rules
   * that the action's guard or branch conditions read, as `params` for the engine, which
   * lays them over the definition's own params and records them in the event (so replaying
   * the history gives the same result whatever the rules become later).
   *
   * The year is the case's `rules_year` (set when a case is started from a household file
   * for a given year), else the year the case was started in, China time: a case is judged
   * by one year's figures from its start to its end. Actions that read no rule figure — most
   * of them — cost nothing here.
   */
  async guardParams(
    manager: EntityManager,
    compiled: CompiledWorkflow,
    row: { id: string; snapshot: PersistedCaseSnapshot; created_at: Date },
    command: { action: string; step?: string },
  ): Promise<Record<string, unknown> | undefined> {
    const step = offeringStep(compiled, row.snapshot, command);
    const action = step === undefined ? undefined : compiled.steps.get(step)?.definition.actions?.[command.action];
    if (!action) return undefined; // the engine refuses the action and says why
    const read = ruleFiguresRead(action);
    if (read.length === 0) return undefined;
    const [found] = await manager.query(
      `${SELECT_RULES} WHERE year <= coalesce((SELECT rules_year FROM cases WHERE id = $1), $2) ORDER BY year DESC LIMIT 1`,
      [row.id, chinaYear(new Date(row.created_at))],
    );
    return found ? ruleParams(found as YearlyRules, read) : undefined;
  }

  /**
   * Creates or replaces a year's rules. Only administrators bound to the city: the figures
   * are the city's. The change and its audit row (`rules.changed`, each changed figure with
   * its old and new value) are one transaction; saving the same figures again writes nothing.
   */
  async put(year: number, input: YearlyRulesDto, context: RulesAdminContext): Promise<YearlyRulesView> {
    if (context.admin.jurisdictionCode !== JIANGMEN_CODE) {
      throw new RulesException('The yearly rules are the city’s: only an administrator of 江门市 (440700) may change them', RulesExceptionCode.CITY_ADMINISTRATOR_ONLY);
    }
    const next: YearlyRules = {
      year,
      povertyLine: input.povertyLine,
      ruralLowLine: input.ruralLowLine,
      lowLineCounties: [...new Set(input.lowLineCounties)].sort(),
      urbanDibaoStandard: input.urbanDibaoStandard,
      urbanExitRatio: input.urbanExitRatio,
      ruralMeanIncome: input.ruralMeanIncome,
      ruralExitRatio: input.ruralExitRatio,
      checklist: input.checklist.map(({ key, label, labelEn }) => ({ key, label, labelEn })),
      villageCollectiveIncomeTarget: input.villageCollectiveIncomeTarget ?? null,
      placeholders: [...new Set(input.placeholders ?? [])].sort(),
    };
    const problems: string[] = [];
    if (next.ruralLowLine > next.povertyLine) problems.push('ruralLowLine must not be above povertyLine');
    const keys = next.checklist.map((item) => item.key);
    if (new Set(keys).size !== keys.length) problems.push('checklist keys must be unique');
    return this.dataSource.transaction(async (manager) => {
      if (next.lowLineCounties.length > 0) {
        const known: { code: string }[] = await manager.query(
          `SELECT code FROM jurisdictions WHERE code = ANY($1::varchar[]) AND level = 'county' AND retired_at IS NULL`,
          [next.lowLineCounties],
        );
        const unknown = next.lowLineCounties.filter((code) => !known.some((k) => k.code === code));
        if (unknown.length > 0) problems.push(`lowLineCounties: not current counties: ${unknown.join(', ')}`);
      }
      if (problems.length > 0) throw new RulesException(`The rules are not valid: ${problems.join('; ')}`, RulesExceptionCode.INVALID_RULES, { problems });

      const [current] = await manager.query(`${SELECT_RULES} WHERE year = $1 FOR UPDATE`, [year]);
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of Object.keys(next) as (keyof YearlyRules)[]) {
        if (key === 'year') continue;
        const before = current ? (current as YearlyRules)[key] : null;
        if (canonicalJson(before) !== canonicalJson(next[key])) changed[key] = { from: before, to: next[key] };
      }
      if (current && Object.keys(changed).length === 0) return current as YearlyRulesView;
      const now = this.clock.now();
      await manager.query(
        `INSERT INTO yearly_rules (year, poverty_line, rural_low_line, low_line_counties, urban_dibao_standard, urban_exit_ratio,
                                   rural_mean_income, rural_exit_ratio, checklist, village_collective_income_target, placeholders,
                                   updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (year) DO UPDATE SET poverty_line = $2, rural_low_line = $3, low_line_counties = $4, urban_dibao_standard = $5,
           urban_exit_ratio = $6, rural_mean_income = $7, rural_exit_ratio = $8, checklist = $9,
           village_collective_income_target = $10, placeholders = $11, updated_at = $12, updated_by = $13`,
        [
          year,
          next.povertyLine,
          next.ruralLowLine,
          next.lowLineCounties,
          next.urbanDibaoStandard,
          next.urbanExitRatio,
          next.ruralMeanIncome,
          next.ruralExitRatio,
          JSON.stringify(next.checklist),
          next.villageCollectiveIncomeTarget,
          next.placeholders,
          now,
          context.admin.id,
        ],
      );
      await this.audit.record(
        {
          kind: 'rules.changed',
          actor: context.admin,
          targetType: 'yearly-rules',
          targetId: String(year),
          address: context.address,
          details: { year, created: !current, changed },
        },
        manager,
      );
      const [saved] = await manager.query(`${SELECT_RULES} WHERE year = $1`, [year]);
      return saved as YearlyRulesView;
    });
  }
}
