import type { JsonObject } from '../core/json.js';
import { isJsonObject } from '../core/json.js';
import type { ChangeChannel } from '../storage/change-channel.js';

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
  /** Of interest to every waiter (news from another process that may have been lost). */
  everyone?: boolean;
  /** A room event was stored (not typing, a receipt or other ephemeral news): what push recording waits for. */
  event?: boolean;
}

type Listener = (change: Change) => void;
type SharedHandler = (payload: JsonObject) => void;

/**
 * Announcements reach this process's waiters at once and, through the store's change channel,
 * every other Hearth process on the same database (PostgreSQL), whose waiters re-read from the
 * database like ours do. Services can also share small messages of their own kind (typing).
 */
export class Notifier {
  private readonly listeners = new Set<Listener>();
  private readonly shared = new Map<string, SharedHandler>();
  private observer: Listener | undefined;
  private count = 0;
  /** Waiters woken so far (a /sync that took a change): what a change costs, for tests and metrics. */
  wakeups = 0;

  constructor(private readonly channel: ChangeChannel) {
    channel.subscribe((message) => this.receive(message), () => this.deliver({ pos: 0, everyone: true }));
  }

  /** Increases with every announcement: a reader that saw it unchanged missed nothing. */
  get sequence(): number {
    return this.count;
  }

  /** Announces a committed change here and in every other process. */
  announce(change: Change): void {
    this.deliver(change);
    this.channel.publish({ kind: 'change', change: { ...change } as unknown as JsonObject });
  }

  /** Announces a change of this process's own (in-memory) state to this process's waiters only. */
  announceHere(change: Change): void {
    this.deliver(change);
  }

  /** Sends `payload` to the `onShared(kind)` handlers of every other process. */
  share(kind: string, payload: JsonObject): void {
    this.channel.publish({ kind, payload });
  }

  onShared(kind: string, handler: SharedHandler): void {
    this.shared.set(kind, handler);
  }

  /** One background job's hook on every change (the push worker); not a waiter, so not counted as a wake-up. */
  observe(observer: Listener | undefined): void {
    this.observer = observer;
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
        if (!accept(change)) return;
        this.wakeups++;
        done(change);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.listeners.add(listener);
      signal?.addEventListener('abort', onAbort);
    });
  }

  private deliver(change: Change): void {
    this.count++;
    this.observer?.(change);
    for (const listener of [...this.listeners]) listener(change);
  }

  private receive(message: JsonObject): void {
    const { kind, change, payload } = message;
    if (kind === 'change' && isJsonObject(change)) this.deliver(toChange(change));
    else if (typeof kind === 'string' && isJsonObject(payload)) this.shared.get(kind)?.(payload);
  }
}

/** A change from another process, shaped back into a Change (anything unexpected wakes everyone). */
function toChange(raw: JsonObject): Change {
  const { pos, roomId, userIds, everyone, event } = raw;
  if (typeof pos !== 'number') return { pos: 0, everyone: true };
  const users = Array.isArray(userIds) && userIds.every((u) => typeof u === 'string') ? (userIds as string[]) : undefined;
  return {
    pos,
    ...(typeof roomId === 'string' ? { roomId } : {}),
    ...(users ? { userIds: users } : {}),
    ...(everyone === true ? { everyone } : {}),
    ...(event === true ? { event } : {}),
  };
}
