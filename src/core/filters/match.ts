import { isJsonObject } from '../json.js';
import {
  DEFAULT_EVENT_LIMIT,
  MAX_EVENT_LIMIT,
  type EventFilter,
  type FilterableEvent,
  type RoomEventFilter,
  type RoomFilter,
} from './types.js';

/**
 * Whether `type` matches a filter entry. The spec lets `*` stand for any run of characters
 * anywhere in the entry (`m.*`, `*.call.*`, `*`); no other character is special, so entries
 * are never compiled to regular expressions (a client could otherwise send a pathological one).
 */
export function matchesTypePattern(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const parts = pattern.split('*');
  const head = parts[0] ?? '';
  const tail = parts[parts.length - 1] ?? '';
  // The length check stops head and tail from claiming the same characters (`a*a` vs `a`).
  if (type.length < head.length + tail.length || !type.startsWith(head) || !type.endsWith(tail)) return false;
  const end = type.length - tail.length;
  let pos = head.length;
  // Leftmost placement of each middle part is optimal for `*`-only globs: it leaves the most room for the rest.
  for (const part of parts.slice(1, -1)) {
    const at = type.indexOf(part, pos);
    if (at === -1 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/**
 * Whether an event passes an `EventFilter` or `RoomEventFilter`. Every `not_*` list wins over
 * its inclusion list. Senders and rooms compare exactly: the spec gives wildcards to types only.
 * An event without `sender` (EDUs, account data) or `room_id` is excluded by a non-empty
 * inclusion list it cannot be in, so callers filtering room-scoped EDUs must supply `room_id`.
 */
export function matchesEventFilter(filter: EventFilter | RoomEventFilter, event: FilterableEvent): boolean {
  if (!passes(filter.types, filter.notTypes, event.type, true)) return false;
  if (!passes(filter.senders, filter.notSenders, event.sender)) return false;
  if (!isRoomEventFilter(filter)) return true;
  if (!passes(filter.rooms, filter.notRooms, event.room_id)) return false;
  return filter.containsUrl === undefined || filter.containsUrl === hasUrl(event.content);
}

/** The top-level `room.rooms`/`room.not_rooms`, which the spec applies before every room sub-filter. */
export function matchesRoomFilter(filter: RoomFilter, roomId: string): boolean {
  return passes(filter.rooms, filter.notRooms, roomId);
}

/**
 * The events that pass `filter`, in their original order. The limit is not applied here:
 * which end to keep depends on the caller (a sync timeline keeps the newest), see `limitOf`.
 */
export function filterEvents<T extends FilterableEvent>(filter: EventFilter | RoomEventFilter, events: readonly T[]): T[] {
  return events.filter((event) => matchesEventFilter(filter, event));
}

/**
 * Whether no event can pass `filter` (an empty `types` or `senders` list, or `*` in `not_types`):
 * a section a client switched off this way need not be computed at all.
 */
export function excludesEveryEvent(filter: EventFilter): boolean {
  return filter.types?.length === 0 || filter.senders?.length === 0 || filter.notTypes.includes('*');
}

/** The number of events a filter allows: its own `limit`, else `fallback`, never above `MAX_EVENT_LIMIT`. */
export function limitOf(filter: EventFilter, fallback: number = DEFAULT_EVENT_LIMIT): number {
  return Math.min(filter.limit ?? fallback, MAX_EVENT_LIMIT);
}

/**
 * A filter list as a set of exact entries plus the type patterns that hold a `*`, built once per
 * list (parsed filters are immutable) so that an event costs a set lookup, not a scan of the list.
 */
interface CompiledList {
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly string[];
}

const compiled = new WeakMap<readonly string[], CompiledList>();

function compile(list: readonly string[], globs: boolean): CompiledList {
  let found = compiled.get(list);
  if (found === undefined) {
    const patterns = globs ? list.filter((entry) => entry.includes('*')) : [];
    found = { exact: new Set(globs ? list.filter((entry) => !entry.includes('*')) : list), patterns };
    compiled.set(list, found);
  }
  return found;
}

function inList(list: readonly string[], value: string | undefined, globs: boolean): boolean {
  if (value === undefined) return false;
  const { exact, patterns } = compile(list, globs);
  return exact.has(value) || patterns.some((pattern) => matchesTypePattern(pattern, value));
}

/** `globs`: the entries are type patterns (`*` is a wildcard); else they compare exactly. */
function passes(include: readonly string[] | undefined, exclude: readonly string[], value: string | undefined, globs = false): boolean {
  if (inList(exclude, value, globs)) return false;
  return include === undefined || inList(include, value, globs);
}

function isRoomEventFilter(filter: EventFilter | RoomEventFilter): filter is RoomEventFilter {
  return 'notRooms' in filter;
}

/** `contains_url` asks whether `content.url` is a string; a url of any other type does not count. */
function hasUrl(content: unknown): boolean {
  return isJsonObject(content) && typeof content['url'] === 'string';
}
