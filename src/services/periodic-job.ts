import type { Store } from '../storage/store.js';

/**
 * Background work run every so often, never twice at once: not in this process (a pass still
 * running is joined) and not across processes on one database (`store.runAlone`: a process that
 * finds a pass under way elsewhere skips its turn).
 */
export class PeriodicJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T | undefined> | undefined;

  constructor(private readonly store: Store, private readonly name: string, private readonly work: () => Promise<T>) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; undefined when another process was running it. */
  runOnce(): Promise<T | undefined> {
    this.running ??= this.store.runAlone(this.name, this.work).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
