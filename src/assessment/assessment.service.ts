import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { OverdueCircularService } from '../alerts/overdue-circular.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService } from '../cases/cases.service.js';
import { Clock } from '../common/clock.js';
import { assessmentJobId, InjectQueue, JobName, QueueName, queueRunJob, settleRunJob, type TypedQueue } from '../common/queues.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { explainEligibility } from '../households/eligibility.js';
import { HouseholdCasesService } from '../households/household-cases.service.js';
import { HouseholdsService } from '../households/households.service.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import { checkPlanYear as checkYear, EXIT_WORKFLOW, PlansService } from '../plans/plans.service.js';
import { divisionName } from '../org/division-names.js';
import { RulesService } from '../rules/rules.service.js';
import type { YearlyRules } from '../rules/yearly-rules.js';
import { AssessmentException, AssessmentExceptionCode } from './assessment.exception.js';
import type { AssessmentRunStatus } from './assessment.entity.js';
import { countiesFailedError, countyVerdict, interviewReason, runSeenFrom, yearIsOver, yearToAssess, type StoredRun } from './year-end.js';

/** The procedure a missed target opens against the county (约谈). */
export const INTERVIEW_WORKFLOW = 'accountability-interview';

export interface CountyOutcome {
  code: string;
  name: string;
  /** 'assessed' now, 'unchanged' (assessed by an earlier run), or 'failed' (recorded; the next run retries). */
  outcome: 'assessed' | 'unchanged' | 'failed';
  exitCasesOpened?: number;
  interviewCaseId?: string | null;
  error?: string;
}

interface CountyRow {
  year: number;
  county_code: string;
  status: 'done' | 'failed';
  run_id: string;
  target: number | null;
  reentered_people: number;
  exited_people: number;
  missed: boolean | null;
  exit_cases_opened: number;
  interview_case_id: string | null;
  error: string | null;
  assessed_at: Date;
}

/**
 * The year-end assessment (年度考核). For each county, in its own transaction: opens
 * poverty-exit cases (as the system, pinned to the year's rules) for the registered or
 * re-entered households that meet the year's exit standard and have no exit case for that
 * year (nor an open one), judges the county's exits against its target (plus the people
 * re-entered into the year's plan), and opens one accountability interview when it missed.
 * Then a circular (通报) names the counties below target and the units with overdue work.
 *
 * Idempotent: a county's result row (year, county) is written once; a later run leaves a
 * 'done' county alone and retries a 'failed' one. The assessment's exits are unique per
 * (year, household), the interview per (year, county) (on the county's row).
 *
 * A run never stays 'running' for nothing: its job's last attempt ends it 'failed' when it
 * throws, and a request (a start, the report) that finds BullMQ gave up on its job (its worker
 * died too often) marks it failed, or queues it again when Redis lost it (settleRunJob, the
 * rule of migration runs).
 */
@Injectable()
export class AssessmentService {
  private readonly logger = new Logger(AssessmentService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly households: HouseholdsService,
    private readonly householdCases: HouseholdCasesService,
    private readonly cases: CasesService,
    private readonly rules: RulesService,
    private readonly circular: OverdueCircularService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Runs) private readonly queue: TypedQueue<QueueName.Runs>,
  ) {}

  /**
   * An administrator of the city starts the assessment of an ended year: a run row and its
   * audit row commit together, then the job is queued. While a run of that year is queued
   * or running, its id is answered instead of a second run.
   */
  async start(user: AuthUser, year: number, address: string | null): Promise<{ runId: string; status: AssessmentRunStatus; created: boolean }> {
    checkYear(year);
    if (user.jurisdictionCode !== JIANGMEN_CODE) {
      throw new AssessmentException('Only administrators of the city start the year-end assessment', AssessmentExceptionCode.CITY_ADMINISTRATORS_ONLY);
    }
    const now = this.clock.now();
    if (!yearIsOver(year, now)) {
      throw new AssessmentException(`${year} has not ended yet (Beijing time): its result is not final`, AssessmentExceptionCode.YEAR_NOT_OVER, { year });
    }
    await this.settleActiveRun(year);
    const run = await this.dataSource.transaction(async (manager) => {
      const created = await this.createRun(manager, year, 'administrator', user.id, now);
      if (created.created) {
        await this.audit.record(
          {
            kind: 'plan.assessment-started',
            actor: user,
            targetType: 'assessment',
            targetId: created.runId,
            jurisdictionCode: JIANGMEN_CODE,
            address,
            details: { year, runId: created.runId },
          },
          manager,
        );
      }
      return created;
    });
    if (!run.created) return { ...run, status: run.status };
    try {
      await this.enqueue(run.runId);
    } catch (error) {
      // The run row stays visible as failed; starting again makes a new run.
      await this.fail(run.runId, 'The job queue did not take the run');
      throw new AssessmentException(`The job queue is not available: ${error instanceof Error ? error.message : String(error)}`, AssessmentExceptionCode.QUEUE_UNAVAILABLE, { runId: run.runId });
    }
    return { runId: run.runId, status: 'queued', created: true };
  }

  /**
   * The job. From the yearly scheduler (no run): records a run of the year just ended (or
   * finds the one active) and queues its own job, so that every run has a job of its own id
   * for the rule above — 'queued'. Otherwise runs the run; a failure on the last attempt
   * (`final`: no retry follows) ends it 'failed' instead of leaving it running.
   */
  async runJob(runId: string | null, final: boolean): Promise<'done' | 'failed' | 'stale' | 'queued'> {
    if (runId === null) {
      const now = this.clock.now();
      const run = await this.dataSource.transaction((manager) => this.createRun(manager, yearToAssess(now), 'schedule', null, now));
      await this.enqueue(run.runId);
      return 'queued';
    }
    try {
      return await this.run(runId);
    } catch (error) {
      if (!final) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Assessment run ${runId} failed for good: ${message}`);
      await this.fail(runId, `The run stopped: ${message}`);
      return 'failed';
    }
  }

  /**
   * Runs one assessment: every current county in its own transaction (a failure is recorded
   * on the county's row and the others go on), then the circular. A run already finished is
   * 'stale'; one found 'running' (its worker died) is run again, which is safe.
   */
  async run(runId: string): Promise<'done' | 'failed' | 'stale'> {
    const now = this.clock.now();
    const [claimed] = await this.dataSource.query(
      `WITH claimed AS (UPDATE assessment_runs SET status = 'running', started_at = coalesce(started_at, $2)
                         WHERE id = $1 AND status IN ('queued', 'running') RETURNING year) SELECT year FROM claimed`,
      [runId, now],
    );
    if (!claimed) return 'stale';
    const year: number = claimed.year;
    const resolved = await this.rules.resolve(year);
    if (!resolved) return this.finish(runId, 'failed', null, `No rules are configured for ${year} or any year before`);
    const counties: { code: string; name: string }[] = await this.dataSource.query(
      `SELECT code, name FROM jurisdictions WHERE level = 'county' AND retired_at IS NULL ORDER BY code`,
    );
    const outcomes: CountyOutcome[] = [];
    for (const county of counties) {
      try {
        outcomes.push(await this.dataSource.transaction((manager) => this.assessCounty(manager, runId, year, county, resolved.rules)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`Assessment ${year}, county ${county.code} failed: ${message}`);
        await this.dataSource.query(
          `INSERT INTO county_assessments (year, county_code, status, run_id, error, assessed_at) VALUES ($1, $2, 'failed', $3, $4, $5)
           ON CONFLICT (year, county_code) DO UPDATE SET status = 'failed', run_id = excluded.run_id, error = excluded.error, assessed_at = excluded.assessed_at
            WHERE county_assessments.status = 'failed'`,
          [year, county.code, runId, message.slice(0, 2000), this.clock.now()],
        );
        outcomes.push({ code: county.code, name: county.name, outcome: 'failed', error: message });
      }
    }
    const circular = await this.circularOf(year, this.clock.now());
    const failed = outcomes.filter((o) => o.outcome === 'failed');
    return this.finish(runId, failed.length > 0 ? 'failed' : 'done', { counties: outcomes, circular }, countiesFailedError(failed.map((f) => f.code)));
  }

  /**
   * The year's result as `user` may see it: the counties inside their subtree (a city user
   * all, a county's user their own, a town's none) with their exits and, per run, their
   * outcomes — scoped in the SQL like every list — and the circular (通报) of the latest run
   * that issued one, whole: a city-wide document naming units, without personal data.
   */
  async result(user: AuthUser, year: number) {
    checkYear(year);
    // A run whose job BullMQ gave up on is shown failed, not running for ever.
    await this.settleActiveRun(year);
    const scope = `${subtreePrefix(user.jurisdictionCode)}%`;
    const rows: (CountyRow & { name: string })[] = await this.dataSource.query(
      `SELECT a.*, j.name FROM county_assessments a LEFT JOIN jurisdictions j ON j.code = a.county_code
        WHERE a.year = $1 AND a.county_code LIKE $2 ORDER BY a.county_code`,
      [year, scope],
    );
    const stored: (Record<string, unknown> & { error: string | null; result: { counties?: StoredRun['counties']; circular?: unknown } | null })[] = await this.dataSource.query(
      `SELECT id, year, trigger, status, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", error, result
         FROM assessment_runs WHERE year = $1 ORDER BY created_at DESC, id LIMIT 20`,
      [year],
    );
    const [{ exits }] = await this.dataSource.query(`SELECT count(*)::int AS exits FROM assessment_exits WHERE year = $1 AND county_code LIKE $2`, [year, scope]);
    const issued = stored.find((r) => r.result?.circular);
    // The run's per-county outcomes and the error naming failed counties, cut to the caller's subtree.
    const runs = stored.map(({ result, ...run }) => runSeenFrom({ ...run, counties: result?.counties ?? null }, user.jurisdictionCode));
    return {
      year,
      counties: rows.map((r) => ({
        countyCode: r.county_code,
        name: r.name,
        status: r.status,
        target: r.target,
        reenteredPeople: r.reentered_people,
        plannedPeople: r.target === null ? null : r.target + r.reentered_people,
        exitedPeople: r.exited_people,
        missed: r.missed,
        exitCasesOpened: r.exit_cases_opened,
        interviewCaseId: r.interview_case_id,
        error: r.error,
        runId: r.run_id,
        assessedAt: r.assessed_at,
      })),
      exitCasesOpened: exits as number,
      latestRun: runs[0] ?? null,
      runs: runs.map(({ counties: _counties, ...run }) => run),
      circular: issued?.result?.circular ?? null,
    };
  }

  private async createRun(manager: EntityManager, year: number, trigger: 'administrator' | 'schedule', userId: string | null, now: Date) {
    const [inserted] = await manager.query(
      `INSERT INTO assessment_runs (year, trigger, requested_by, status, created_at) VALUES ($1, $2, $3, 'queued', $4)
       ON CONFLICT (year) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
      [year, trigger, userId, now],
    );
    if (inserted) return { runId: inserted.id as string, status: 'queued' as AssessmentRunStatus, created: true };
    const [active] = await manager.query(`SELECT id, status FROM assessment_runs WHERE year = $1 AND status IN ('queued', 'running')`, [year]);
    return { runId: active.id as string, status: active.status as AssessmentRunStatus, created: false };
  }

  private async assessCounty(manager: EntityManager, runId: string, year: number, county: { code: string; name: string }, rules: YearlyRules): Promise<CountyOutcome> {
    const now = this.clock.now();
    // The county's row, locked: two runs of one year assess a county one after the other.
    await manager.query(
      `INSERT INTO county_assessments (year, county_code, status, run_id, assessed_at) VALUES ($1, $2, 'failed', $3, $4) ON CONFLICT DO NOTHING`,
      [year, county.code, runId, now],
    );
    const [row]: CountyRow[] = await manager.query(`SELECT * FROM county_assessments WHERE year = $1 AND county_code = $2 FOR UPDATE`, [year, county.code]);
    if (row.status === 'done') return { code: county.code, name: county.name, outcome: 'unchanged', interviewCaseId: row.interview_case_id };

    // Registered or re-entered households with no exit case for this year and none open.
    const candidates: { id: string }[] = await manager.query(
      `SELECT h.id FROM households h
        WHERE h.jurisdiction_code LIKE $1 AND h.register_status IN ('registered', 'reentered')
          AND NOT EXISTS (SELECT 1 FROM assessment_exits x WHERE x.year = $2 AND x.household_id = h.id)
          AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id AND c.workflow_key = $3
                            AND (c.rules_year = $2 OR c.snapshot->>'status' <> 'done'))
        ORDER BY h.id`,
      [`${county.code}%`, year, EXIT_WORKFLOW],
    );
    let opened = 0;
    for (const { id } of candidates) {
      const household = await this.households.lockedRow(manager, id);
      const facts = await this.householdCases.facts(manager, household, await this.households.members(manager, id), year);
      if (!explainEligibility(facts, rules, year).exit.pass) continue;
      const caseId = await this.householdCases.startAsSystem(manager, id, EXIT_WORKFLOW, year);
      await manager.query(`INSERT INTO assessment_exits (year, household_id, county_code, case_id, run_id) VALUES ($1, $2, $3, $4, $5)`, [year, id, county.code, caseId, runId]);
      opened += 1;
    }

    const progress = await this.plans.progressOf(county.code, year, manager);
    const figures = progress.counties.find((c) => c.code === county.code) ?? progress.total;
    const verdict = countyVerdict(figures.target, figures.reenteredPeople, figures.exitedPeople);
    let interview = row.interview_case_id;
    if (verdict.missed && !interview) {
      interview = await this.cases.startAsSystem(
        manager,
        INTERVIEW_WORKFLOW,
        {
          unitCode: county.code,
          unitName: county.name,
          reason: interviewReason(year, county.name, figures.target!, figures.reenteredPeople, figures.exitedPeople),
          subjectTitle: `${year}年度减贫任务考核`,
        },
        county.code,
        now,
      );
    }
    await manager.query(
      `UPDATE county_assessments SET status = 'done', run_id = $3, target = $4, reentered_people = $5, exited_people = $6, missed = $7,
              exit_cases_opened = $8, interview_case_id = $9, error = NULL, assessed_at = $10
        WHERE year = $1 AND county_code = $2`,
      [year, county.code, runId, figures.target, figures.reenteredPeople, figures.exitedPeople, verdict.missed, opened, interview, now],
    );
    return { code: county.code, name: county.name, outcome: 'assessed', exitCasesOpened: opened, interviewCaseId: interview };
  }

  /**
   * The circular (通报) of slow units: the counties that missed the year's plan, and the
   * units with overdue work during the year (the overdue circular's report of the city).
   */
  private async circularOf(year: number, now: Date) {
    const missed: CountyRow[] = await this.dataSource.query(
      `SELECT * FROM county_assessments WHERE year = $1 AND status = 'done' AND missed ORDER BY (target + reentered_people - exited_people) DESC, county_code`,
      [year],
    );
    const overdue = await this.circular.report(this.dataSource.manager, JIANGMEN_CODE, `${year}-01-01`, `${year}-12-31`, now);
    return {
      title: `关于${year}年度脱贫攻坚工作进展缓慢单位的通报`,
      year,
      issuedAt: now,
      belowTarget: missed.map((r) => ({
        countyCode: r.county_code,
        name: divisionName(r.county_code),
        target: r.target,
        plannedPeople: r.target! + r.reentered_people,
        exitedPeople: r.exited_people,
        shortfall: r.target! + r.reentered_people - r.exited_people,
        interviewCaseId: r.interview_case_id,
      })),
      overdueUnits: overdue.units,
    };
  }

  /**
   * The run of the year still queued or running, if it really is (settleRunJob): one whose
   * job BullMQ gave up on is marked failed — a start then makes a new run, which leaves the
   * counties done alone and assesses the others —, one whose job Redis lost is queued again.
   */
  private async settleActiveRun(year: number): Promise<void> {
    const [active]: { id: string }[] = await this.dataSource.query(`SELECT id FROM assessment_runs WHERE year = $1 AND status IN ('queued', 'running')`, [year]);
    if (!active) return;
    await settleRunJob(this.queue, assessmentJobId(active.id), {
      abandoned: (reason) => this.fail(active.id, `Its job failed${reason ? `: ${reason}` : ''}; the counties it had not assessed are assessed by the next run`),
      lost: async () => {
        this.logger.warn(`Assessment run ${active.id} had no job in Redis: queued again`);
        await this.enqueue(active.id).catch(() => undefined);
      },
    });
  }

  /** The run's job (queueRunJob); a failed attempt retries after a minute and more. */
  private enqueue(runId: string): Promise<void> {
    return queueRunJob(this.queue, JobName.RunYearEndAssessment, runId, assessmentJobId(runId), 60_000);
  }

  private async fail(runId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE assessment_runs SET status = 'failed', finished_at = $2, error = $3 WHERE id = $1 AND status IN ('queued', 'running')`, [
      runId,
      this.clock.now(),
      error.slice(0, 2000),
    ]);
  }

  private async finish(runId: string, status: 'done' | 'failed', result: Record<string, unknown> | null, error: string | null): Promise<'done' | 'failed'> {
    await this.dataSource.query(`UPDATE assessment_runs SET status = $2, finished_at = $3, result = $4, error = $5 WHERE id = $1`, [runId, status, this.clock.now(), result === null ? null : JSON.stringify(result), error]);
    return status;
  }
}
