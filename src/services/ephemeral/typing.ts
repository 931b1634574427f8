import type { Clock } from '../../core/clock.js';
import type { JsonObject } from '../../core/json.js';
import { forbidden } from '../../core/errors.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';
import { requireJoined } from './room-checks.js';

/** Clients ask for up to this long; longer requests are capped (a crashed client stops "typing" soon). */
export const MAX_TYPING_TIMEOUT_MS = 120_000;
/** When `typing` is true but no `timeout` is given. */
export const DEFAULT_TYPING_TIMEOUT_MS = 30_000;

/** Runs `fn` after `ms` (unref'd: it never keeps the process alive); returns a cancel function. */
export type Scheduler = (fn: () => void, ms: number) => () => void;

const realTimers: Scheduler = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface RoomTyping {
  /** User -> the time their typing notification expires. */
  users: Map<UserId, number>;
  /** The typing position at which this room's list last changed. */
  pos: number;
}

/**
 * Typing notifications (`PUT /rooms/{roomId}/typing/{userId}`). They are short-lived, so they are
 * kept in memory only, with a per-process position counter (/sync's typing token). Every change is
 * shared with the other processes on the database (they apply it to their own copy), and
 * positions follow the clock's milliseconds, so a token from one process means about the same
 * moment in another. Expiry follows the injected clock; a timer makes sure waiting /sync requests
 * hear of expiries without anyone asking.
 */
export class Typing {
  /** Rooms stay here once they had typing users, so that "nobody is typing any more" can be reported. */
  private readonly rooms = new Map<RoomId, RoomTyping>();
  /**
   * Starts at the clock's milliseconds, so that positions keep increasing across restarts (a
   * client's token from before a restart stays below them) while staying well inside 15 digits.
   */
  private counter: number;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;

  constructor(private readonly deps: { store: Store; clock: Clock; notifier: Notifier; schedule?: Scheduler }) {
    this.counter = deps.clock.now();
    deps.notifier.onShared('typing', (payload) => this.applyShared(payload));
  }

  /** The current typing position (for sync tokens). */
  get position(): number {
    this.expire();
    return this.counter;
  }

  async set(requester: Requester, roomId: RoomId, userId: UserId, typing: boolean, timeoutMs?: number): Promise<void> {
    if (requester.userId !== userId) throw forbidden('Cannot set the typing state of other users');
    await requireJoined(this.deps.store, roomId, userId);
    const timeout = Math.min(Math.max(timeoutMs ?? DEFAULT_TYPING_TIMEOUT_MS, 0), MAX_TYPING_TIMEOUT_MS);
    const until = typing ? this.deps.clock.now() + timeout : 0;
    this.apply(roomId, userId, until);
    this.deps.notifier.share('typing', { roomId, userId, until });
  }

  /** Stops `userId` typing in the room, if they are (they left it, or were kicked or banned), in every process. */
  stop(roomId: RoomId, userId: UserId): void {
    if (!this.rooms.get(roomId)?.users.has(userId)) return;
    this.apply(roomId, userId, 0);
    this.deps.notifier.share('typing', { roomId, userId, until: 0 });
  }

  /** Another process's typing change (`until` 0: stopped). */
  private applyShared(payload: JsonObject): void {
    const { roomId, userId, until } = payload;
    if (typeof roomId !== 'string' || typeof userId !== 'string' || typeof until !== 'number') return;
    this.apply(roomId as RoomId, userId as UserId, until);
  }

  /** Typing until `until` (ms since the epoch), or stopped when that is not in the future. */
  private apply(roomId: RoomId, userId: UserId, until: number): void {
    this.expire();
    const typing = until > this.deps.clock.now();
    const room = this.rooms.get(roomId);
    const wasTyping = room?.users.has(userId) ?? false;
    if (typing) {
      const entry = room ?? { users: new Map<UserId, number>(), pos: 0 };
      entry.users.set(userId, until);
      this.rooms.set(roomId, entry);
      this.scheduleExpiry();
    } else {
      room?.users.delete(userId);
    }
    // Extending a notification changes nothing a client sees: only starting and stopping are announced.
    if (wasTyping !== typing) this.changed(roomId);
  }

  /** The users currently typing in the room. */
  forRoom(roomId: RoomId): UserId[] {
    this.expire();
    return [...(this.rooms.get(roomId)?.users.keys() ?? [])];
  }

  /**
   * For /sync: the rooms among `roomIds` whose typing list changed after `sincePos`, with the
   * current list (possibly empty: "nobody is typing any more" is news too). A `sincePos` above the
   * current position (a clock set back across a restart) returns every room with typing users.
   */
  changedSince(roomIds: readonly RoomId[], sincePos: number): Map<RoomId, UserId[]> {
    this.expire();
    const restarted = sincePos > this.counter;
    const out = new Map<RoomId, UserId[]>();
    for (const roomId of roomIds) {
      const room = this.rooms.get(roomId);
      if (!room) continue;
      if (restarted ? room.users.size > 0 : room.pos > sincePos) out.set(roomId, [...room.users.keys()]);
    }
    return out;
  }

  private changed(roomId: RoomId): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.counter = Math.max(this.counter + 1, this.deps.clock.now());
    room.pos = this.counter;
    // Every process announces to its own waiters: the change itself travelled as a 'typing' message.
    this.deps.notifier.announceHere({ pos: room.pos, roomId });
  }

  /** Drops expired notifications, announcing each room whose list changed. */
  private expire(): void {
    const now = this.deps.clock.now();
    for (const [roomId, room] of this.rooms) {
      let dropped = false;
      for (const [userId, until] of room.users) {
        if (until <= now) {
          room.users.delete(userId);
          dropped = true;
        }
      }
      if (dropped) this.changed(roomId);
    }
  }

  /** Keeps one timer, for the earliest expiry. */
  private scheduleExpiry(): void {
    let earliest = Infinity;
    for (const room of this.rooms.values()) for (const until of room.users.values()) earliest = Math.min(earliest, until);
    if (earliest === Infinity || earliest >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = earliest;
    const schedule = this.deps.schedule ?? realTimers;
    this.cancelTimer = schedule(() => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.expire();
      this.scheduleExpiry();
    }, Math.max(0, earliest - this.deps.clock.now()));
  }
}
