import type { ClientEvent } from '../../core/events/client-format.js';
import { STRIPPED_STATE_KEYS, toStrippedState } from '../../core/events/client-format.js';
import { filterEvents, limitOf } from '../../core/filters/match.js';
import type { RoomFilter } from '../../core/filters/types.js';
import type { DeviceId, RoomId, UserId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
import type { JsonObject } from '../../core/json.js';
import { formatEventToken } from '../../core/tokens.js';
import type { MembershipRecord, Store, StoredEvent } from '../../storage/store.js';
import type { ClientEvents } from '../rooms/client-events.js';
import type { RoomReadAccess } from '../rooms/room-access.js';

/** What one room contributes to a /sync response, before ephemeral data and account data. */
export interface TimelineSection {
  timeline: { events: ClientEvent[]; limited: boolean; prev_batch: string };
  state: { events: ClientEvent[] };
}


export interface WindowOptions {
  /** Events after this position are new; undefined for an initial (or full-state) view of the room. */
  since: number | undefined;
  /** The last position the user may see in this room (their leave, for left rooms; now otherwise). */
  upTo: number;
  filter: RoomFilter;
  fullState: boolean;
  /** The requesting device: its own events carry `unsigned.transaction_id`. */
  deviceId?: DeviceId;
  /** The room summary's heroes: with lazy-loaded members, their memberships are part of the state. */
  heroes?: readonly string[];
  /** Users the syncing user ignores: their events, state events excepted, are left out of the timeline. */
  ignored?: ReadonlySet<string>;
}

/** Pages of history one timeline reads at most when history visibility or the timeline filter hides events. */
const MAX_TIMELINE_ROUNDS = 5;

/** Builds timelines, state and stripped state of rooms for one user. */
export class RoomEntries {
  constructor(private readonly deps: { store: Store; access: RoomReadAccess; events: ClientEvents }) {}

  /**
   * The timeline since `since` (or the latest events) up to `upTo`, and the state before it. A room
   * the user joined after `since` (a first join, an accepted invite, a rejoin after leaving) is new
   * to the client and is sent as in an initial sync: the latest events the user may see, history
   * from before the join included where history visibility allows, `limited` when there are more,
   * and the full state at the timeline's start (Synapse; Sytest/Complement "Newly joined room has
   * correct timeline in incremental sync"). Otherwise accepting an invite shows an empty room.
   */
  async window(userId: UserId, m: MembershipRecord, o: WindowOptions): Promise<TimelineSection> {
    const joins = await this.deps.store.memberships.joinPositions(m.roomId, userId);
    const newlyJoined = o.since !== undefined && joins.some((p) => p > o.since! && p <= o.upTo);
    const view = newlyJoined ? { ...o, since: undefined } : o;
    const { events: timeline, limited, start } = await this.timeline(userId, m, view);
    const stateEvents = joins.length === 0 ? [] : await this.stateBefore(userId, m, start, view, timeline);
    return {
      timeline: {
        events: await this.deps.events.format(timeline, undefined, await this.ownTxnIds(userId, o.deviceId, timeline), { userId, upTo: o.upTo, ignored: o.ignored }),
        limited,
        prev_batch: formatEventToken(start - 1),
      },
      state: { events: await this.deps.events.format(stateEvents) },
    };
  }

  /**
   * The newest `limit` events in (since, upTo] that the user may see and the timeline filter lets
   * through, oldest first. The limit counts shown events (spec: it applies after filtering), so
   * pages are read until it is reached, the range ends, or `MAX_TIMELINE_ROUNDS` pages were read.
   * `start` is where the timeline starts: the state is taken before it and `prev_batch` names it,
   * so that /messages from there returns everything older, filtered-out events included.
   */
  private async timeline(userId: UserId, m: MembershipRecord, o: WindowOptions, enough?: (e: StoredEvent) => boolean): Promise<{ events: StoredEvent[]; limited: boolean; start: number }> {
    const limit = limitOf(o.filter.timeline);
    const fullPage = Math.max(limit, 10) + 1;
    // A caller that may stop early (`enough`) most often needs the newest few events only: small
    // pages first, growing to the full size, so it reads tens of events instead of a whole window.
    let pageSize = enough ? Math.min(11, fullPage) : fullPage;
    const access = { roomId: m.roomId, userId, membership: m.membership, upTo: o.upTo };
    const kept: StoredEvent[] = []; // newest first
    let before = o.upTo + 1;
    // Stays true when the rounds run out before the range does: there may be more to paginate.
    let limited = true;
    rounds: for (let round = 0; round < MAX_TIMELINE_ROUNDS; round++) {
      const page = await this.deps.store.events.page(m.roomId, {
        dir: 'b', before, ...(o.since !== undefined ? { after: o.since } : {}), limit: pageSize,
      });
      const visible = await this.deps.access.filter(access, [...page].reverse());
      // A page that history visibility hides entirely: older pages would be hidden too (before the
      // user's join, typically), so stop reading instead of scanning the room's whole history.
      if (page.length > 0 && visible.length === 0) {
        limited = page.length === pageSize;
        break;
      }
      // Ignored senders' events are filtered like the timeline filter's, not like history visibility: older pages may still show.
      const wanted = o.ignored === undefined ? visible : visible.filter((e) => !isFromIgnoredUser(e.event, o.ignored!));
      const shown = new Set(filterEvents(o.filter.timeline, wanted.map(filterable)).map((f) => f.stored.pos));
      for (const e of page) {
        if (!shown.has(e.pos)) continue;
        if (kept.length === limit) break rounds;
        kept.push(e);
        if (enough?.(e)) break rounds;
      }
      if (page.length < pageSize) {
        limited = false;
        break;
      }
      before = page[page.length - 1]!.pos;
      if (pageSize < fullPage) {
        pageSize = Math.min(fullPage, pageSize * 2);
        round--; // the small pages of an early-stopping read do not count against the rounds
      }
    }
    const events = kept.reverse();
    return { events, limited, start: events[0]?.pos ?? o.upTo + 1 };
  }

  /**
   * State at the start of the timeline: all of it for initial views, only what changed since
   * `since` otherwise. A user who never joined (a rejected invite) gets none: the caller skips this.
   */
  private async stateBefore(userId: UserId, m: MembershipRecord, start: number, o: WindowOptions, timeline: StoredEvent[]): Promise<StoredEvent[]> {
    const at = start - 1;
    const incremental = o.since !== undefined && !o.fullState;
    let state = incremental
      ? await this.deps.store.state.changedBetween(m.roomId, o.since!, at)
      : await this.deps.store.state.at(m.roomId, at);
    const inTimeline = new Set(timeline.map((e) => e.event.event_id));
    state = state.filter((s) => !inTimeline.has(s.event.event_id));
    if (o.filter.state.lazyLoadMembers) {
      if (incremental) {
        // Every change since `since` stays, members who joined or left in a gap included: the client
        // saw none of them (Synapse; Sytest "Members from the gap are included in gappy incr LL sync").
        state.push(...(await this.unsentSenderMembers(userId, m, at, state, timeline, o)));
      } else {
        // Timeline senders, the user, and the heroes (sync.yaml: their memberships MUST be in state).
        const wanted = new Set<string>([...timeline.map((e) => e.event.sender), userId, ...(o.heroes ?? [])]);
        state = state.filter((s) => s.event.type !== 'm.room.member' || wanted.has(s.event.state_key!));
      }
    }
    return filterEvents(o.filter.state, state.map(filterable)).map((f) => f.stored);
  }

  /**
   * Lazy loading, incremental sync: the member events (at the timeline's start) of timeline senders
   * the client has not been sent yet, unless already in `state` or shown by an earlier event of the
   * timeline. Synapse remembers per device which member events it sent; Hearth keeps no such
   * memory and derives it from `since` instead: the client has its own member event (an initial
   * sync sends it, and every change of it comes in a timeline or a gap's state), and those of the
   * senders of the last `limit` events up to `since` (those events reached the client, each sync
   * sending the new events or the latest `limit` of them, and a sender's member event came with
   * them; a later change of it would be in `state` now). This assumes the client keeps one filter
   * across its syncs, as clients do. With `include_redundant_members`, every timeline sender's.
   */
  private async unsentSenderMembers(userId: UserId, m: MembershipRecord, at: number, state: StoredEvent[], timeline: StoredEvent[], o: WindowOptions): Promise<StoredEvent[]> {
    const known = new Set(state.filter((s) => s.event.type === 'm.room.member').map((s) => s.event.state_key!));
    const missing = new Set<string>();
    for (const e of timeline) {
      if (e.event.type === 'm.room.member') known.add(e.event.state_key!);
      if (!known.has(e.event.sender)) missing.add(e.event.sender);
    }
    if (!o.filter.state.includeRedundantMembers && missing.size > 0) {
      missing.delete(userId);
      if (missing.size > 0) {
        // Read back only until every missing sender is found among them: in a busy room the sender
        // of the new event has usually just spoken, and the whole previous window need not be read.
        await this.timeline(userId, m, { ...o, since: undefined, upTo: o.since! }, (e) => {
          missing.delete(e.event.sender);
          return missing.size === 0;
        });
      }
    }
    if (missing.size === 0) return [];
    return this.deps.store.state.at(m.roomId, at, [...missing].map((u) => ['m.room.member', u] as const));
  }

  private async ownTxnIds(userId: UserId, deviceId: DeviceId | undefined, timeline: StoredEvent[]) {
    const own = timeline.filter((e) => e.event.sender === userId).map((e) => e.event.event_id);
    return deviceId === undefined || own.length === 0 ? undefined : this.deps.store.events.txnIdsFor(userId, deviceId, own);
  }

  /**
   * `invite_state` / `knock_state`: stripped state plus the user's own membership event. For an
   * invite to another server's room, the stripped state that server sent (Hearth has no other).
   */
  async strippedState(m: MembershipRecord): Promise<{ events: JsonObject[] }> {
    const remote = m.membership === 'invite' ? await this.deps.store.inviteState.get(m.roomId, m.userId) : undefined;
    const own = await this.deps.store.events.get(m.eventId);
    // Formatted first, so that redacted state shows only what its redaction keeps.
    const events = remote
      ? remote.map((e) => ({ ...e }) as unknown as JsonObject)
      : (await this.deps.events.format(await this.deps.store.state.current(m.roomId, STRIPPED_STATE_KEYS)))
        .map((e) => toStrippedState(e) as unknown as JsonObject);
    if (own) events.push((await this.deps.events.formatOne(own)) as unknown as JsonObject);
    return { events };
  }

  /**
   * Summary of a joined room (spec: "RoomSummary"). `m.heroes` only serve to name a room that has
   * no name: a room with a non-empty `m.room.name` or canonical alias gets the member counts only,
   * as from Synapse (Sytest compares the summary exactly), and no heroes' member events in state.
   */
  async summary(roomId: RoomId, userId: UserId): Promise<JsonObject> {
    const { memberships } = this.deps.store;
    const [counts, named] = await Promise.all([memberships.counts(roomId), this.isNamed(roomId)]);
    const memberCounts = { 'm.joined_member_count': counts.join ?? 0, 'm.invited_member_count': counts.invite ?? 0 };
    if (named) return memberCounts;
    // Spec: the first 5 joined or invited members in stream order, never the user; when there are
    // none, the users who left or were banned. Six rows suffice (one may be the user): no room is loaded whole.
    const others = (list: MembershipRecord[]) => list.filter((x) => x.userId !== userId).map((x) => x.userId).slice(0, 5);
    let heroes = others(await memberships.members(roomId, ['join', 'invite'], 6));
    if (heroes.length === 0) heroes = others(await memberships.members(roomId, ['leave', 'ban'], 6));
    return { 'm.heroes': heroes, ...memberCounts };
  }

  /** Whether the room has a name of its own: a non-empty `m.room.name`, or a canonical alias with a non-empty `alias`. */
  private async isNamed(roomId: RoomId): Promise<boolean> {
    const state = await this.deps.store.state.current(roomId, [['m.room.name', ''], ['m.room.canonical_alias', '']]);
    return state.some((s) => {
      const value = s.event.type === 'm.room.name' ? s.event.content.name : s.event.content.alias;
      return typeof value === 'string' && value !== '';
    });
  }
}

/** Filters look at `content.url` only, which redaction never keeps. */
function filterable(stored: StoredEvent) {
  const content = stored.redactedBy === null ? stored.event.content : {};
  return { stored, type: stored.event.type, sender: stored.event.sender, room_id: stored.event.room_id, content };
}
