import type { Store } from '../storage/store.js';

/**
 * Background work run every so often, never twice at once: not in this process (a pass still
 * running is joined) and not across processes on one database (`store.runAlone`: a process that
 * finds a pass under way elsewhere skips its turn). A pass resolves to how much it did.
 */
export abstract class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly store: Store, private readonly name: string) {}

  /** Runs a pass every `intervalMs` until stopped, the first one after `firstRunMs` (default: one interval). */
  start(intervalMs: number, firstRunMs = intervalMs): void {
    this.timer = setTimeout(() => {
      this.runInBackground();
      this.timer = setInterval(() => this.runInBackground(), intervalMs);
      this.timer.unref();
    }, firstRunMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // A failed pass was reported by its caller; stopping only waits for it to end.
    await this.running?.catch(() => {});
  }

  /** One pass; resolves to how much it did (0 when another process was running it). */
  runOnce(): Promise<number> {
    this.running ??= this.store.runAlone(this.name, () => this.pass()).then((n) => n ?? 0).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  protected abstract pass(): Promise<number>;

  /**
   * A timer's pass. Passes log their own failures; what fails before one starts (the database is
   * unreachable, so `runAlone` cannot take its lock) is retried at the next turn, and must not
   * become an unhandled rejection, which would end the process.
   */
  private runInBackground(): void {
    this.runOnce().catch(() => {});
  }
}
