/**
 * Wakes waiting /sync requests after commit (ARCHITECTURE.md rule 3). Carries only stream
 * positions and the rooms/users touched, never data: waiters re-read from their own position.
 */
export interface Change {
  /** The stream position reached by this change. */
  pos: number;
  roomId?: string;
  /** Users whose view changed beyond the room's members (e.g. the target of an invite). */
  userIds?: readonly string[];
  /** A presence change: of interest to everyone who shares a room with `userIds`. */
  presence?: boolean;
}

type Listener = (change: Change) => void;

export class Notifier {
  private readonly listeners = new Set<Listener>();
  private count = 0;

  /** Increases with every announcement: a reader that saw it unchanged missed nothing. */
  get sequence(): number {
    return this.count;
  }

  announce(change: Change): void {
    this.count++;
    for (const listener of [...this.listeners]) listener(change);
  }

  /** Resolves with the first change `accept` takes, or undefined after `timeoutMs` (or on abort). */
  wait(accept: (change: Change) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Change | undefined> {
    return new Promise((resolve) => {
      const done = (change: Change | undefined) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        signal?.removeEventListener('abort', onAbort);
        resolve(change);
      };
      const listener: Listener = (change) => {
        if (accept(change)) done(change);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.listeners.add(listener);
      signal?.addEventListener('abort', onAbort);
    });
  }
}
