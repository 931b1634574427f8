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

  /** Runs a pass every `intervalMs` until stopped. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; resolves to how much it did (0 when another process was running it). */
  runOnce(): Promise<number> {
    this.running ??= this.store.runAlone(this.name, () => this.pass()).then((n) => n ?? 0).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  protected abstract pass(): Promise<number>;
}
