import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { WorkingCalendar, type CalendarOverride } from './working-calendar.js';

/** How long a process trusts its copy of the administrators' overrides before re-reading them. */
const REFRESH_MS = 60_000;

/**
 * The working calendar in force: the statutory data shipped by `chinese-days`, corrected
 * and extended by the administrators' rows in `calendar_days`. Several processes share the
 * table, so each re-reads it at most once a minute (and at once after its own change).
 */
@Injectable()
export class CalendarService {
  private static readonly base = WorkingCalendar.fromChineseDays();
  private cached?: { calendar: WorkingCalendar; loadedAt: number };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * The calendar in force, reloaded now and then. A caller inside a transaction passes its
   * manager: a reload on a second pool connection while the transaction holds one can, with
   * as many concurrent jobs as pool connections, wait forever for a connection none of them
   * will give back.
   */
  async current(manager?: EntityManager): Promise<WorkingCalendar> {
    const now = this.clock.now().getTime();
    if (this.cached && Math.abs(now - this.cached.loadedAt) < REFRESH_MS) return this.cached.calendar;
    const calendar = await this.load(manager ?? this.dataSource.manager);
    this.cached = { calendar, loadedAt: now };
    return calendar;
  }

  /** The calendar as a transaction sees it (an administrator's change before its commit). */
  async load(manager: EntityManager): Promise<WorkingCalendar> {
    const rows: { date: string; kind: 'holiday' | 'workday' }[] = await manager.query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, kind FROM calendar_days ORDER BY date`,
    );
    const overrides: CalendarOverride[] = rows.map((r) => ({ date: r.date, kind: r.kind }));
    const years = [...new Set(rows.map((r) => Number(r.date.slice(0, 4))))];
    return CalendarService.base.withOverrides(overrides, years);
  }

  /** Forget the cached copy, after this process changed the overrides. */
  invalidate(): void {
    this.cached = undefined;
  }
}
