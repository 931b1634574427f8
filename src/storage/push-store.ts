import type { DeviceId, EventId, RoomId, UserId } from '../core/ids.js';
import type { JsonObject } from '../core/json.js';

/** A pusher as stored: what `POST /pushers/set` gave, the device that set it, and its delivery state. */
export interface PusherRecord {
  userId: UserId;
  appId: string;
  pushkey: string;
  deviceId: DeviceId;
  kind: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag: string | null;
  lang: string;
  data: JsonObject;
  pushkeyTs: number;
  /** Stream position of the last notification delivered (or skipped); delivery resumes after it. */
  deliveredPos: number;
  /** Failed attempts in a row, and when the next one is due. */
  failures: number;
  nextAttemptTs: number;
}

export type NewPusher = Omit<PusherRecord, 'deliveredPos' | 'failures' | 'nextAttemptTs'>;

export interface PusherStore {
  list(userId: UserId): Promise<PusherRecord[]>;
  /**
   * Creates or replaces the user's pusher with this app ID and pushkey. A new pusher starts
   * delivering after `fromPos`; a replaced one keeps its position. Unless `append`, other users'
   * pushers with the same app ID and pushkey are removed (the spec's `append: false`).
   */
  set(pusher: NewPusher, options: { append: boolean; fromPos: number }): Promise<void>;
  /** Removes the user's pushers of `appId` with these pushkeys; returns how many. */
  delete(appId: string, pushkeys: readonly string[], userId: UserId): Promise<number>;
  /** Pushers whose next attempt is due at `now` and that have notifications after their position. */
  due(now: number, limit: number): Promise<PusherRecord[]>;
  /** A success: delivery resumes after `pos`, failures reset. No-op when the pusher is gone. */
  advance(key: PusherKey, pos: number): Promise<void>;
  /** A failure: one more, the next attempt at `nextAttemptTs`. */
  fail(key: PusherKey, nextAttemptTs: number): Promise<void>;
}

export type PusherKey = Pick<PusherRecord, 'userId' | 'appId' | 'pushkey'>;

export interface NotificationRecord {
  userId: UserId;
  roomId: RoomId;
  eventId: EventId;
  pos: number;
  highlight: boolean;
  actions: unknown[];
  ts: number;
}

export interface ListedNotification extends NotificationRecord {
  /** The user's read receipt (`m.read` or `m.read.private`) in the room is at or after the event. */
  read: boolean;
}

export interface NotificationStore {
  /** Records many at once (one statement). */
  add(records: readonly NotificationRecord[]): Promise<void>;
  /**
   * The user's notifications, newest first, before `beforePos` when given, not in rooms they
   * forgot; `onlyHighlight` keeps highlights only.
   */
  list(userId: UserId, o: { beforePos?: number; limit: number; onlyHighlight: boolean }): Promise<ListedNotification[]>;
  /** The user's notifications after `afterPos`, oldest first (what a pusher has yet to deliver). */
  after(userId: UserId, afterPos: number, limit: number): Promise<NotificationRecord[]>;
  /**
   * How many of the user's notifications are unread: in rooms they are joined to, after their read
   * receipt and after their membership event there (their join, or their latest profile change).
   */
  unreadCount(userId: UserId): Promise<number>;
  /** Events evaluated for notifications up to this position. */
  progress(): Promise<number>;
  setProgress(pos: number): Promise<void>;
}
