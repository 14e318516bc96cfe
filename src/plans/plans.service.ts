import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { DefinitionsService } from '../definitions/definitions.service.js';
import { isWithin, subtreePrefix } from '../engine/jurisdiction-code.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import { toCsv, toXlsx, type Cell } from '../common/table-export.js';
import { elapsedShare, planYearBounds, targetStanding, type TargetStanding } from './plan-progress.js';
import { PlanException, PlanExceptionCode } from './plan.exception.js';

/** The procedure whose finished cases are the plan's exits. */
export const EXIT_WORKFLOW = 'poverty-exit';
/** The case status of a household that exited (poverty-exit: monitored after exit, then closed). */
export const EXITED_STATUS = 'exited';
/** The procedure whose approved cases join the next year's plan, and its approved status. */
export const REENTRY_WORKFLOW = 'disaster-reentry';
export const INCLUDED_STATUS = 'includedInPlan';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;

export interface UnitFigures extends TargetStanding {
  target: number | null;
  /** People of disaster re-entries approved into this year's plan (纳入下年度脱贫计划). */
  reenteredPeople: number;
  reenteredCases: number;
  /** target + reenteredPeople: what the unit is judged against; null without a target. */
  plannedPeople: number | null;
  exitedPeople: number;
  exitedCases: number;
  pipelinePeople: number;
  pipelineCases: number;
  overdueTasks: number;
}

export interface PlanProgress {
  year: number;
  asOf: Date;
  /** Share of the plan year gone by (Beijing time), 0 to 1. */
  elapsedShare: number;
  scope: { code: string; name: string | null };
  total: UnitFigures;
  counties: Array<{ code: string; name: string } & UnitFigures>;
  towns: Array<{ code: string; name: string; countyCode: string } & UnitFigures>;
}

interface CountRow {
  town: string | null;
  county: string;
  exited_people: number;
  exited_cases: number;
  pipeline_people: number;
  pipeline_cases: number;
  overdue_tasks: number;
  reentered_people: number;
  reentered_cases: number;
}

/**
 * The 2:3:5 plan's targets and how each county and town stands against them.
 *
 * - exited: the people (the case's `memberCount`) of poverty-exit cases whose status is
 *   `exited` now and that entered it during the plan year — the time the case entered the
 *   first step of the definition that carries that status (poverty-exit: 退出后跟踪帮扶, the
 *   monitoring after the notice period), read from the snapshot's `enteredAt`. A household
 *   that fell back (resumeSupport) no longer counts; one that exited again counts in the year
 *   of its latest exit.
 * - in the pipeline: the people of poverty-exit cases still running and not exited.
 * - overdue: the open tasks of those pipeline cases whose due time has passed.
 * The pipeline and overdue figures are as of now whatever the year asked for.
 */
@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async targets(year: number) {
    checkPlanYear(year);
    const counties = await this.counties(this.dataSource.manager);
    const targets = await this.targetsOf(this.dataSource.manager, year);
    const rows = counties.map((c) => ({ countyCode: c.code, name: c.name, targetPeople: targets.get(c.code) ?? null }));
    return { year, cityTarget: targets.size > 0 ? sum([...targets.values()]) : null, targets: rows };
  }

  /**
   * Replaces a year's targets: every current county once, the city's target becoming their
   * sum. Only administrators bound to the city: the plan is the city's. The change and its
   * audit row (`plan.targets-changed`, every county's from/to) commit together.
   */
  async setTargets(user: AuthUser, year: number, targets: Array<{ countyCode: string; targetPeople: number }>, address?: string) {
    checkPlanYear(year);
    if (user.jurisdictionCode !== JIANGMEN_CODE) {
      throw new PlanException('Only administrators of the city set the reduction plan', PlanExceptionCode.CITY_ADMINISTRATORS_ONLY);
    }
    await this.dataSource.transaction(async (manager) => {
      const counties = await this.counties(manager);
      const known = new Set(counties.map((c) => c.code));
      const given = targets.map((t) => t.countyCode);
      const unknown = given.filter((code) => !known.has(code));
      const twice = given.filter((code, i) => given.indexOf(code) !== i);
      const missing = [...known].filter((code) => !given.includes(code));
      if (unknown.length + twice.length + missing.length > 0) {
        throw new PlanException(
          `Give every county of Jiangmen exactly once${unknown.length ? `; not a current county: ${unknown.join(', ')}` : ''}${
            twice.length ? `; given twice: ${[...new Set(twice)].join(', ')}` : ''
          }${missing.length ? `; missing: ${missing.join(', ')}` : ''}`,
          PlanExceptionCode.INVALID_TARGETS,
          { unknown, twice: [...new Set(twice)], missing },
        );
      }
      // Locks the year's rows: two administrators' edits of one year apply one after the other.
      await manager.query(`SELECT 1 FROM plan_targets WHERE year = $1 FOR UPDATE`, [year]);
      const before = await this.targetsOf(manager, year);
      const changed: Record<string, { from: number | null; to: number }> = {};
      for (const t of targets) {
        if (before.get(t.countyCode) !== t.targetPeople) changed[t.countyCode] = { from: before.get(t.countyCode) ?? null, to: t.targetPeople };
      }
      if (Object.keys(changed).length === 0) return;
      const now = this.clock.now();
      await manager.query(
        `INSERT INTO plan_targets (year, county_code, target_people, updated_by, updated_at)
         SELECT $1, t.code, t.people, $4, $5 FROM unnest($2::text[], $3::int[]) AS t(code, people)
         ON CONFLICT (year, county_code) DO UPDATE SET target_people = excluded.target_people, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [year, Object.keys(changed), Object.values(changed).map((c) => c.to), user.id, now],
      );
      await this.audit.record(
        {
          kind: 'plan.targets-changed',
          actor: user,
          targetType: 'plan',
          targetId: String(year),
          jurisdictionCode: JIANGMEN_CODE,
          address: address ?? null,
          details: {
            year,
            cityTarget: { from: before.size > 0 ? sum([...before.values()]) : null, to: sum(targets.map((t) => t.targetPeople)) },
            changed,
          },
        },
        manager,
      );
    });
    return this.targets(year);
  }

  /** Progress of the caller's counties and towns (their subtree) against the year's targets. */
  progress(user: AuthUser, year: number): Promise<PlanProgress> {
    return this.progressOf(user.jurisdictionCode, year);
  }

  /** Progress of the counties and towns under a node (the year-end assessment reads the city's in its transaction). */
  async progressOf(jurisdictionCode: string, year: number, manager: EntityManager = this.dataSource.manager): Promise<PlanProgress> {
    checkPlanYear(year);
    const user = { jurisdictionCode };
    const now = this.clock.now();
    const share = elapsedShare(year, now);
    const scope = subtreePrefix(user.jurisdictionCode);
    const counts = await this.counts(manager, year, scope, now);
    const targets = await this.targetsOf(manager, year);
    const names: { code: string; name: string; level: string; retired: boolean }[] = await manager.query(
      `SELECT code, name, level, retired_at IS NOT NULL AS retired FROM jurisdictions
        WHERE level IN ('county', 'town') AND code LIKE $1 ORDER BY code`,
      [`${scope}%`],
    );
    const figures = (rows: CountRow[], target: number | null): UnitFigures => {
      const f = {
        target,
        exitedPeople: sum(rows.map((r) => r.exited_people)),
        exitedCases: sum(rows.map((r) => r.exited_cases)),
        pipelinePeople: sum(rows.map((r) => r.pipeline_people)),
        pipelineCases: sum(rows.map((r) => r.pipeline_cases)),
        overdueTasks: sum(rows.map((r) => r.overdue_tasks)),
        reenteredPeople: sum(rows.map((r) => r.reentered_people)),
        reenteredCases: sum(rows.map((r) => r.reentered_cases)),
      };
      const planned = target === null ? null : target + f.reenteredPeople;
      return { ...f, plannedPeople: planned, ...targetStanding(planned, f.exitedPeople, share) };
    };
    // Retired units are listed only while they still have figures.
    const listed = (retired: boolean, rows: CountRow[]) => !retired || rows.length > 0;
    const counties = names
      .filter((n) => n.level === 'county' && isWithin(n.code, user.jurisdictionCode))
      .map((n) => ({ n, rows: counts.filter((r) => r.county === n.code) }))
      .filter(({ n, rows }) => listed(n.retired, rows))
      .map(({ n, rows }) => ({ code: n.code, name: n.name, ...figures(rows, targets.has(n.code) ? targets.get(n.code)! : null) }));
    const towns = names
      .filter((n) => n.level === 'town')
      .map((n) => ({ n, rows: counts.filter((r) => r.town === n.code) }))
      .filter(({ n, rows }) => listed(n.retired, rows))
      .map(({ n, rows }) => ({ code: n.code, name: n.name, countyCode: n.code.slice(0, 6), ...figures(rows, null) }));
    const scopeTarget = counties.length > 0 && counties.every((c) => c.target !== null) ? sum(counties.map((c) => c.target!)) : null;
    const [self] = await manager.query(`SELECT name FROM jurisdictions WHERE code = $1`, [user.jurisdictionCode]);
    return {
      year,
      asOf: now,
      elapsedShare: Math.round(share * 10000) / 10000,
      scope: { code: user.jurisdictionCode, name: self?.name ?? null },
      total: figures(counts, scopeTarget),
      counties,
      towns,
    };
  }

  /**
   * The progress the caller would read, as a table for the offices that report upward: one
   * row per county, then per town, then the total — the same figures as the JSON.
   */
  async exportProgress(user: AuthUser, year: number, format: 'csv' | 'xlsx'): Promise<{ fileName: string; contentType: string; body: Buffer }> {
    const progress = await this.progress(user, year);
    const headers = [
      '级别 level', '代码 code', '名称 name', '所属县(市、区) county', '年度目标 target', '因灾返贫纳入 reentered people', '计划合计 planned people',
      '已脱贫人数 exited people', '已脱贫户数 exited cases', '办理中人数 pipeline people', '办理中户数 pipeline cases', '逾期任务 overdue tasks',
      '完成率% percentage', '按进度应完成 expected by now', '滞后 behind',
    ];
    const line = (level: string, code: string, name: string | null, county: string | null, f: UnitFigures): Cell[] => [
      level, code, name, county, f.target, f.reenteredPeople, f.plannedPeople, f.exitedPeople, f.exitedCases, f.pipelinePeople, f.pipelineCases,
      f.overdueTasks, f.percentage, f.expectedByNow, f.behind === null ? null : f.behind ? '是 yes' : '否 no',
    ];
    const rows = [
      ...progress.counties.map((c) => line('county', c.code, c.name, c.code, c)),
      ...progress.towns.map((t) => line('town', t.code, t.name, t.countyCode, t)),
      line('total', progress.scope.code, progress.scope.name, null, progress.total),
    ];
    const base = `plan-progress-${year}-${user.jurisdictionCode}`;
    return format === 'csv'
      ? { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(headers, rows) }
      : { fileName: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: toXlsx(`${year}`, headers, rows) };
  }

  /**
   * The counts per town (and county, for cases filed at county level) in one query. The
   * steps that carry the exited status are read from every version of the exit definition,
   * so the query names no step.
   */
  private async counts(manager: EntityManager, year: number, scope: string, now: Date): Promise<CountRow[]> {
    const versions: { id: string }[] = await manager.query(`SELECT id FROM workflow_definitions WHERE key = $1`, [EXIT_WORKFLOW]);
    const exitedSteps = new Set<string>();
    for (const { id } of versions) {
      for (const [key, { definition: step }] of (await this.definitions.byId(id)).compiled.steps) {
        if (step.caseStatus === EXITED_STATUS || step.status === EXITED_STATUS) exitedSteps.add(key);
      }
    }
    const { start, end } = planYearBounds(year);
    const rows: CountRow[] = await manager.query(
      `WITH exit_cases AS (
         SELECT c.id, c.jurisdiction_code, c.status, c.snapshot->>'status' AS machine,
                coalesce((c.data->>'memberCount')::int, 0) AS people,
                (SELECT min((c.snapshot->'context'->'enteredAt'->>k)::timestamptz) FROM unnest($2::text[]) AS k) AS exited_at
           FROM cases c
          WHERE c.workflow_key = $1 AND c.jurisdiction_code LIKE $3
       ), overdue AS (
         SELECT t.case_id, count(*)::int AS tasks FROM tasks t JOIN exit_cases e ON e.id = t.case_id
          WHERE t.status = 'open' AND t.due_at < $7 GROUP BY t.case_id
       )
       SELECT CASE WHEN length(e.jurisdiction_code) >= 9 THEN left(e.jurisdiction_code, 9) END AS town,
              left(e.jurisdiction_code, 6) AS county,
              coalesce(sum(e.people) FILTER (WHERE e.status = $4 AND e.exited_at >= $5 AND e.exited_at < $6), 0)::int AS exited_people,
              count(*) FILTER (WHERE e.status = $4 AND e.exited_at >= $5 AND e.exited_at < $6)::int AS exited_cases,
              coalesce(sum(e.people) FILTER (WHERE e.machine = 'active' AND e.status <> $4), 0)::int AS pipeline_people,
              count(*) FILTER (WHERE e.machine = 'active' AND e.status <> $4)::int AS pipeline_cases,
              coalesce(sum(o.tasks) FILTER (WHERE e.machine = 'active' AND e.status <> $4), 0)::int AS overdue_tasks,
              0 AS reentered_people, 0 AS reentered_cases
         FROM exit_cases e LEFT JOIN overdue o ON o.case_id = e.id
        GROUP BY 1, 2`,
      [EXIT_WORKFLOW, [...exitedSteps], `${scope}%`, EXITED_STATUS, start, end, now],
    );
    // Approved re-entries join the plan year the city's approval names (planYear), else the
    // year after the approval (纳入下年度脱贫计划). People: the household's members now.
    const reentered: CountRow[] = await manager.query(
      `SELECT CASE WHEN length(c.jurisdiction_code) >= 9 THEN left(c.jurisdiction_code, 9) END AS town,
              left(c.jurisdiction_code, 6) AS county, 0 AS exited_people, 0 AS exited_cases, 0 AS pipeline_people,
              0 AS pipeline_cases, 0 AS overdue_tasks,
              coalesce(sum((SELECT count(*) FROM household_members m WHERE m.household_id = c.household_id)), 0)::int AS reentered_people,
              count(*)::int AS reentered_cases
         FROM cases c
        WHERE c.workflow_key = $1 AND c.status = $2 AND c.jurisdiction_code LIKE $3
          AND coalesce((c.snapshot->'context'->'data'->>'planYear')::int,
                       extract(year FROM c.updated_at AT TIME ZONE 'Asia/Shanghai')::int + 1) = $4
        GROUP BY 1, 2`,
      [REENTRY_WORKFLOW, INCLUDED_STATUS, `${scope}%`, year],
    );
    return [...rows, ...reentered];
  }

  private async counties(manager: EntityManager): Promise<{ code: string; name: string }[]> {
    return manager.query(`SELECT code, name FROM jurisdictions WHERE level = 'county' AND retired_at IS NULL ORDER BY code`);
  }

  private async targetsOf(manager: EntityManager, year: number): Promise<Map<string, number>> {
    const rows: { county_code: string; target_people: number }[] = await manager.query(
      `SELECT county_code, target_people FROM plan_targets WHERE year = $1`,
      [year],
    );
    return new Map(rows.map((r) => [r.county_code, r.target_people]));
  }
}

export function checkPlanYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new PlanException(`The year must be between ${MIN_YEAR} and ${MAX_YEAR}`, PlanExceptionCode.INVALID_YEAR);
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
