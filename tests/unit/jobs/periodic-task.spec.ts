import { Logger } from '@nestjs/common';
import { PeriodicTask } from '../../../src/jobs/periodic-task.js';

/** Lets pending promise callbacks and immediate timers run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('a periodic task whose first run waits for a connection', () => {
  const HOUR = 3_600_000;
  let runs: number;
  let task: PeriodicTask;

  beforeEach(() => {
    runs = 0;
    task = new PeriodicTask('test', HOUR, async () => void (runs += 1), new Logger('test'));
  });

  afterEach(() => task.stop());

  it('runs as soon as the connection is ready, not one interval later', async () => {
    const ready = deferred();
    task.start({ whenReady: ready.promise });
    await settle();
    expect(runs).toBe(0);
    ready.resolve();
    await settle();
    expect(runs).toBe(1);
  });

  it('does not run early when the connection never comes, and stops without waiting for it', async () => {
    const never = deferred();
    const failed = deferred();
    task.start({ whenReady: never.promise });
    const other = new PeriodicTask('other', HOUR, async () => void (runs += 1), new Logger('test'));
    other.start({ whenReady: failed.promise });
    failed.reject(new Error('Connection is closed.'));
    await settle();
    await Promise.all([task.stop(), other.stop()]);
    never.resolve(); // ready only after the stop: too late to run
    await settle();
    expect(runs).toBe(0);
  });
});
