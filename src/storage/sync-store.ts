import type { PresenceState } from '../core/ephemeral/presence.js';
import type { RoomId, UserId, EventId } from '../core/ids.js';
import type { JsonObject } from '../core/json.js';
import type { UserPushRules } from '../core/push-rules/types.js';

/**
 * The storage contracts of what /sync delivers besides room events (account data, receipts,
 * presence), and of filters and push rules. Each feed has its own stream of positions, kept by
 * `StreamCounters`; a write takes the next position inside its transaction and stores it with
 * the row, so "what changed since P" is a range query.
 */

/** The streams with a position counter. `filter_ids` only hands out filter IDs. */
export type StreamName = 'account_data' | 'receipts' | 'presence' | 'filter_ids' | 'to_device' | 'device_lists';

export interface StreamCounters {
  /**
   * Increments the stream's counter and returns the new value (1 on first use). Call it inside
   * the writing transaction: on PostgreSQL the counter row stays locked until commit, so the
   * positions of one stream become visible in order and a reader that sees `current() = P` sees
   * every row written at a position <= P. (It also serialises the writers of one stream.)
   */
  next(name: StreamName): Promise<number>;
  /** The highest position handed out and committed (0 before the first write). */
  current(name: StreamName): Promise<number>;
}

/** Global account data has `roomId` ''. */
export interface AccountDataRecord {
  userId: UserId;
  roomId: RoomId | '';
  type: string;
  content: JsonObject;
  pos: number;
}

export interface AccountDataStore {
  /** Creates or replaces the (user, room, type) entry, stamped with position `pos`. */
  put(record: AccountDataRecord): Promise<void>;
  /** The content of one entry; `roomId` '' for global account data. */
  get(userId: UserId, roomId: RoomId | '', type: string): Promise<JsonObject | undefined>;
  /** The content of one (room, type) entry for each of many users, in one query; users without one are absent. */
  getMany(userIds: readonly UserId[], roomId: RoomId | '', type: string): Promise<Map<UserId, JsonObject>>;
  /**
   * The user's entries (global and per room) written at positions in (sincePos, upTo], oldest
   * first; `sincePos` 0 returns them all. Only the latest value of each entry is kept.
   */
  changedSince(userId: UserId, sincePos: number, upTo?: number): Promise<Array<Omit<AccountDataRecord, 'userId'>>>;
  /**
   * As `changedSince` up to `upTo`, but at most `limit.entries` entries, and none that would take
   * their content past `limit.bytes` in all (the first always comes): `through` is the position up
   * to which every change is included (`upTo` when nothing was left out). Reads no more than that.
   */
  changesWithin(userId: UserId, sincePos: number, upTo: number, limit: { entries: number; bytes: number }): Promise<{ entries: Array<Omit<AccountDataRecord, 'userId'>>; through: number }>;
  /** How many entries the user has (global and per room) and the bytes of their content, leaving out `exceptTypes`. */
  usage(userId: UserId, exceptTypes: readonly string[]): Promise<{ entries: number; bytes: number }>;
  /** The bytes of one entry's content (UTF-8 JSON), or undefined when there is no such entry. */
  size(userId: UserId, roomId: RoomId | '', type: string): Promise<number | undefined>;
}

export interface ReceiptRecord {
  roomId: RoomId;
  userId: UserId;
  /** 'm.read' or 'm.read.private'. */
  receiptType: string;
  /** null for an unthreaded receipt. */
  threadId: string | null;
  eventId: EventId;
  ts: number;
  pos: number;
}

export interface ReceiptStore {
  /** Creates or replaces the user's receipt of this type and thread in the room. */
  put(record: ReceiptRecord): Promise<void>;
  get(roomId: RoomId, userId: UserId, receiptType: string, threadId: string | null): Promise<ReceiptRecord | undefined>;
  /** Every receipt (all types and threads) of the user in the room. */
  latestFor(roomId: RoomId, userId: UserId): Promise<ReceiptRecord[]>;
  /**
   * Receipts of the given rooms written at positions in (sincePos, upTo], grouped by room (rooms
   * without any are absent), oldest first. Private receipts are included: callers show them to
   * their owner only (see `receiptContent` in core/ephemeral/receipts.ts).
   */
  changedSince(roomIds: readonly RoomId[], sincePos: number, upTo?: number): Promise<Map<RoomId, ReceiptRecord[]>>;
}

export interface PresenceRecord {
  userId: UserId;
  presence: PresenceState;
  statusMsg: string | null;
  lastActiveTs: number;
  pos: number;
}

export interface PresenceStore {
  /** Creates or replaces the user's presence, stamped with position `pos`. */
  put(record: PresenceRecord): Promise<void>;
  get(userId: UserId): Promise<PresenceRecord | undefined>;
  /** Records activity without a new position (nothing a client must be told about changed). */
  touch(userId: UserId, lastActiveTs: number): Promise<void>;
  /** Presence of the given users written at positions in (sincePos, upTo], oldest first. */
  changedSince(userIds: readonly UserId[], sincePos: number, upTo?: number): Promise<PresenceRecord[]>;
}

export interface FilterStore {
  /** Stores a filter as the client sent it. Throws ConflictError when the ID is taken. */
  create(userId: UserId, filterId: string, filter: JsonObject): Promise<void>;
  get(userId: UserId, filterId: string): Promise<JsonObject | undefined>;
  /** Deletes the user's oldest filters (lowest IDs) until at most `keep` remain; returns how many it deleted. */
  trim(userId: UserId, keep: number): Promise<number>;
}

/** A user's own push rules and changes to the defaults; the defaults themselves are never stored. */
export interface PushRuleStore {
  get(userId: UserId): Promise<UserPushRules | undefined>;
  /** The stored rules of each of these users that has any (one query). */
  getMany(userIds: readonly UserId[]): Promise<Map<UserId, UserPushRules>>;
  put(userId: UserId, rules: UserPushRules): Promise<void>;
}
