import type { Logger } from '@nestjs/common';

/**
 * Runs `work` every `intervalMs`, never two runs at once (the next run is scheduled when
 * the previous one ends), logging failures instead of dying. `stop()` waits for a run in
 * progress, so shutdown never cuts a transaction in half.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts the timer. With `whenReady` (e.g. the queue's connection becoming ready) the
   * first run starts as soon as that promise resolves, however far away the next interval
   * is; the timer runs meanwhile, and a rejection only means there is no early run. Nothing
   * waits for it: a start-up with Redis down neither hangs nor delays shutdown.
   */
  start({ whenReady }: { whenReady?: Promise<unknown> } = {}): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
    whenReady?.then(
      async () => {
        // A run in progress may have started before it was ready: one more, once it ends.
        await this.running;
        if (!this.stopped) await this.runNow();
      },
      () => undefined,
    );
  }

  /** Runs now (or joins the run in progress) and resolves when it is done. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = (async () => {
      try {
        await this.work();
      } catch (error) {
        this.logger.warn(`${this.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running = undefined;
        this.schedule();
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, this.intervalMs);
    this.timer.unref();
  }
}
