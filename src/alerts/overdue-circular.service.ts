import { HttpStatus, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppException } from '../common/app-error.js';
import { beijingTime } from '../deadlines/deadline-duration.js';
import { subtreePrefix } from '../engine/jurisdiction-code.js';
import { divisionName } from '../org/division-names.js';

export enum CircularExceptionCode {
  INVALID_PERIOD = 'INVALID_PERIOD',
}

export class CircularException extends AppException<CircularExceptionCode> {}

export interface CircularUnit {
  code: string;
  name: string | null;
  /** Step visits whose due time fell in the period and that were not done by then. */
  overdue: number;
  /** Of those, how many are still open now (a task still open, or a call step still waiting for its case). */
  stillOpen: number;
  /** Escalation rungs fired in the period against the unit's cases. */
  escalations: number;
  towns: { code: string; name: string | null; overdue: number; stillOpen: number }[];
}

const MAX_PERIOD_DAYS = 400;

/**
 * The city-wide circular (通报) of units with overdue work in a period: per county, with
 * its towns, the step visits that went past their due time, how many are still open, and
 * the escalations fired — worst first. Read from the deadline rows, which keep fired and
 * cancelled timers, so a period long past is reported as it happened.
 */
@Injectable()
export class OverdueCircularService {
  async report(manager: EntityManager, jurisdictionCode: string, from: string, to: string, now: Date) {
    const start = dayStart(from);
    const end = dayStart(to) && new Date(dayStart(to)!.getTime() + 86_400_000);
    if (!start || !end || end <= start || end.getTime() - start.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
      throw new CircularException(`The period ${from} – ${to} is not valid (at most ${MAX_PERIOD_DAYS} days, from before to)`, CircularExceptionCode.INVALID_PERIOD, HttpStatus.BAD_REQUEST);
    }
    // A due time passed without the step being done: the row fired, or it is still pending
    // and past due, or the visit ended after its due time before the timer fired (a worker
    // that was down, a busy queue) — its `due` row was cancelled late. A visit finished in
    // time has its row cancelled before the due time.
    const rows: { town: string; county: string; overdue: number; still_open: number; escalations: number }[] = await manager.query(
      `SELECT left(c.jurisdiction_code, 9) AS town, left(c.jurisdiction_code, 6) AS county,
              count(*) FILTER (WHERE d.kind = 'due')::int AS overdue,
              count(*) FILTER (WHERE d.kind = 'due' AND (t.id IS NOT NULL OR k.id IS NOT NULL))::int AS still_open,
              count(*) FILTER (WHERE d.kind = 'escalation')::int AS escalations
         FROM deadlines d
         JOIN cases c ON c.id = d.case_id
         LEFT JOIN tasks t ON t.case_id = d.case_id AND t.step = d.step AND t.step_entry = d.step_entry AND t.status = 'open'
         -- A call step has no task: its visit is still open while the case it called runs.
         LEFT JOIN cases k ON k.parent_case_id = d.case_id AND k.parent_step = d.step AND k.parent_step_entry = d.step_entry
                          AND k.snapshot ->> 'status' = 'active'
        WHERE d.kind IN ('due', 'escalation') AND d.due_at >= $1 AND d.due_at < $2 AND d.due_at <= $3
          AND (d.status = 'fired' OR (d.status = 'pending' AND d.due_at <= $3)
               OR (d.kind = 'due' AND d.status = 'cancelled' AND d.closed_at > d.due_at))
          AND c.jurisdiction_code LIKE $4
        GROUP BY 1, 2`,
      [start, end, now, `${subtreePrefix(jurisdictionCode)}%`],
    );
    const counties = new Map<string, CircularUnit>();
    for (const row of rows) {
      const county = counties.get(row.county) ?? { code: row.county, name: divisionName(row.county), overdue: 0, stillOpen: 0, escalations: 0, towns: [] };
      county.overdue += row.overdue;
      county.stillOpen += row.still_open;
      county.escalations += row.escalations;
      if (row.town.length === 9 && row.overdue > 0) {
        county.towns.push({ code: row.town, name: divisionName(row.town), overdue: row.overdue, stillOpen: row.still_open });
      }
      counties.set(row.county, county);
    }
    const units = [...counties.values()]
      .filter((u) => u.overdue > 0 || u.escalations > 0)
      .map((u) => ({ ...u, towns: u.towns.sort((a, b) => b.overdue - a.overdue || a.code.localeCompare(b.code)) }))
      .sort((a, b) => b.overdue - a.overdue || b.escalations - a.escalations || a.code.localeCompare(b.code));
    return { title: `关于${from}至${to}扶贫工作逾期情况的通报`, period: { from, to }, jurisdictionCode, generatedAt: now, units };
  }
}

/** 00:00 Beijing time of a date, or undefined when it is not a calendar date (2026-02-31). */
function dayStart(date: string): Date | undefined {
  try {
    return beijingTime(date, '00:00');
  } catch {
    return undefined;
  }
}
