import { invalidParam } from '../errors.js';
import type { RoomId, UserId } from '../ids.js';
import type { JsonObject } from '../json.js';

/** What the admin room views know of one room (gathered by storage in a few queries for all rooms). */
export interface RoomFacts {
  roomId: RoomId;
  version: string;
  creator: UserId;
  isPublic: boolean;
  joinedMembers: number;
  joinedLocalMembers: number;
  stateEvents: number;
  /** Content of the room's current state events with an empty state key, by type. */
  state: Partial<Record<string, JsonObject>>;
}

/** A room as Synapse's admin API shows it in `GET /_synapse/admin/v1/rooms` (and, with more fields, alone). */
export interface AdminRoomEntry {
  room_id: RoomId;
  name: string | null;
  canonical_alias: string | null;
  joined_members: number;
  joined_local_members: number;
  version: string;
  creator: UserId;
  encryption: string | null;
  federatable: boolean;
  public: boolean;
  join_rules: string | null;
  guest_access: string | null;
  history_visibility: string | null;
  state_events: number;
  room_type: string | null;
}

const field = (facts: RoomFacts, type: string, key: string): string | null => {
  const value = facts.state[type]?.[key];
  return typeof value === 'string' ? value : null;
};

export function roomEntry(facts: RoomFacts): AdminRoomEntry {
  return {
    room_id: facts.roomId,
    name: field(facts, 'm.room.name', 'name'),
    canonical_alias: field(facts, 'm.room.canonical_alias', 'alias'),
    joined_members: facts.joinedMembers,
    joined_local_members: facts.joinedLocalMembers,
    version: facts.version,
    creator: facts.creator,
    encryption: field(facts, 'm.room.encryption', 'algorithm'),
    federatable: facts.state['m.room.create']?.['m.federate'] !== false,
    public: facts.isPublic,
    join_rules: field(facts, 'm.room.join_rules', 'join_rule'),
    guest_access: field(facts, 'm.room.guest_access', 'guest_access'),
    history_visibility: field(facts, 'm.room.history_visibility', 'history_visibility'),
    state_events: facts.stateEvents,
    room_type: field(facts, 'm.room.create', 'type'),
  };
}

/** Orders Synapse documents: text ones alphabetical, the others largest (or true) first; `dir: b` reverses. */
const ORDERS = {
  name: 'text', canonical_alias: 'text', creator: 'text', encryption: 'text', join_rules: 'text',
  guest_access: 'text', history_visibility: 'text',
  joined_members: 'largest', joined_local_members: 'largest', version: 'largest', state_events: 'largest',
  federatable: 'largest', public: 'largest',
} as const satisfies Partial<Record<keyof AdminRoomEntry, 'text' | 'largest'>>;
type OrderBy = keyof typeof ORDERS;
/** Synapse's deprecated names. */
const ALIASES: Record<string, OrderBy> = { alphabetical: 'name', size: 'joined_members' };

/** The query string as sent (numbers still text). */
export interface RoomListQuery {
  from?: string;
  limit?: string;
  orderBy?: string;
  dir?: string;
  searchTerm?: string;
}

export interface RoomListPage {
  rooms: AdminRoomEntry[];
  offset: number;
  total_rooms: number;
  next_batch?: number;
  prev_batch?: number;
}

/** Filters, orders and pages the room list as Synapse does. */
export function roomListPage(all: readonly RoomFacts[], query: RoomListQuery): RoomListPage {
  const from = count(query.from, 0, 'from');
  const limit = count(query.limit, 100, 'limit');
  const orderName = query.orderBy ?? 'name';
  const orderBy = ALIASES[orderName] ?? (Object.hasOwn(ORDERS, orderName) ? orderName as OrderBy : undefined);
  if (!orderBy) throw invalidParam('Unknown value for order_by');
  const dir = query.dir ?? 'f';
  if (dir !== 'f' && dir !== 'b') throw invalidParam('Unknown direction: dir must be f or b');

  const entries = all.map(roomEntry).filter((e) => matches(e, query.searchTerm));
  const sign = dir === 'f' ? 1 : -1;
  entries.sort((a, b) => sign * compare(a[orderBy], b[orderBy], ORDERS[orderBy]) || (a.room_id < b.room_id ? -1 : a.room_id > b.room_id ? 1 : 0));
  const rooms = entries.slice(from, from + limit);
  const page: RoomListPage = { rooms, offset: from, total_rooms: entries.length };
  if (from + rooms.length < entries.length) page.next_batch = from + rooms.length;
  if (from > 0) page.prev_batch = Math.max(0, from - limit);
  return page;
}

function count(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidParam(`${name} must be a non-negative integer`);
  return n;
}

/** In the name or the alias's local part (any case), or in the room ID (exact case), as Synapse searches. */
function matches(entry: AdminRoomEntry, term: string | undefined): boolean {
  if (term === undefined || term === '') return true;
  const lower = term.toLowerCase();
  const aliasLocal = entry.canonical_alias?.slice(1).split(':')[0] ?? '';
  return (entry.name?.toLowerCase().includes(lower) ?? false) || aliasLocal.toLowerCase().includes(lower) || entry.room_id.includes(term);
}

/** Ascending for text, descending for numbers, versions and flags; a missing value comes last. */
function compare(a: string | number | boolean | null, b: string | number | boolean | null, kind: 'text' | 'largest'): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (kind === 'text') return a < b ? -1 : 1;
  const [x, y] = [numeric(a), numeric(b)];
  return x === y ? 0 : x > y ? -1 : 1;
}

/** Room versions compare as numbers where they are numbers ("10" after "9"). */
function numeric(value: string | number | boolean): number {
  return typeof value === 'string' ? Number.parseFloat(value) || 0 : Number(value);
}
