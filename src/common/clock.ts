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

export const clockProvider = { provide: Clock, useClass: SystemClock };
