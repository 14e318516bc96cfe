import { Clock } from '../../src/common/clock.js';

/** A clock that only moves when the test says so. */
export class ManualClock extends Clock {
  private current: Date;

  /** Defaults to a Monday morning in Beijing time (2026-03-02 09:00 +08:00). */
  constructor(start: Date | string = '2026-03-02T01:00:00.000Z') {
    super();
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current); // a copy, so callers cannot move the clock by mutating it
  }

  set(to: Date | string): void {
    this.current = new Date(to);
  }

  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }

  advanceMinutes(minutes: number): Date {
    return this.advance(minutes * 60_000);
  }

  advanceDays(days: number): Date {
    return this.advance(days * 86_400_000);
  }
}
