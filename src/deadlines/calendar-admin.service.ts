import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService, SYSTEM_ACTOR } from '../cases/cases.service.js';
import { Clock } from '../common/clock.js';
import { AppException } from '../common/app-error.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import { CalendarService } from './calendar.service.js';
import { planDeadlines } from './deadline-plan.js';
import { WorkingCalendar } from './working-calendar.js';

export enum CalendarExceptionCode {
  INVALID_CALENDAR = 'INVALID_CALENDAR',
}

export class CalendarException extends AppException<CalendarExceptionCode> {}

/** The statutory calendar exists from 2000 on; a year far ahead is a typo. */
const MIN_YEAR = 2000;
const MAX_YEAR = 2100;

interface PendingGroup {
  case_id: string;
  step: string;
  step_entry: number;
  started_at: Date;
  settings: DeadlineDefinition;
  remaining: number | null;
  rows: { id: string; kind: string; rung: number; due_at: string }[];
}

/**
 * Administrators publish a year's statutory schedule when the State Council announces it.
 * Every pending deadline the change moves — above all the provisional ones computed from
 * weekends only — is recomputed, with a history entry on its case, in the same transaction.
 */
@Injectable()
export class CalendarAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly cases: CasesService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async year(year: number) {
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new CalendarException(`The year must be between ${MIN_YEAR} and ${MAX_YEAR}`, CalendarExceptionCode.INVALID_CALENDAR, HttpStatus.BAD_REQUEST);
    }
    const calendar = await this.calendars.current();
    return {
      year,
      published: !calendar.isProvisionalYear(year),
      lastPublishedYear: calendar.lastPublishedYear,
      holidays: calendar.holidaysIn(year),
      workdays: calendar.makeUpWorkdaysIn(year),
    };
  }

  async setYear(user: AuthUser, year: number, holidays: string[], workdays: string[]) {
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new CalendarException(`The year must be between ${MIN_YEAR} and ${MAX_YEAR}`, CalendarExceptionCode.INVALID_CALENDAR, HttpStatus.BAD_REQUEST);
    }
    const wrong = [...holidays, ...workdays].filter((d) => !d.startsWith(`${year}-`) || Number.isNaN(Date.parse(d)));
    if (wrong.length > 0) {
      throw new CalendarException(`Dates outside ${year} or not real dates: ${wrong.join(', ')}`, CalendarExceptionCode.INVALID_CALENDAR, HttpStatus.BAD_REQUEST);
    }
    try {
      // Checks the data the way the calendar itself does (make-up days on weekends, no date twice).
      WorkingCalendar.fromYearData([{ year, holidays, makeUpWorkdays: workdays }]);
    } catch (error) {
      throw new CalendarException((error as Error).message, CalendarExceptionCode.INVALID_CALENDAR, HttpStatus.BAD_REQUEST);
    }
    const now = this.clock.now();
    const recomputed = await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM calendar_days WHERE date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1)`, [year]);
      await manager.query(
        `INSERT INTO calendar_days (date, kind, created_by, created_at)
         SELECT d::date, k, $3, $4 FROM unnest($1::text[], $2::text[]) AS t(d, k)`,
        [[...holidays, ...workdays], [...holidays.map(() => 'holiday'), ...workdays.map(() => 'workday')], user.id, now],
      );
      const changed = await this.recompute(manager, year, await this.calendars.load(manager), now);
      await this.audit.record(
        {
          kind: 'calendar.changed',
          actor: user,
          targetType: 'calendar',
          targetId: String(year),
          details: { year, holidays, workdays, recomputedDeadlines: changed },
        },
        manager,
      );
      return changed;
    });
    this.calendars.invalidate();
    return { ...(await this.year(year)), recomputedDeadlines: recomputed };
  }

  /** Recomputes the pending timers the year can move; returns how many rows changed. */
  private async recompute(manager: EntityManager, year: number, calendar: WorkingCalendar, now: Date): Promise<number> {
    const groups: PendingGroup[] = await manager.query(
      `SELECT case_id, step, step_entry, min(started_at) AS started_at, (array_agg(settings))[1] AS settings, max(remaining) AS remaining,
              json_agg(json_build_object('id', id, 'kind', kind, 'rung', rung, 'due_at', due_at)) AS rows
         FROM deadlines
        WHERE status = 'pending' AND (provisional OR (extract(year FROM due_at) >= $1 AND extract(year FROM started_at) <= $1))
        GROUP BY case_id, step, step_entry`,
      [year],
    );
    let changed = 0;
    for (const group of groups) {
      const planned = planDeadlines(group.settings, new Date(group.started_at), calendar, group.remaining ?? undefined);
      const moves = group.rows.flatMap((row) => {
        const plan = planned.find((p) => p.kind === row.kind && p.rung === row.rung);
        return plan && plan.dueAt.getTime() !== new Date(row.due_at).getTime()
          ? [{ id: row.id, from: new Date(row.due_at).toISOString(), to: plan.dueAt.toISOString(), provisional: plan.provisional }]
          : [];
      });
      const provisionalOnly = group.rows.filter((row) => !moves.some((m) => m.id === row.id));
      for (const row of provisionalOnly) {
        const plan = planned.find((p) => p.kind === row.kind && p.rung === row.rung);
        if (plan) await manager.query(`UPDATE deadlines SET provisional = $2 WHERE id = $1`, [row.id, plan.provisional]);
      }
      if (moves.length === 0) continue;
      await manager.query(
        `UPDATE deadlines d SET due_at = m.to_at, provisional = m.provisional, generation = d.generation + 1, enqueued_generation = NULL
           FROM jsonb_to_recordset($1::jsonb) AS m(id bigint, to_at timestamptz, provisional boolean) WHERE d.id = m.id`,
        [JSON.stringify(moves.map((m) => ({ id: m.id, to_at: m.to, provisional: m.provisional })))],
      );
      // The visit's open task carries the due time of its 'due' timer (the inbox sorts by it).
      const dueMove = moves.find((m) => group.rows.some((row) => row.id === m.id && row.kind === 'due'));
      if (dueMove) {
        await manager.query(`UPDATE tasks SET due_at = $4 WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'open'`, [
          group.case_id,
          group.step,
          group.step_entry,
          dueMove.to,
        ]);
      }
      const caseRow = await this.cases.lockForSystem(manager, group.case_id);
      if (caseRow) {
        await this.cases.appendEvent(manager, caseRow, 'deadline', 'recomputed', SYSTEM_ACTOR, { step: group.step, entry: group.step_entry, calendarYear: year, moves }, now);
      }
      changed += moves.length;
    }
    return changed;
  }
}
