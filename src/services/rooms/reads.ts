import type { Clock } from '../../core/clock.js';
import { invalidParam, notFound, ReadDenied } from '../../core/errors.js';
import type { ClientEvent } from '../../core/events/client-format.js';
import type { Membership } from '../../core/events/types.js';
import { filterEvents } from '../../core/filters/match.js';
import type { RoomEventFilter } from '../../core/filters/types.js';
import type { EventId, RoomId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
import type { JsonObject } from '../../core/json.js';
import { eventPosOfToken, formatEventToken } from '../../core/tokens.js';
import type { Store, StoredEvent } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { ignoredUsersOf } from '../user-data/ignored-users.js';
import { viewerOf } from './bundled-aggregations.js';
import type { ClientEvents } from './client-events.js';
import type { RoomAccess, RoomReadAccess } from './room-access.js';

/** Pages read per /messages request at most, when history visibility or a filter hides events. */
const MAX_ROUNDS = 20;

export interface MessagesQuery {
  from?: string;
  to?: string;
  dir: 'b' | 'f';
  limit: number;
  filter?: RoomEventFilter;
}

/** Every read path of a room, each behind the access check and history visibility. */
export class RoomReads {
  constructor(private readonly deps: { store: Store; clock: Clock; access: RoomReadAccess; events: ClientEvents }) {}

  async joinedRooms(requester: Requester): Promise<{ joined_rooms: RoomId[] }> {
    const rooms = await this.deps.store.memberships.roomsOf(requester.userId, ['join']);
    return { joined_rooms: rooms.map((m) => m.roomId) };
  }

  /** `/event/{eventId}`: an event the user may not see (or ignores) is 404, exactly like one that does not exist. */
  async event(requester: Requester, roomId: RoomId, eventId: EventId): Promise<ClientEvent> {
    const access = await this.accessOr404(requester, roomId);
    const ignored = await ignoredUsersOf(this.deps.store, requester.userId);
    return this.deps.events.formatOne(await this.visibleEvent(access, ignored, eventId), undefined, viewerOf(access, ignored));
  }

  /** The event of the room, if the reader may see it and does not ignore its sender; else 404, as if it did not exist. */
  async visibleEvent(access: RoomAccess, ignored: ReadonlySet<string>, eventId: EventId): Promise<StoredEvent> {
    const stored = await this.deps.store.events.get(eventId);
    if (!stored || stored.event.room_id !== access.roomId) throw notFound('Event not found');
    const [visible] = await this.deps.access.filter(access, [stored]);
    if (!visible || isFromIgnoredUser(visible.event, ignored)) throw notFound('Event not found');
    return visible;
  }

  /** Current state, or the state at the user's leave for departed users. */
  async state(requester: Requester, roomId: RoomId): Promise<ClientEvent[]> {
    const access = await this.deps.access.checkState(requester.userId, roomId);
    return this.deps.events.format(await this.stateAt(access));
  }

  async stateEvent(requester: Requester, roomId: RoomId, type: string, stateKey: string): Promise<ClientEvent> {
    const access = await this.deps.access.checkState(requester.userId, roomId);
    const [found] = await this.stateAt(access, undefined, [[type, stateKey]]);
    if (!found) throw notFound('State event not found');
    return this.deps.events.formatOne(found);
  }

  async members(requester: Requester, roomId: RoomId, q: { at?: string; membership?: Membership; notMembership?: Membership }): Promise<{ chunk: ClientEvent[] }> {
    const access = await this.deps.access.checkState(requester.userId, roomId);
    const at = q.at === undefined ? undefined : this.tokenPos(q.at, 'at');
    const state = await this.stateAt(access, at);
    const members = state.filter((s) => s.event.type === 'm.room.member').filter((s) => {
      const m = s.event.content.membership;
      return (q.membership === undefined || m === q.membership) && (q.notMembership === undefined || m !== q.notMembership);
    });
    return { chunk: await this.deps.events.format(members) };
  }

  /** Today's joined members: never the state at a departed user's leave, since they are refused. */
  async joinedMembers(requester: Requester, roomId: RoomId): Promise<{ joined: Record<string, JsonObject> }> {
    const access = await this.deps.access.checkJoined(requester.userId, roomId);
    const state = await this.stateAt(access);
    const joined: Record<string, JsonObject> = {};
    for (const s of state) {
      if (s.event.type !== 'm.room.member' || s.event.content.membership !== 'join') continue;
      const profile: JsonObject = {};
      // Redaction keeps only `membership` of a member event: a redacted join shows no profile.
      if (s.redactedBy !== null) {
        joined[s.event.state_key!] = profile;
        continue;
      }
      if (typeof s.event.content.displayname === 'string') profile.display_name = s.event.content.displayname;
      if (typeof s.event.content.avatar_url === 'string') profile.avatar_url = s.event.content.avatar_url;
      joined[s.event.state_key!] = profile;
    }
    return { joined };
  }

  /**
   * `/messages`: tokens mean "every event at or before position P". `end` names where the next page
   * starts; it is omitted once nothing more is visible (spec): backwards at the start of what the
   * user may see, forwards when a page at the newest visible event came back empty. Events of users
   * the requester ignores are left out, state events excepted (spec: "Ignoring Users").
   */
  async messages(requester: Requester, roomId: RoomId, q: MessagesQuery) {
    const access = await this.deps.access.check(requester.userId, roomId);
    return this.page(access, await ignoredUsersOf(this.deps.store, requester.userId), q);
  }

  private async page(access: RoomAccess, ignored: ReadonlySet<string>, q: MessagesQuery) {
    const roomId = access.roomId;
    const from = q.from === undefined
      ? (q.dir === 'b' ? (access.upTo ?? (await this.deps.store.events.head(roomId))?.pos ?? 0) : 0)
      : this.tokenPos(q.from, 'from');
    const to = q.to === undefined ? undefined : this.tokenPos(q.to, 'to');
    const { events, exhausted, next } = await this.collect(access, ignored, q, from, to);
    const body: { chunk: ClientEvent[]; start: string; end?: string } = {
      chunk: await this.deps.events.format(events, undefined, undefined, viewerOf(access, ignored)),
      start: formatEventToken(from),
    };
    // Forwards, a page that reached the newest event still names where to continue once more arrive.
    if (!exhausted || (q.dir === 'f' && events.length > 0)) body.end = formatEventToken(next);
    return body;
  }

  /**
   * Reads pages until `limit` visible events are found or the range is exhausted. The rounds are
   * bounded: a page may then come back short (even empty) with a `next` position that resumes
   * exactly where the scan stopped, never skipping an event.
   */
  private async collect(access: RoomAccess, ignored: ReadonlySet<string>, q: MessagesQuery, from: number, to: number | undefined) {
    const events: StoredEvent[] = [];
    if (q.limit === 0) return { events, exhausted: false, next: from };
    const ceiling = access.upTo ?? Number.MAX_SAFE_INTEGER;
    // Backwards: the next page holds positions <= cursor; forwards: positions > cursor.
    let cursor = from;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const page = q.dir === 'b'
        ? await this.deps.store.events.page(access.roomId, { dir: 'b', before: Math.min(cursor, ceiling) + 1, ...(to !== undefined ? { after: to } : {}), limit: q.limit })
        : await this.deps.store.events.page(access.roomId, { dir: 'f', after: cursor, before: Math.min(ceiling, to ?? ceiling) + 1, limit: q.limit });
      const visible = (await this.deps.access.filter(access, page)).filter((e) => !isFromIgnoredUser(e.event, ignored));
      for (const e of q.filter ? filterEvents(q.filter, visible.map(asFilterable)).map((f) => f.stored) : visible) {
        events.push(e);
        if (events.length >= q.limit) return { events, exhausted: false, next: q.dir === 'b' ? e.pos - 1 : e.pos };
      }
      const last = page[page.length - 1];
      if (last) cursor = q.dir === 'b' ? last.pos - 1 : last.pos;
      if (page.length < q.limit) return { events, exhausted: true, next: cursor };
    }
    return { events, exhausted: false, next: cursor };
  }

  /** `/context/{eventId}`: the event, some visible events around it, and the state at it. */
  async context(requester: Requester, roomId: RoomId, eventId: EventId, limit: number, filter?: RoomEventFilter) {
    const access = await this.deps.access.check(requester.userId, roomId);
    const ignored = await ignoredUsersOf(this.deps.store, requester.userId);
    const target = await this.deps.store.events.get(eventId);
    if (!target || target.event.room_id !== roomId || isFromIgnoredUser(target.event, ignored) || (await this.deps.access.filter(access, [target])).length === 0) {
      throw notFound('Event not found');
    }
    const half = Math.ceil(limit / 2);
    const around = await this.around(access, ignored, target.pos, { before: half, after: limit - half, ...(filter ? { filter } : {}) });
    const state = this.deps.access.visibleState(access, await this.deps.store.state.at(roomId, target.pos));
    // The filter applies to the events around the target and to the state, not to the target (spec).
    const shownState = filter ? filterEvents(filter, state.map(asFilterable)).map((f) => f.stored) : state;
    return { event: await this.deps.events.formatOne(target, undefined, viewerOf(access, ignored)), ...around, state: await this.deps.events.format(shownState) };
  }

  /**
   * The visible events just before and just after the one at `pos` (which the caller checked the
   * user may see), with the tokens that continue from either end: `/context` and search's `event_context`.
   */
  async around(access: RoomAccess, ignored: ReadonlySet<string>, pos: number, o: { before: number; after: number; filter?: RoomEventFilter }) {
    const filter = o.filter ? { filter: o.filter } : {};
    const before = await this.page(access, ignored, { dir: 'b', from: formatEventToken(pos - 1), limit: o.before, ...filter });
    const after = await this.page(access, ignored, { dir: 'f', from: formatEventToken(pos), limit: o.after, ...filter });
    return {
      events_before: before.chunk,
      events_after: after.chunk,
      start: before.end ?? formatEventToken(0),
      end: after.end ?? formatEventToken(pos),
    };
  }

  /** The room's state as the user may see it: today's, or as at their leave (search's `include_state`). */
  async visibleState(access: RoomAccess): Promise<ClientEvent[]> {
    return this.deps.events.format(this.deps.access.visibleState(access, await this.stateAt(access)));
  }

  private async stateAt(access: RoomAccess, at?: number, keys?: Array<[string, string]>): Promise<StoredEvent[]> {
    const limit = access.upTo === undefined ? at : Math.min(at ?? access.upTo, access.upTo);
    return limit === undefined
      ? this.deps.store.state.current(access.roomId, keys)
      : this.deps.store.state.at(access.roomId, limit, keys);
  }

  private async accessOr404(requester: Requester, roomId: RoomId): Promise<RoomAccess> {
    try {
      return await this.deps.access.check(requester.userId, roomId);
    } catch (err) {
      if (err instanceof ReadDenied) throw notFound('Event not found');
      throw err;
    }
  }

  private tokenPos(token: string, name: string): number {
    return tokenPosition(token, name);
  }
}

/** The position a pagination token names; 400 for one that is not a token. */
export function tokenPosition(token: string, name: string): number {
  const pos = eventPosOfToken(token);
  if (pos === undefined) throw invalidParam(`Invalid ${name} token`);
  return pos;
}


/** Filters look at `content.url` only, which redaction never keeps. */
function asFilterable(stored: StoredEvent) {
  const content = stored.redactedBy === null ? stored.event.content : {};
  return { stored, type: stored.event.type, sender: stored.event.sender, room_id: stored.event.room_id, content };
}
