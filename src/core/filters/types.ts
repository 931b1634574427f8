/**
 * Typed, normalised event filters (Client-Server API "Filtering": `sync_filter.yaml`,
 * `room_event_filter.yaml`, `event_filter.yaml`). `parseFilter` is the only producer.
 *
 * Inclusion lists are `undefined` when absent, because the spec gives "absent" and "empty"
 * opposite meanings: an absent `types` includes every type, `types: []` includes none.
 * Exclusion lists default to `[]`, where absent and empty mean the same thing.
 */

/** Used by `limitOf` when a filter names no `limit`; the spec only says servers "should apply a default". 10 matches `/messages` and Synapse. */
export const DEFAULT_EVENT_LIMIT = 10;

/** Larger limits are clamped, not rejected: the spec tells servers to impose a maximum to avoid resource exhaustion. */
export const MAX_EVENT_LIMIT = 1000;

/**
 * Entries per list (`types`, `senders`, `rooms`, their `not_` lists, `event_fields`). A client
 * names a few types or rooms; even a list of every room of a busy account stays far below.
 */
export const MAX_FILTER_LIST_LENGTH = 1000;

/** Characters per entry: identifiers and event types are at most 255 bytes (spec "Size limits"). */
export const MAX_FILTER_ENTRY_LENGTH = 255;

/** The whole definition, as JSON text (unknown fields included: they are stored and served back). */
export const MAX_FILTER_CHARS = 65536;

export type EventFormat = 'client' | 'federation';

/** `EventFilter`: used for presence and global account data. */
export interface EventFilter {
  /** Absent when the client gave none, so callers can tell "default" from "asked for 10"; read it through `limitOf`. */
  readonly limit?: number;
  /** Event types to include; `*` matches any run of characters. */
  readonly types?: readonly string[];
  /** Event types to exclude; wins over `types`. */
  readonly notTypes: readonly string[];
  readonly senders?: readonly string[];
  /** Wins over `senders`. */
  readonly notSenders: readonly string[];
}

/** `RoomEventFilter`: used for a room's state, timeline, ephemeral and account data, and by `/messages` and `/context`. */
export interface RoomEventFilter extends EventFilter {
  readonly rooms?: readonly string[];
  /** Wins over `rooms`. */
  readonly notRooms: readonly string[];
  /** `true`: only events whose `content.url` is a string; `false`: only events without; absent: not considered. */
  readonly containsUrl?: boolean;
  readonly lazyLoadMembers: boolean;
  /** Only meaningful when `lazyLoadMembers` is set. */
  readonly includeRedundantMembers: boolean;
  readonly unreadThreadNotifications: boolean;
}

/**
 * The `state` part of a room filter. Its schema is a plain `RoomEventFilter`; it has its own
 * name because `/sync` honours `lazyLoadMembers`/`includeRedundantMembers` only here (sync.yaml).
 */
export type StateFilter = RoomEventFilter;

/** `RoomFilter`: the top-level `rooms`/`not_rooms` apply before every sub-filter. */
export interface RoomFilter {
  readonly rooms?: readonly string[];
  readonly notRooms: readonly string[];
  readonly includeLeave: boolean;
  readonly state: StateFilter;
  readonly timeline: RoomEventFilter;
  readonly ephemeral: RoomEventFilter;
  readonly accountData: RoomEventFilter;
}

/** A whole filter definition, as uploaded to `POST /user/{userId}/filter` or given inline to `/sync`. */
export interface Filter {
  readonly eventFormat: EventFormat;
  /** Dot-separated paths to keep in each event; absent keeps every field (see `applyEventFields`). */
  readonly eventFields?: readonly string[];
  readonly presence: EventFilter;
  readonly accountData: EventFilter;
  readonly room: RoomFilter;
}

/** The fields a filter looks at. `sender` and `room_id` are optional because EDUs and account data lack them. */
export interface FilterableEvent {
  readonly type: string;
  readonly sender?: string;
  readonly room_id?: string;
  readonly content?: unknown;
}
