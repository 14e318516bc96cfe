import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Effect } from '../engine/effects.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import { CalendarService } from './calendar.service.js';
import { planDeadlines, remainingTime, type PlannedDeadline } from './deadline-plan.js';

type StartDeadline = Extract<Effect, { type: 'startDeadline' }>;
type CancelDeadline = Extract<Effect, { type: 'cancelDeadline' }>;

/**
 * Deadline rows, written in the transaction of the action that starts, pauses or ends a
 * step visit — so a deadline exists exactly when its step is open, whatever happens to
 * Redis. Firing them is DeadlineFiringService's job; handing them to BullMQ the scheduler's.
 */
@Injectable()
export class DeadlinesService {
  constructor(private readonly calendars: CalendarService) {}

  /** Applies the deadline effects of one transition, in the caller's transaction. */
  async apply(manager: EntityManager, caseId: string, effects: Effect[], now: Date): Promise<void> {
    for (const effect of effects) {
      if (effect.type === 'cancelDeadline') await this.stop(manager, caseId, effect, now);
      else if (effect.type === 'startDeadline') await this.start(manager, caseId, effect, now);
      else if (effect.type === 'caseFinished') await this.cancelAll(manager, caseId, now);
    }
  }

  /**
   * Leaving a step ends its timers; a return for correction pauses them instead, keeping
   * what was left of the due time for when the case comes back (补正 stops the clock).
   */
  private async stop(manager: EntityManager, caseId: string, effect: CancelDeadline, now: Date): Promise<void> {
    if (!effect.pause) {
      await manager.query(
        `UPDATE deadlines SET status = 'cancelled', closed_at = $4
          WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'pending'`,
        [caseId, effect.step, effect.entry, now],
      );
      return;
    }
    const [due] = await manager.query(
      `SELECT due_at, settings FROM deadlines WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND kind = 'due'`,
      [caseId, effect.step, effect.entry],
    );
    if (!due) return;
    const remaining = remainingTime(due.settings as DeadlineDefinition, now, due.due_at as Date, await this.calendars.current());
    await manager.query(
      `UPDATE deadlines SET status = 'paused', remaining = $4, closed_at = $5
        WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'pending'`,
      [caseId, effect.step, effect.entry, remaining, now],
    );
  }

  /**
   * A step visit starts its timers — or, when the step was left by a return for correction
   * and its clock paused, resumes them with the time that was left. Timers that fired
   * before the pause (a reminder already sent) stay fired; the others come back with new
   * due times and a new generation, so jobs for the old times are recognised as stale.
   */
  private async start(manager: EntityManager, caseId: string, effect: StartDeadline, now: Date): Promise<void> {
    const calendar = await this.calendars.current();
    const startedAt = new Date(effect.startedAt);
    if (!effect.deadline.restartOnReturn) {
      const paused: { id: string; kind: string; rung: number; remaining: number; step_entry: number }[] = await manager.query(
        `SELECT id, kind, rung, remaining, step_entry FROM deadlines
          WHERE case_id = $1 AND step = $2 AND status = 'paused'
            AND step_entry = (SELECT max(step_entry) FROM deadlines WHERE case_id = $1 AND step = $2 AND status = 'paused')`,
        [caseId, effect.step],
      );
      const remaining = paused.find((row) => row.kind === 'due')?.remaining;
      if (remaining !== undefined) {
        const planned = planDeadlines(effect.deadline, startedAt, calendar, remaining);
        await manager.query(
          `UPDATE deadlines d
              SET status = 'pending', step_entry = $3, due_at = p.due_at, provisional = p.provisional, started_at = $4,
                  generation = d.generation + 1, enqueued_generation = NULL, remaining = NULL, closed_at = NULL
             FROM jsonb_to_recordset($5::jsonb) AS p(kind text, rung int, due_at timestamptz, provisional boolean)
            WHERE d.case_id = $1 AND d.step = $2 AND d.step_entry = $6 AND d.status = 'paused'
              AND d.kind = p.kind AND d.rung = p.rung`,
          [caseId, effect.step, effect.entry, startedAt, asRecords(planned), paused[0].step_entry],
        );
        // Fired timers of the paused visit belong to the resumed one, so they don't fire
        // again; a reminder whose new time has already passed is dropped, not fired late.
        await manager.query(
          `UPDATE deadlines SET step_entry = $3,
                  status = CASE WHEN status = 'paused' THEN 'cancelled' ELSE status END,
                  closed_at = CASE WHEN status = 'paused' THEN $5::timestamptz ELSE closed_at END
            WHERE case_id = $1 AND step = $2 AND step_entry = $4 AND status IN ('fired', 'paused')`,
          [caseId, effect.step, effect.entry, paused[0].step_entry, now],
        );
        return;
      }
    }
    await this.cancelPaused(manager, caseId, effect.step, now);
    const planned = planDeadlines(effect.deadline, startedAt, calendar);
    await manager.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
       SELECT $1, $2, $3, p.kind, p.rung, p.due_at, p.provisional, $4, $5, 'pending', 1
         FROM jsonb_to_recordset($6::jsonb) AS p(kind text, rung int, due_at timestamptz, provisional boolean)`,
      [caseId, effect.step, effect.entry, startedAt, effect.deadline, asRecords(planned)],
    );
  }

  /** A step that restarts its clock drops what a return had paused. */
  private async cancelPaused(manager: EntityManager, caseId: string, step: string, now: Date): Promise<void> {
    await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $3 WHERE case_id = $1 AND step = $2 AND status = 'paused'`, [
      caseId,
      step,
      now,
    ]);
  }

  /** A finished case has no timers left, paused ones included. */
  private async cancelAll(manager: EntityManager, caseId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $2 WHERE case_id = $1 AND status IN ('pending', 'paused')`, [
      caseId,
      now,
    ]);
  }
}

/** The planned timers as the JSON that `jsonb_to_recordset` reads. */
function asRecords(planned: PlannedDeadline[]): string {
  return JSON.stringify(planned.map((p) => ({ kind: p.kind, rung: p.rung, due_at: p.dueAt.toISOString(), provisional: p.provisional })));
}
