import { Injectable } from '@nestjs/common';

/**
 * The only way server code learns the time. An abstract class doubles as the Nest
 * injection token (`constructor(private readonly clock: Clock)`), so tests swap in a
 * settable clock with `overrideProvider(Clock)` and deadlines can be tested without waiting.
 */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that reads a time set by its owner, or the system's while none is set. The demo
 * seed (src/database/seed-demo.ts) replays 2016–2018 through the real services with it, so
 * the history, snapshots, tasks and deadlines of those cases carry their historical times.
 */
export class SettableClock extends Clock {
  private at: Date | null = null;

  now(): Date {
    return this.at ? new Date(this.at) : new Date();
  }

  /** A fixed time from now on; null: the system's time again. */
  set(at: Date | string | null): void {
    this.at = at === null ? null : new Date(at);
  }
}

let processClock: Clock | undefined;

/**
 * Makes the next application context of this process use `clock` (a script that drives the
 * services through time, like the demo seed). Call it before the module is created; the
 * API and the worker never call it and get the system clock.
 */
export function useProcessClock(clock: Clock): void {
  processClock = clock;
}

export const clockProvider = { provide: Clock, useFactory: (): Clock => processClock ?? new SystemClock() };
