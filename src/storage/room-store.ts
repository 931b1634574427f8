import type { RoomEvent, Membership } from '../core/events/types.js';
import type { DeviceId, EventId, RoomAlias, RoomId, UserId } from '../core/ids.js';
import type { StrippedStateEvent } from '../core/federation/inbound-invite.js';
import type { JsonObject } from '../core/json.js';

/** The storage contracts of rooms, events, state and memberships. */
export interface RoomRecord {
  roomId: RoomId;
  version: string;
  creator: UserId;
  isPublic: boolean;
  createdTs: number;
  /**
   * A room of another server that Hearth knows only through an invite of a local user: it holds
   * the invite and the user's rejection, none of the room's state or history (docs/LEAVING.md).
   */
  outOfBand?: true;
}

/** An event as stored: the PDU, its position in the stream, and what it replaced in the state. */
export interface StoredEvent {
  event: RoomEvent;
  pos: number;
  /** For state events: `replaces_state`, `prev_content`, `prev_sender` of the entry it replaced. */
  prevState: { replaces_state: EventId; prev_content: JsonObject; prev_sender: UserId } | null;
  redactedBy: EventId | null;
}

export interface EventRef {
  eventId: EventId;
  depth: number;
  pos: number;
}

/** An event whose stored JSON cannot be read: the room's state is damaged. */
export class CorruptEventError extends Error {
  constructor(readonly pos: number) {
    super(`stored event at position ${pos} is not valid JSON`);
    this.name = 'CorruptEventError';
  }
}

export interface MembershipRecord {
  roomId: RoomId;
  userId: UserId;
  membership: Membership;
  eventId: EventId;
  pos: number;
  forgotten: boolean;
}

export interface RoomStore {
  create(room: RoomRecord): Promise<void>;
  get(roomId: RoomId): Promise<RoomRecord | undefined>;
  /**
   * Serialises writers of one room until the surrounding transaction ends (PostgreSQL: an
   * advisory lock; SQLite: a write transaction already excludes every other writer).
   */
  lock(roomId: RoomId): Promise<void>;
  setPublic(roomId: RoomId, isPublic: boolean): Promise<void>;
  listPublic(): Promise<RoomId[]>;
}

export interface EventStore {
  /**
   * Appends an event to its room: stores it, moves the room's state if it is a state event,
   * and records the membership if it is a member event. Returns its stream position.
   */
  append(event: RoomEvent): Promise<StoredEvent>;
  /**
   * Appends a member event of an out-of-band room: stored with a stream position and recorded as
   * the user's membership, but it changes no room state (Hearth does not know the room's state).
   */
  appendOutOfBand(event: RoomEvent): Promise<StoredEvent>;
  get(eventId: EventId): Promise<StoredEvent | undefined>;
  getMany(eventIds: readonly EventId[]): Promise<StoredEvent[]>;
  /** The room's newest event (the one new events point at), read without parsing any event. */
  head(roomId: RoomId): Promise<EventRef | undefined>;
  /** Events of a room with position in (after, before), newest first when `dir` is 'b'. */
  page(roomId: RoomId, options: { after?: number; before?: number; dir: 'f' | 'b'; limit: number }): Promise<StoredEvent[]>;
  /**
   * Rooms of the user (any membership, forgotten included) with events in (`afterPos`, `upTo`], and
   * the newest such position: what an incremental /sync has to look at, and nothing more.
   */
  activeRoomsOf(userId: UserId, afterPos: number, upTo?: number): Promise<Map<RoomId, number>>;
  /** The highest stream position committed so far (0 for none); readers of a range want `readablePos`. */
  maxPos(): Promise<number>;
  /**
   * The highest position up to which every event write has committed (or was given up), 0 for none:
   * how far "events after P" may be read without passing over a write still under way (PostgreSQL
   * writers of different rooms commit in any order; SQLite: the highest position).
   */
  readablePos(): Promise<number>;
  /** Events of every room in (`afterPos`, `upTo`], in stream order (what push evaluation has yet to see). */
  after(afterPos: number, upTo: number, limit: number): Promise<StoredEvent[]>;
  markRedacted(eventId: EventId, redactionId: EventId): Promise<void>;
  /**
   * Events of a room by timestamp: at or after `ts`, earliest first (dir 'f'), or at or before it,
   * latest first ('b'); ties in stream order (reversed for 'b'). Only positions up to `upTo` when
   * given; `after` continues from the last event of a previous batch. At most `limit`.
   */
  byTimestamp(roomId: RoomId, o: { ts: number; dir: 'f' | 'b'; upTo?: number; after?: { ts: number; pos: number }; limit: number }): Promise<StoredEvent[]>;
  /** The transaction IDs the device sent these events with (for `unsigned.transaction_id`). */
  txnIdsFor(userId: UserId, deviceId: DeviceId, eventIds: readonly EventId[]): Promise<Map<EventId, string>>;
  /** The event a client transaction produced, for idempotent retries. */
  findTxn(txn: TxnKey): Promise<EventId | undefined>;
  saveTxn(txn: TxnKey, eventId: EventId, createdTs: number): Promise<void>;
}

export interface TxnKey {
  userId: UserId;
  deviceId: DeviceId;
  /** The endpoint and its target, e.g. `send:!room:hs:m.room.message`. */
  scope: string;
  txnId: string;
}

export interface StateStore {
  /** Current state events of a room, optionally only the given (type, state key) pairs. */
  current(roomId: RoomId, keys?: ReadonlyArray<readonly [string, string]>): Promise<StoredEvent[]>;
  currentEvent(roomId: RoomId, type: string, stateKey: string): Promise<StoredEvent | undefined>;
  /** Current state events of one type (every state key), in position order: a space's `m.space.child` events. */
  currentOfType(roomId: RoomId, type: string): Promise<StoredEvent[]>;
  /** The state after the event at `pos` (inclusive), optionally only the given pairs. */
  at(roomId: RoomId, pos: number, keys?: ReadonlyArray<readonly [string, string]>): Promise<StoredEvent[]>;
  /**
   * The values one state entry took over positions (from, to]: each change with its position, plus
   * the value in force at `from`. Used to evaluate history visibility over a page of events.
   */
  changes(roomId: RoomId, type: string, stateKey: string, from: number, to: number): Promise<Array<{ pos: number; event: StoredEvent }>>;
  /** Entries of the state at `atPos` that were set after `afterPos`: what changed between two positions. */
  changedBetween(roomId: RoomId, afterPos: number, atPos: number): Promise<StoredEvent[]>;
}

export interface MembershipStore {
  get(roomId: RoomId, userId: UserId): Promise<MembershipRecord | undefined>;
  /** Rooms of a user whose current membership is one of `memberships`. */
  roomsOf(userId: UserId, memberships: readonly Membership[]): Promise<MembershipRecord[]>;
  /** Current members of a room in stream order, optionally only with the given memberships, at most `limit`. */
  members(roomId: RoomId, memberships?: readonly Membership[], limit?: number): Promise<MembershipRecord[]>;
  /** How many users currently have each membership in the room (counted by the database, not loaded). */
  counts(roomId: RoomId): Promise<Partial<Record<Membership, number>>>;
  /** Positions at which the user's membership in the room became `join`. */
  joinPositions(roomId: RoomId, userId: UserId): Promise<number[]>;
  /** Marks the room forgotten by the user at `ts`, or (null) remembered again. */
  setForgotten(roomId: RoomId, userId: UserId, ts: number | null): Promise<void>;
}

/** The stripped state another server sent with its invite of a local user, kept per room and invitee. */
export interface InviteStateStore {
  /** Stores the invitee's stripped state, replacing what an earlier invite sent. */
  put(roomId: RoomId, userId: UserId, events: readonly StrippedStateEvent[]): Promise<void>;
  get(roomId: RoomId, userId: UserId): Promise<StrippedStateEvent[] | undefined>;
}

export interface AliasStore {
  create(alias: RoomAlias, roomId: RoomId, creator: UserId, createdTs: number): Promise<void>;
  get(alias: RoomAlias): Promise<{ roomId: RoomId; creator: UserId } | undefined>;
  delete(alias: RoomAlias): Promise<boolean>;
  forRoom(roomId: RoomId): Promise<RoomAlias[]>;
}

/** Who reads relations: what aggregations and relation pages may include for them. */
export interface RelationView {
  /** The last position the reader may see (a departed user's leave); undefined: no bound. */
  upTo?: number | undefined;
  /** Senders whose relating events are left out (the reader's ignored users). */
  ignored?: ReadonlySet<string> | undefined;
}

/** A relation row: the relating event as the relations table keeps it. */
export interface RelationRecord {
  eventId: EventId;
  relatesToId: EventId;
  relType: string;
  type: string;
  sender: UserId;
  originServerTs: number;
  pos: number;
  isState: boolean;
}

/** The raw material of the bundled aggregations of a page of events, read in one call. */
export interface RelationAggregates {
  /** Per thread root: replies counted, the newest one, and whether `participant` sent one. */
  threads: Map<EventId, { count: number; latest: StoredEvent | undefined; participated: boolean }>;
  /** `m.replace` relations whose sender and type are those of the event they replace, by that event. */
  edits: Map<EventId, RelationRecord[]>;
  /** `m.reference` relations, oldest first, by the referenced event. */
  references: Map<EventId, EventId[]>;
}

/** Relations between events (migration 021), written by `EventStore.append`. */
export interface RelationStore {
  /**
   * The events relating to `parentId` in `roomId` (with `depth` > 1, also those relating to them,
   * down to `depth` levels), optionally only of one rel_type and event type, with their depth
   * (1: direct). Positions in (after, before), newest first when `dir` is 'b'.
   */
  page(roomId: RoomId, parentId: EventId, o: RelationView & {
    relType?: string | undefined; eventType?: string | undefined; depth: number;
    after?: number | undefined; before?: number | undefined; dir: 'f' | 'b'; limit: number;
  }): Promise<Array<{ stored: StoredEvent; depth: number }>>;
  /** Threads, m.replace and m.reference aggregates of `parents` (events of any rooms), a constant number of queries whatever their number. */
  aggregates(parents: ReadonlyArray<{ roomId: RoomId; eventId: EventId }>, participant: UserId, view: RelationView): Promise<RelationAggregates>;
  /**
   * Thread roots of the room by latest reply, newest first: those whose latest reply is before
   * `before`; with `participant`, only threads they started or replied to.
   */
  threads(roomId: RoomId, o: RelationView & { participant?: UserId | undefined; before?: number | undefined; limit: number }): Promise<Array<{ rootId: EventId; latestPos: number }>>;
}
