import type { Clock } from '../../core/clock.js';
import { badJson, invalidParam, notFound } from '../../core/errors.js';
import { excludesEveryEvent, filterEvents, matchesEventFilter, matchesRoomFilter } from '../../core/filters/match.js';
import { formatEventToken } from '../../core/tokens.js';
import type { Presence } from '../ephemeral/presence.js';
import type { Filters } from '../user-data/filters.js';
import { ignoredUsersOf } from '../user-data/ignored-users.js';
import type { SyncExtras } from './extras.js';
import { parseFilter } from '../../core/filters/parse-filter.js';
import type { Filter, RoomEventFilter } from '../../core/filters/types.js';
import type { DeviceId, RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import { formatSyncToken, parseSyncToken, type SyncToken } from '../../core/sync-token.js';
import type { MembershipRecord, Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';
import type { RoomEntries } from './room-entries.js';
import type { E2eeSync } from '../e2ee/sync-section.js';
import type { ParkedSyncs } from './parked.js';

export interface SyncRequest {
  since?: string;
  /** `set_presence`: omitted means the user is online by polling. */
  setPresence?: 'online' | 'offline' | 'unavailable';
  timeoutMs: number;
  fullState: boolean;
  /** A filter ID, or inline filter JSON. */
  filter?: string;
  signal?: AbortSignal;
}

interface RoomsSection {
  join: Record<string, JsonObject>;
  invite: Record<string, JsonObject>;
  knock: Record<string, JsonObject>;
  leave: Record<string, JsonObject>;
}

export interface SyncDeps {
  store: Store;
  clock: Clock;
  notifier: Notifier;
  entries: RoomEntries;
  extras: SyncExtras;
  filters: Filters;
  presence: Presence;
  e2ee: E2eeSync;
  parked: ParkedSyncs;
}

/**
 * Long-polls are capped so that a client asking for hours does not pin a request for hours, and so
 * that a proxy in front (README: its read timeout must be longer) never cuts an idle long-poll off.
 * Clients ask for 30 s as a rule; a capped long-poll just ends empty and the client polls again.
 */
export const MAX_SYNC_TIMEOUT_MS = 60_000;

/**
 * Long-polls one user may hold parked at once (each device one: its next /sync ends the last).
 * Beyond it the oldest answers at once: a user cannot pin an unbounded number of requests.
 */
export const MAX_PARKED_SYNCS_PER_USER = 10;

/**
 * `GET /sync`: initial and incremental sync, long-polling through the notifier. Rooms are chosen
 * as LEAVING.md "/sync and left rooms" says.
 */
export class SyncService {
  constructor(private readonly deps: SyncDeps) {}

  async sync(requester: Requester, req: SyncRequest): Promise<JsonObject> {
    const since = req.since === undefined ? undefined : parseSyncToken(req.since);
    if (req.since !== undefined && !since) throw invalidParam('Invalid since token');
    const filter = await this.resolveFilter(requester.userId, req.filter);
    if (req.setPresence !== 'offline') await this.deps.presence.update(requester.userId, req.setPresence ?? 'online', undefined, { coarse: true });
    const deadline = this.deps.clock.now() + Math.min(Math.max(req.timeoutMs, 0), MAX_SYNC_TIMEOUT_MS);
    if (since === undefined || req.timeoutMs <= 0) return (await this.compute(requester, since, filter, req.fullState)).body;
    const parking = this.deps.parked.park(requester.userId, requester.deviceId, req.signal);
    try {
      return await this.longPoll(requester, since, filter, req.fullState, deadline, parking.signal);
    } finally {
      parking.release();
    }
  }

  /** Computes, and while there is nothing new waits for a change that may concern the user. */
  private async longPoll(requester: Requester, since: SyncToken, filter: Filter, fullState: boolean, deadline: number, signal: AbortSignal): Promise<JsonObject> {
    for (;;) {
      const sequence = this.deps.notifier.sequence;
      const result = await this.compute(requester, since, filter, fullState);
      const remaining = deadline - this.deps.clock.now();
      if (!result.empty || remaining <= 0 || signal.aborted) return result.body;
      const rooms = new Set((await this.deps.store.memberships.roomsOf(requester.userId, ['join', 'invite', 'knock', 'leave', 'ban'])).map((m) => m.roomId as string));
      // Events committed past the readable position wait for a lower one still being written, in any
      // room: the event write that settles it may concern nobody here, so any event write wakes us.
      const heldBack = (await this.deps.store.events.maxPos()) > result.upTo;
      // Checked after the last await before waiting: an announcement during any await would otherwise be missed.
      if (this.deps.notifier.sequence !== sequence) continue;
      const change = await this.deps.notifier.wait(
        // A change for the user (presence of someone they share a room with, say) or one of their rooms; one with nothing to report goes back to waiting.
        (c) => (c.roomId !== undefined && rooms.has(c.roomId)) || (c.userIds?.includes(requester.userId) ?? false) || c.everyone === true
          || (heldBack && c.event === true),
        remaining,
        signal,
      );
      if (!change) return (await this.compute(requester, since, filter, fullState)).body;
    }
  }

  private async compute(requester: Requester, since: SyncToken | undefined, filter: Filter, fullState: boolean) {
    const userId = requester.userId;
    const { extras } = this.deps;
    const now: SyncToken = { events: await this.deps.store.events.readablePos(), ...(await extras.positions()), ...(await this.deps.e2ee.positions()) };
    const rooms: RoomsSection = { join: {}, invite: {}, knock: {}, leave: {} };
    const ignored = await ignoredUsersOf(this.deps.store, userId);
    const memberships = since === undefined
      ? await this.initialRooms(userId, filter)
      : fullState
        // `full_state`: the full state of every room the user is in (sync.yaml), plus what changed since `since`.
        ? unionByRoom(await this.initialRooms(userId, filter), await this.changedRooms(userId, since.events, now.events))
        : await this.changedRooms(userId, since.events, now.events);
    for (const current of memberships) {
      // Nothing past `next_batch` goes out: a membership that changed after `now` was read is shown as
      // it was at `now`, and its change comes with the next sync (else it would come twice).
      const m = current.pos <= now.events ? current : await this.membershipAt(current, now.events);
      if (!m) continue;
      if (!matchesRoomFilter(filter.room, m.roomId)) continue;
      await this.addRoom(rooms, userId, m, { since: since?.events, now: now.events, filter, fullState, deviceId: requester.deviceId, ignored });
    }
    const joined = (await this.deps.store.memberships.roomsOf(userId, ['join'])).filter((m) => matchesRoomFilter(filter.room, m.roomId));
    const accountData = await extras.accountData(userId, since?.accountData, now.accountData);
    // Rooms joined since `since` get their current typing and receipts, as in an initial sync.
    const newlyJoined = (m: MembershipRecord) => since !== undefined && m.pos > since.events;
    const ephemeral = new Map([
      ...await extras.ephemeral(userId, joined.filter((m) => !newlyJoined(m)).map((m) => m.roomId), { receipts: since?.receipts ?? 0, typing: since?.typing ?? 0 }, now.receipts),
      ...await extras.ephemeral(userId, joined.filter(newlyJoined).map((m) => m.roomId), { receipts: 0, typing: 0 }, now.receipts),
    ]);
    for (const m of joined) {
      const roomData = filterInRoom(filter.room.accountData, m.roomId, accountData.rooms.get(m.roomId) ?? []);
      const roomEphemeral = filterInRoom(filter.room.ephemeral, m.roomId, ephemeral.get(m.roomId) ?? []);
      const entry = rooms.join[m.roomId] as JsonObject | undefined;
      if (!entry && roomData.length === 0 && roomEphemeral.length === 0) continue;
      const byThread = filter.room.timeline.unreadThreadNotifications ? await extras.unreadByThread(userId, m.roomId, m.pos, ignored) : undefined;
      rooms.join[m.roomId] = {
        ...(entry ?? { timeline: { events: [], limited: false, prev_batch: formatEventToken(now.events) }, state: { events: [] } }),
        ephemeral: { events: roomEphemeral },
        account_data: { events: roomData },
        unread_notifications: byThread ? byThread.main : await extras.unread(userId, m.roomId, m.pos, ignored),
        ...(byThread ? { unread_thread_notifications: Object.fromEntries(byThread.threads) } : {}),
      } as unknown as JsonObject;
    }
    for (const roomId of Object.keys(rooms.leave)) {
      (rooms.leave[roomId] as JsonObject).account_data = { events: filterInRoom(filter.room.accountData, roomId as RoomId, accountData.rooms.get(roomId as RoomId) ?? []) } as unknown as JsonObject;
    }
    const globalData = filterEvents(filter.accountData, accountData.global);
    // Switched off by the filter (`presence: {types: []}`, as busy clients do): not even computed,
    // since computing it reads every member of every joined room.
    const presence = excludesEveryEvent(filter.presence) ? [] : filterEvents(filter.presence, await extras.presence(joined, since && { presence: since.presence, events: since.events }, now.presence));
    const e2ee = await this.deps.e2ee.section(requester, since, now);
    // Account data left for the next sync (more than one response carries) makes this one non-empty.
    const empty = Object.values(rooms).every((section) => Object.keys(section).length === 0) && globalData.length === 0 && presence.length === 0 && e2ee.empty
      && accountData.through === now.accountData;
    const body: JsonObject = {
      next_batch: formatSyncToken({ ...now, accountData: accountData.through, toDevice: e2ee.toDevice }),
      rooms: rooms as unknown as JsonObject,
      account_data: { events: globalData as unknown as JsonObject[] },
      presence: { events: presence as unknown as JsonObject[] },
      ...e2ee.body,
    };
    return { body, empty, upTo: now.events };
  }

  private async addRoom(rooms: RoomsSection, userId: UserId, m: MembershipRecord, o: { since: number | undefined; now: number; filter: Filter; fullState: boolean; deviceId: DeviceId; ignored: ReadonlySet<string> }) {
    const e = this.deps.entries;
    switch (m.membership) {
      case 'join': {
        const summary = await e.summary(m.roomId, userId);
        const heroes = summary['m.heroes'] as string[] | undefined;
        const section = await e.window(userId, m, { since: o.since, upTo: o.now, filter: o.filter.room, fullState: o.fullState, heroes, deviceId: o.deviceId, ignored: o.ignored });
        rooms.join[m.roomId] = { ...section, summary } as unknown as JsonObject;
        return;
      }
      case 'invite':
        // Spec: servers must not send room invites from ignored users to clients.
        if (o.ignored.size > 0 && o.ignored.has((await this.deps.store.events.get(m.eventId))?.event.sender ?? '')) return;
        rooms.invite[m.roomId] = { invite_state: await e.strippedState(m) } as unknown as JsonObject;
        return;
      case 'knock':
        rooms.knock[m.roomId] = { knock_state: await e.strippedState(m) } as unknown as JsonObject;
        return;
      default: {
        const section = await e.window(userId, m, { since: o.since, upTo: m.pos, filter: o.filter.room, fullState: o.fullState, deviceId: o.deviceId, ignored: o.ignored });
        rooms.leave[m.roomId] = { ...section } as unknown as JsonObject;
      }
    }
  }

  /**
   * Initial sync: joined, invited and knocking rooms; kicks and bans always; rooms the user left
   * themselves only with `include_leave`; forgotten rooms never.
   */
  private async initialRooms(userId: UserId, filter: Filter): Promise<MembershipRecord[]> {
    const all = await this.deps.store.memberships.roomsOf(userId, ['join', 'invite', 'knock', 'leave', 'ban']);
    const out: MembershipRecord[] = [];
    for (const m of all) {
      if (m.membership === 'leave' || m.membership === 'ban') {
        if (m.forgotten) continue;
        if (m.membership === 'leave' && !filter.room.includeLeave && (await this.selfLeft(m))) continue;
      }
      out.push(m);
    }
    return out;
  }

  /**
   * Incremental sync: rooms with new events only. A leave, kick or ban since `since` is always
   * delivered (even if the room was forgotten since); older departures are not repeated.
   */
  private async changedRooms(userId: UserId, since: number, upTo: number): Promise<MembershipRecord[]> {
    const active = await this.deps.store.events.activeRoomsOf(userId, since, upTo);
    const out: MembershipRecord[] = [];
    for (const roomId of active.keys()) {
      const m = await this.deps.store.memberships.get(roomId as RoomId, userId);
      if (!m) continue;
      if (m.membership !== 'join' && m.pos <= since) continue;
      out.push(m);
    }
    return out;
  }

  private async membershipAt(m: MembershipRecord, pos: number): Promise<MembershipRecord | undefined> {
    const [event] = await this.deps.store.state.at(m.roomId, pos, [['m.room.member', m.userId]]);
    const membership = event?.event.content.membership;
    if (!event || typeof membership !== 'string') return undefined;
    return { ...m, membership: membership as MembershipRecord['membership'], eventId: event.event.event_id, pos: event.pos };
  }

  private async selfLeft(m: MembershipRecord): Promise<boolean> {
    const event = await this.deps.store.events.get(m.eventId);
    return event?.event.sender === m.userId;
  }

  private async resolveFilter(userId: UserId, raw: string | undefined): Promise<Filter> {
    if (raw === undefined || raw === '') return parseFilter({});
    if (raw.trimStart().startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw badJson('filter is not valid JSON');
      }
      return parseFilter(json);
    }
    const stored = await this.deps.filters.stored(userId, raw);
    if (!stored) throw notFound('Unknown filter');
    return parseFilter(stored);
  }
}

/**
 * A room's ephemeral events and account data carry no `room_id`, but the room sub-filters may
 * name rooms (`rooms`/`not_rooms`): they are matched as events of the room they are shown in.
 */
function filterInRoom<T extends { type: string; content: unknown }>(filter: RoomEventFilter, roomId: RoomId, events: readonly T[]): T[] {
  return events.filter((e) => matchesEventFilter(filter, { ...e, room_id: roomId }));
}

function unionByRoom(a: MembershipRecord[], b: MembershipRecord[]): MembershipRecord[] {
  const byRoom = new Map(a.map((m) => [m.roomId, m] as const));
  for (const m of b) byRoom.set(m.roomId, m);
  return [...byRoom.values()];
}
