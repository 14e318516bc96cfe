import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Effect } from '../engine/effects.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import { CalendarService } from './calendar.service.js';
import { planDeadlines, remainingTime, type PlannedDeadline } from './deadline-plan.js';

type StartDeadline = Extract<Effect, { type: 'startDeadline' }>;

/**
 * The deadline rows one transition writes, as data for the action's single write statement
 * (src/cases/transition-writes.ts), which applies them only if the case's version check
 * passed. Resuming a paused clock is not in it: `resume()` does that after the statement.
 */
export interface DeadlineWrites {
  /** Pending timers of a step visit that end: cancelled, or paused (补正) with what was left. */
  stops: { step: string; entry: number; pause: boolean; remaining: number | null }[];
  /** The timers of step visits whose clock starts afresh. */
  starts: { step: string; entry: number; kind: string; rung: number; due_at: string; provisional: boolean; started_at: string; settings: unknown }[];
  /** The case finished: every pending or paused timer of it is cancelled. */
  cancelAll: boolean;
  /** Step visits that resume a clock a return paused: for `resume()`, after the write. */
  resumes: StartDeadline[];
}

/**
 * Deadline rows, written in the transaction of the action that starts, pauses or ends a
 * step visit — so a deadline exists exactly when its step is open, whatever happens to
 * Redis. Firing them is DeadlineFiringService's job; handing them to BullMQ the scheduler's.
 *
 * The engine says which visit starts afresh and which resumes a paused clock
 * (`startDeadline.resume`), so an ordinary step entry needs no lookup: `plan()` turns the
 * effects into rows, the cases service writes them in the action's one write statement,
 * and only a resume (rare) reads and writes on its own, in `resume()`.
 */
@Injectable()
export class DeadlinesService {
  constructor(private readonly calendars: CalendarService) {}

  /**
   * The deadline writes of one transition. Reads only to pause a clock (the due time, to
   * store what is left of it); writes nothing.
   */
  async plan(manager: EntityManager, caseId: string, effects: Effect[], now: Date): Promise<DeadlineWrites> {
    const writes: DeadlineWrites = { stops: [], starts: [], cancelAll: effects.some((e) => e.type === 'caseFinished'), resumes: [] };
    for (const effect of effects) {
      if (effect.type === 'cancelDeadline') {
        // A finished case cancels all of its timers, paused ones included: nothing to stop one by one.
        if (writes.cancelAll) continue;
        if (!effect.pause) {
          writes.stops.push({ step: effect.step, entry: effect.entry, pause: false, remaining: null });
          continue;
        }
        // A return for correction pauses the timers instead, keeping what was left of the
        // due time for when the case comes back (补正 stops the clock).
        const [due] = await manager.query(
          `SELECT due_at, settings FROM deadlines WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND kind = 'due'`,
          [caseId, effect.step, effect.entry],
        );
        if (!due) continue;
        const remaining = remainingTime(due.settings as DeadlineDefinition, now, due.due_at as Date, await this.calendars.current(manager));
        writes.stops.push({ step: effect.step, entry: effect.entry, pause: true, remaining });
      } else if (effect.type === 'startDeadline') {
        if (effect.resume) {
          writes.resumes.push(effect);
          continue;
        }
        const startedAt = new Date(effect.startedAt);
        const planned = planDeadlines(effect.deadline, startedAt, await this.calendars.current(manager));
        for (const p of planned) {
          writes.starts.push({
            step: effect.step,
            entry: effect.entry,
            kind: p.kind,
            rung: p.rung,
            due_at: p.dueAt.toISOString(),
            provisional: p.provisional,
            started_at: startedAt.toISOString(),
            settings: effect.deadline,
          });
        }
      }
    }
    return writes;
  }

  /**
   * A step visit resumes the clock a return for correction paused (in visit
   * `pausedEntry`), with the time that was left. Timers that fired before the pause (a
   * reminder already sent) stay fired; the others come back with new due times and a new
   * generation, so jobs for the old times are recognised as stale. When the due timer
   * itself was not paused (it had fired), the clock starts afresh instead. Runs after the
   * action's write statement, in its transaction.
   */
  async resume(manager: EntityManager, caseId: string, effect: StartDeadline, now: Date): Promise<void> {
    const calendar = await this.calendars.current(manager);
    const startedAt = new Date(effect.startedAt);
    const paused: { id: string; kind: string; rung: number; remaining: number; step_entry: number }[] = await manager.query(
      `SELECT id, kind, rung, remaining, step_entry FROM deadlines
        WHERE case_id = $1 AND step = $2 AND status = 'paused' AND step_entry = $3`,
      [caseId, effect.step, effect.pausedEntry],
    );
    const remaining = paused.find((row) => row.kind === 'due')?.remaining;
    if (remaining !== undefined) {
      const planned = planDeadlines(effect.deadline, startedAt, calendar, remaining);
      await manager.query(
        `UPDATE deadlines d
            SET status = 'pending', step_entry = $3, due_at = p.due_at, provisional = p.provisional, started_at = $4,
                generation = d.generation + 1, enqueued_generation = NULL, closed_at = NULL
           FROM jsonb_to_recordset($5::jsonb) AS p(kind text, rung int, due_at timestamptz, provisional boolean)
          WHERE d.case_id = $1 AND d.step = $2 AND d.step_entry = $6 AND d.status = 'paused'
            AND d.kind = p.kind AND d.rung = p.rung`,
        [caseId, effect.step, effect.entry, startedAt, asRecords(planned), effect.pausedEntry],
      );
      // Fired timers of the paused visit belong to the resumed one, so they don't fire
      // again; a reminder whose new time has already passed is dropped, not fired late.
      await manager.query(
        `UPDATE deadlines SET step_entry = $3,
                status = CASE WHEN status = 'paused' THEN 'cancelled' ELSE status END,
                closed_at = CASE WHEN status = 'paused' THEN $5::timestamptz ELSE closed_at END
          WHERE case_id = $1 AND step = $2 AND step_entry = $4 AND status IN ('fired', 'paused')`,
        [caseId, effect.step, effect.entry, effect.pausedEntry, now],
      );
      await this.setTaskDue(manager, caseId, effect, planned);
      return;
    }
    await this.cancelPaused(manager, caseId, effect.step, now);
    const planned = planDeadlines(effect.deadline, startedAt, calendar);
    await manager.query(
      `INSERT INTO deadlines (case_id, step, step_entry, kind, rung, due_at, provisional, started_at, settings, status, generation)
       SELECT $1, $2, $3, p.kind, p.rung, p.due_at, p.provisional, $4, $5, 'pending', 1
         FROM jsonb_to_recordset($6::jsonb) AS p(kind text, rung int, due_at timestamptz, provisional boolean)`,
      [caseId, effect.step, effect.entry, startedAt, effect.deadline, asRecords(planned)],
    );
    await this.setTaskDue(manager, caseId, effect, planned);
  }

  /** The visit's open task carries its due time (the inbox sorts by it). */
  private async setTaskDue(manager: EntityManager, caseId: string, effect: StartDeadline, planned: PlannedDeadline[]): Promise<void> {
    const due = planned.find((p) => p.kind === 'due');
    await manager.query(`UPDATE tasks SET due_at = $4 WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'open'`, [
      caseId,
      effect.step,
      effect.entry,
      due?.dueAt ?? null,
    ]);
  }

  /** A clock that starts afresh drops what a return had paused. */
  private async cancelPaused(manager: EntityManager, caseId: string, step: string, now: Date): Promise<void> {
    await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $3 WHERE case_id = $1 AND step = $2 AND status = 'paused'`, [
      caseId,
      step,
      now,
    ]);
  }
}

/** The planned timers as the JSON that `jsonb_to_recordset` reads. */
function asRecords(planned: PlannedDeadline[]): string {
  return JSON.stringify(planned.map((p) => ({ kind: p.kind, rung: p.rung, due_at: p.dueAt.toISOString(), provisional: p.provisional })));
}
