/** A parked long-poll: `signal` ends its wait early; `release()` when the request is done. */
export interface Parking {
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * The /sync long-polls parked in this process, per user and device. A device's new /sync ends its
 * previous one (a client that gave up on a request, or a second tab of the same session, leaves no
 * request behind to be woken for nothing); a user holds at most `perUser` at once (the oldest ends
 * first); `endAll()` at shutdown ends every one, so that they answer before the database closes.
 * An ended long-poll answers at once with what it has (usually nothing new, with a fresh token).
 */
export class ParkedSyncs {
  private readonly users = new Map<string, Map<string, AbortController>>();
  private ended = false;
  private onEmpty: (() => void) | undefined;

  constructor(private readonly perUser: number) {}

  /** How many are parked now (metrics, tests). */
  get size(): number {
    let n = 0;
    for (const devices of this.users.values()) n += devices.size;
    return n;
  }

  park(userId: string, deviceId: string, request?: AbortSignal): Parking {
    const controller = new AbortController();
    if (this.ended || request?.aborted) {
      controller.abort();
      return { signal: controller.signal, release: () => {} };
    }
    const devices = this.users.get(userId) ?? new Map<string, AbortController>();
    this.users.set(userId, devices);
    devices.get(deviceId)?.abort();
    devices.delete(deviceId);
    // Map order is insertion order: the first entry is the oldest.
    while (devices.size >= this.perUser) {
      const [oldest, c] = devices.entries().next().value!;
      c.abort();
      devices.delete(oldest);
    }
    devices.set(deviceId, controller);
    const onRequestEnd = () => controller.abort();
    request?.addEventListener('abort', onRequestEnd, { once: true });
    return {
      signal: controller.signal,
      release: () => {
        request?.removeEventListener('abort', onRequestEnd);
        if (devices.get(deviceId) === controller) devices.delete(deviceId);
        if (devices.size === 0 && this.users.get(userId) === devices) this.users.delete(userId);
        if (this.ended) this.pending.delete(controller);
        if (this.ended && this.pending.size === 0) this.onEmpty?.();
      },
    };
  }

  /** Ended at shutdown but still computing their answer (which reads the database). */
  private readonly pending = new Set<AbortController>();

  /**
   * Shutdown: every parked long-poll answers now, and new ones do not park. Resolves once each has
   * computed its answer: the database may close after that. Later calls return the same promise.
   */
  endAll(): Promise<void> {
    this.allEnded ??= this.endEvery();
    return this.allEnded;
  }

  private allEnded: Promise<void> | undefined;

  private endEvery(): Promise<void> {
    this.ended = true;
    for (const devices of this.users.values()) for (const c of devices.values()) {
      c.abort();
      this.pending.add(c);
    }
    this.users.clear();
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onEmpty = resolve));
  }
}
