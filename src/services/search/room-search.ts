import { invalidParam, ReadDenied } from '../../core/errors.js';
import type { ClientEvent } from '../../core/events/client-format.js';
import { filterEvents, limitOf } from '../../core/filters/match.js';
import { DEFAULT_EVENT_LIMIT, type RoomEventFilter } from '../../core/filters/types.js';
import type { RoomId, UserId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
import type { JsonObject } from '../../core/json.js';
import { ALL_SEARCH_KEYS, formatSearchToken, parseSearchToken, searchWords, type SearchKey } from '../../core/search.js';
import type { SearchHit, SearchQuery, Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { RoomReads } from '../rooms/reads.js';
import type { RoomAccess, RoomReadAccess } from '../rooms/room-access.js';
import { ignoredUsersOf } from '../user-data/ignored-users.js';

/** Results a page holds at most, whatever the filter's `limit` says (each may carry context). */
export const MAX_SEARCH_PAGE = 100;
/** Events of context on either side of a result at most. */
export const MAX_SEARCH_CONTEXT = 20;
/** Matches looked at to count the results: past this, `count` is a lower bound (the spec: "approximate"). */
export const SEARCH_COUNT_SCAN = 1000;
/** Batches of matches read per page at most when history visibility or the filter hides many (as /messages). */
const MAX_ROUNDS = 10;

export interface RoomEventsCriteria {
  searchTerm: string;
  keys?: readonly SearchKey[];
  filter?: RoomEventFilter;
  orderBy?: 'rank' | 'recent';
  eventContext?: { beforeLimit?: number; afterLimit?: number; includeProfile?: boolean };
  includeState?: boolean;
  groupBy?: ReadonlyArray<'room_id' | 'sender'>;
}

type Readable = Map<RoomId, RoomAccess>;

/**
 * `POST /search`, category `room_events`: the full-text index, seen through the same access
 * rules as `/messages` (docs/LEAVING.md): only rooms the user joined and has not forgotten, a
 * departed user up to their leave, history visibility per event, ignored users' events withheld.
 */
export class RoomSearch {
  constructor(private readonly deps: { store: Store; access: RoomReadAccess; events: ClientEvents; reads: RoomReads }) {}

  async roomEvents(requester: Requester, c: RoomEventsCriteria, nextBatch?: string) {
    const order = c.orderBy ?? 'rank';
    const cursor = nextBatch === undefined ? undefined : parseSearchToken(nextBatch);
    if (nextBatch !== undefined && cursor?.order !== order) throw invalidParam('Invalid next_batch token');
    const words = searchWords(c.searchTerm);
    const readable = await this.readableRooms(requester.userId, c.filter);
    const ignored = await ignoredUsersOf(this.deps.store, requester.userId);
    const base = {
      ranges: [...readable.values()].map((a) => ({ roomId: a.roomId, ...(a.upTo === undefined ? {} : { upTo: a.upTo }) })),
      words, keys: c.keys && c.keys.length > 0 ? c.keys : ALL_SEARCH_KEYS, order,
    } as const;
    const visible = (hits: SearchHit[]) => this.visible(hits, readable, ignored, c.filter);

    // A page of none could never move on: `limit: 0` is taken as 1.
    const limit = Math.max(1, Math.min(c.filter ? limitOf(c.filter) : DEFAULT_EVENT_LIMIT, MAX_SEARCH_PAGE));
    const page = await this.page(base, visible, limit, cursor?.order === 'rank' ? cursor.offset : 0, cursor?.order === 'recent' ? cursor.beforePos : undefined);
    const counted = await visible(await this.deps.store.search.find({ ...base, order: 'recent', limit: SEARCH_COUNT_SCAN }));

    const results = await Promise.all(page.hits.map(async (hit) => ({
      rank: hit.rank,
      result: await this.deps.events.formatOne(hit.stored),
      ...(c.eventContext ? { context: await this.context(readable.get(hit.stored.event.room_id)!, ignored, hit, c.eventContext) } : {}),
    })));
    const body: JsonObject = { count: counted.size, highlights: words, results: results as unknown as JsonObject[] };
    if (c.includeState) body.state = await this.states(readable, page.hits);
    if (c.groupBy && c.groupBy.length > 0) body.groups = groups(page.hits, c.groupBy);
    if (page.next !== undefined) body.next_batch = page.next;
    return { search_categories: { room_events: body } };
  }

  /**
   * Reads batches of matches from the cursor on until `limit` visible ones are found or the
   * matches end. `next` resumes exactly after the last match looked at, never skipping one.
   */
  private async page(base: Omit<SearchQuery, 'limit'>, visible: (hits: SearchHit[]) => Promise<Set<number>>, limit: number, offset: number, beforePos: number | undefined) {
    const hits: SearchHit[] = [];
    const batchSize = Math.max(limit, 20);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const batch = await this.deps.store.search.find({ ...base, offset: base.order === 'rank' ? offset : 0, ...(base.order === 'recent' && beforePos !== undefined ? { beforePos } : {}), limit: batchSize });
      const shown = await visible(batch);
      let looked = 0;
      for (const hit of batch) {
        looked++;
        beforePos = hit.stored.pos;
        if (shown.has(hit.stored.pos)) hits.push(hit);
        if (hits.length >= limit) break;
      }
      offset += looked;
      const exhausted = batch.length < batchSize && looked === batch.length;
      if (exhausted) return { hits, next: undefined };
      if (hits.length >= limit) break;
    }
    return { hits, next: formatSearchToken(base.order === 'rank' ? { order: 'rank', offset } : { order: 'recent', beforePos: beforePos! }) };
  }

  /** The rooms the user may search, with how far: joined or departed (not forgotten), and passing the filter's rooms. */
  private async readableRooms(userId: UserId, filter: RoomEventFilter | undefined): Promise<Readable> {
    const memberships = await this.deps.store.memberships.roomsOf(userId, ['join', 'leave', 'ban']);
    const readable: Readable = new Map();
    for (const m of memberships) {
      if (m.forgotten || (filter?.rooms && !filter.rooms.includes(m.roomId)) || filter?.notRooms.includes(m.roomId)) continue;
      try {
        const access = await this.deps.access.check(userId, m.roomId);
        // Those who only see their own membership events have nothing to search (none is indexed).
        if (!access.ownMembershipOnly) readable.set(m.roomId, access);
      } catch (err) {
        if (!(err instanceof ReadDenied)) throw err;
      }
    }
    return readable;
  }

  /** Positions of the hits the user may see: history visibility per room, then ignored users and the filter. */
  private async visible(hits: SearchHit[], readable: Readable, ignored: ReadonlySet<string>, filter: RoomEventFilter | undefined): Promise<Set<number>> {
    const byRoom = new Map<RoomId, SearchHit[]>();
    for (const hit of hits) byRoom.set(hit.stored.event.room_id, [...(byRoom.get(hit.stored.event.room_id) ?? []), hit]);
    const shown = new Set<number>();
    for (const [roomId, roomHits] of byRoom) {
      const seen = (await this.deps.access.filter(readable.get(roomId)!, roomHits.map((h) => h.stored))).filter((e) => !isFromIgnoredUser(e.event, ignored));
      const kept = filter ? filterEvents(filter, seen.map((stored) => ({ stored, ...stored.event }))).map((f) => f.stored) : seen;
      for (const e of kept) shown.add(e.pos);
    }
    return shown;
  }

  private async context(access: RoomAccess, ignored: ReadonlySet<string>, hit: SearchHit, o: NonNullable<RoomEventsCriteria['eventContext']>) {
    const around = await this.deps.reads.around(access, ignored, hit.stored.pos, {
      before: Math.min(o.beforeLimit ?? 5, MAX_SEARCH_CONTEXT), after: Math.min(o.afterLimit ?? 5, MAX_SEARCH_CONTEXT),
    });
    if (!o.includeProfile) return around;
    return { ...around, profile_info: await this.profiles(access.roomId, hit.stored.pos, [hit.stored.event.sender, ...around.events_before.map((e) => e.sender), ...around.events_after.map((e) => e.sender)]) };
  }

  /** The senders' display names and avatars as their member events said at the result ("historic profile information"). */
  private async profiles(roomId: RoomId, pos: number, senders: string[]): Promise<Record<string, JsonObject>> {
    const members = await this.deps.store.state.at(roomId, pos, [...new Set(senders)].map((s) => ['m.room.member', s] as const));
    const out: Record<string, JsonObject> = {};
    for (const m of members) {
      if (m.redactedBy !== null) continue;
      const profile: JsonObject = {};
      if (typeof m.event.content.displayname === 'string') profile.displayname = m.event.content.displayname;
      if (typeof m.event.content.avatar_url === 'string') profile.avatar_url = m.event.content.avatar_url;
      out[m.event.state_key!] = profile;
    }
    return out;
  }

  /** The state of each room with a result, as the user may see it (today's, or as at their leave). */
  private async states(readable: Readable, hits: SearchHit[]): Promise<JsonObject> {
    const state: Record<string, ClientEvent[]> = {};
    for (const roomId of new Set(hits.map((h) => h.stored.event.room_id))) state[roomId] = await this.deps.reads.visibleState(readable.get(roomId)!);
    return state as unknown as JsonObject;
  }
}

/** `groups`: the page's results by room or by sender, each group ordered by its best result. */
function groups(hits: SearchHit[], groupBy: ReadonlyArray<'room_id' | 'sender'>): JsonObject {
  const out: Record<string, Record<string, { results: string[]; order: number }>> = {};
  for (const key of new Set(groupBy)) {
    const groupsOfKey: Record<string, { results: string[]; order: number }> = {};
    for (const hit of hits) {
      const value = key === 'room_id' ? hit.stored.event.room_id : hit.stored.event.sender;
      const group = (groupsOfKey[value] ??= { results: [], order: Object.keys(groupsOfKey).length + 1 });
      group.results.push(hit.stored.event.event_id);
    }
    out[key] = groupsOfKey;
  }
  return out as unknown as JsonObject;
}
