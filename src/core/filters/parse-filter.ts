import { badJson, tooLarge } from '../errors.js';
import { isJsonObject } from '../json.js';
import {
  MAX_EVENT_LIMIT,
  MAX_FILTER_CHARS,
  MAX_FILTER_ENTRY_LENGTH,
  MAX_FILTER_LIST_LENGTH,
  type EventFilter,
  type EventFormat,
  type Filter,
  type RoomEventFilter,
  type RoomFilter,
} from './types.js';

/**
 * Validation of filter definitions. Every malformed field is a 400 `M_BAD_JSON` naming the
 * field's path, so a client can see which part of a nested filter was wrong. Unknown keys
 * are ignored, as the schemas allow: clients send unstable (`org.matrix.*`) fields freely.
 * `null` counts as a wrong type, not as "absent": the schemas give no field a null type.
 */

type JsonRecord = Readonly<Record<string, unknown>>;

const EVENT_FORMATS: readonly EventFormat[] = ['client', 'federation'];

/** Parses a whole filter definition (the body of `POST /user/{userId}/filter`, or `/sync?filter={...}`). */
export function parseFilter(json: unknown): Filter {
  const top = requireObject(json, 'filter');
  // Before any field is read: every sync with this filter pays for its size.
  if (JSON.stringify(top).length > MAX_FILTER_CHARS) throw tooLarge(`A filter is at most ${MAX_FILTER_CHARS} characters of JSON`);
  const room = optionalObject(top, 'room', 'room') ?? {};
  const eventFormat = top['event_format'];
  if (eventFormat !== undefined && !EVENT_FORMATS.includes(eventFormat as EventFormat)) {
    throw badJson(`event_format must be one of ${EVENT_FORMATS.join(', ')}`);
  }
  const eventFields = optionalStrings(top, 'event_fields', 'filter');
  return {
    eventFormat: (eventFormat as EventFormat | undefined) ?? 'client',
    ...(eventFields === undefined ? {} : { eventFields }),
    presence: parseEventFilter(orEmpty(top['presence']), 'presence'),
    accountData: parseEventFilter(orEmpty(top['account_data']), 'account_data'),
    room: parseRoomFilter(room),
  };
}

/** Parses an `EventFilter` (presence, global account data). `path` names it in error messages. */
export function parseEventFilter(json: unknown, path = 'filter'): EventFilter {
  const obj = requireObject(json, path);
  const limit = optionalLimit(obj, path);
  const types = optionalStrings(obj, 'types', path);
  const senders = optionalStrings(obj, 'senders', path);
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(types === undefined ? {} : { types }),
    notTypes: optionalStrings(obj, 'not_types', path) ?? [],
    ...(senders === undefined ? {} : { senders }),
    notSenders: optionalStrings(obj, 'not_senders', path) ?? [],
  };
}

/** Parses a `RoomEventFilter`; also the `filter` query parameter of `/messages` and `/context`. */
export function parseRoomEventFilter(json: unknown, path = 'filter'): RoomEventFilter {
  const base = parseEventFilter(json, path);
  const obj = requireObject(json, path);
  const rooms = optionalStrings(obj, 'rooms', path);
  const containsUrl = optionalBoolean(obj, 'contains_url', path);
  return {
    ...base,
    ...(rooms === undefined ? {} : { rooms }),
    notRooms: optionalStrings(obj, 'not_rooms', path) ?? [],
    ...(containsUrl === undefined ? {} : { containsUrl }),
    lazyLoadMembers: optionalBoolean(obj, 'lazy_load_members', path) ?? false,
    includeRedundantMembers: optionalBoolean(obj, 'include_redundant_members', path) ?? false,
    unreadThreadNotifications: optionalBoolean(obj, 'unread_thread_notifications', path) ?? false,
  };
}

function parseRoomFilter(room: JsonRecord): RoomFilter {
  const rooms = optionalStrings(room, 'rooms', 'room');
  const sub = (key: string): RoomEventFilter => parseRoomEventFilter(orEmpty(room[key]), `room.${key}`);
  return {
    ...(rooms === undefined ? {} : { rooms }),
    notRooms: optionalStrings(room, 'not_rooms', 'room') ?? [],
    includeLeave: optionalBoolean(room, 'include_leave', 'room') ?? false,
    state: sub('state'),
    timeline: sub('timeline'),
    ephemeral: sub('ephemeral'),
    accountData: sub('account_data'),
  };
}

/** Absent sub-filters mean "no filtering"; `?? {}` would wrongly let `null` through as well. */
function orEmpty(value: unknown): unknown {
  return value === undefined ? {} : value;
}

function requireObject(value: unknown, path: string): JsonRecord {
  if (!isJsonObject(value)) throw badJson(`${path} must be an object`);
  return value;
}

function optionalObject(obj: JsonRecord, key: string, path: string): JsonRecord | undefined {
  const value = obj[key];
  return value === undefined ? undefined : requireObject(value, path);
}

function optionalStrings(obj: JsonRecord, key: string, path: string): readonly string[] | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw badJson(`${join(path, key)} must be an array of strings`);
  }
  if (value.length > MAX_FILTER_LIST_LENGTH) throw badJson(`${join(path, key)} has more than ${MAX_FILTER_LIST_LENGTH} entries`);
  if ((value as string[]).some((item) => item.length > MAX_FILTER_ENTRY_LENGTH)) {
    throw badJson(`${join(path, key)} has an entry longer than ${MAX_FILTER_ENTRY_LENGTH} characters`);
  }
  // A copy, so later mutation of the request body cannot change a parsed filter.
  return [...(value as string[])];
}

function optionalBoolean(obj: JsonRecord, key: string, path: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badJson(`${join(path, key)} must be a boolean`);
  return value;
}

/**
 * The schema says "an integer greater than 0", but 0 is accepted: clients send
 * `timeline: { limit: 0 }` to sync state without history, and Synapse honours it.
 */
function optionalLimit(obj: JsonRecord, path: string): number | undefined {
  const value = obj['limit'];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badJson(`${join(path, 'limit')} must be a non-negative integer`);
  }
  return Math.min(value, MAX_EVENT_LIMIT);
}

function join(path: string, key: string): string {
  return path === 'filter' ? key : `${path}.${key}`;
}
