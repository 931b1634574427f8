import type { ClientEvent } from '../../core/events/client-format.js';
import { toStrippedState } from '../../core/events/client-format.js';
import { filterEvents } from '../../core/filters/match.js';
import type { RoomFilter } from '../../core/filters/types.js';
import type { RoomId, UserId } from '../../core/ids.js';
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

/** The state shown to invited and knocking users (spec: "stripped state"). */
const STRIPPED_STATE_TYPES = ['m.room.create', 'm.room.join_rules', 'm.room.name', 'm.room.avatar', 'm.room.topic', 'm.room.canonical_alias', 'm.room.encryption'];

export interface WindowOptions {
  /** Events after this position are new; undefined for an initial (or full-state) view of the room. */
  since: number | undefined;
  /** The last position the user may see in this room (their leave, for left rooms; now otherwise). */
  upTo: number;
  filter: RoomFilter;
  fullState: boolean;
}

/** Builds timelines, state and stripped state of rooms for one user. */
export class RoomEntries {
  constructor(private readonly deps: { store: Store; access: RoomReadAccess; events: ClientEvents }) {}

  /** The timeline since `since` (or the latest events) up to `upTo`, and the state before it. */
  async window(userId: UserId, m: MembershipRecord, o: WindowOptions): Promise<TimelineSection> {
    const limit = o.filter.timeline.limit ?? 10;
    const page = await this.deps.store.events.page(m.roomId, {
      dir: 'b', before: o.upTo + 1, ...(o.since !== undefined ? { after: o.since } : {}), limit: limit + 1,
    });
    const limited = page.length > limit;
    const newestFirst = page.slice(0, limit);
    const access = { roomId: m.roomId, userId, membership: m.membership, upTo: o.upTo };
    const visible = (await this.deps.access.filter(access, newestFirst.reverse()));
    const timeline = filterEvents(o.filter.timeline, visible.map(filterable)).map((f) => f.stored);
    const start = newestFirst[0]?.pos ?? o.upTo + 1;
    const stateEvents = await this.stateBefore(userId, m, start, o, timeline);
    return {
      timeline: {
        events: await this.deps.events.format(timeline),
        limited,
        prev_batch: formatEventToken(start - 1),
      },
      state: { events: await this.deps.events.format(stateEvents) },
    };
  }

  /** State at the start of the timeline: all of it for initial views, only what changed since `since` otherwise. */
  private async stateBefore(userId: UserId, m: MembershipRecord, start: number, o: WindowOptions, timeline: StoredEvent[]): Promise<StoredEvent[]> {
    // A user who never joined (a rejected invite) sees no room state, only their own membership.
    const joins = await this.deps.store.memberships.joinPositions(m.roomId, userId);
    if (joins.length === 0) return [];
    const at = start - 1;
    const incremental = o.since !== undefined && !o.fullState && !joins.some((p) => p > o.since! && p <= o.upTo);
    let state = incremental
      ? await this.deps.store.state.changedBetween(m.roomId, o.since!, at)
      : await this.deps.store.state.at(m.roomId, at);
    const inTimeline = new Set(timeline.map((e) => e.event.event_id));
    state = state.filter((s) => !inTimeline.has(s.event.event_id));
    if (o.filter.state.lazyLoadMembers) {
      const senders = new Set([...timeline.map((e) => e.event.sender), userId]);
      state = state.filter((s) => s.event.type !== 'm.room.member' || senders.has(s.event.state_key as UserId));
    }
    return filterEvents(o.filter.state, state.map(filterable)).map((f) => f.stored);
  }

  /** `invite_state` / `knock_state`: stripped state plus the user's own membership event. */
  async strippedState(m: MembershipRecord): Promise<{ events: JsonObject[] }> {
    const state = await this.deps.store.state.current(m.roomId, STRIPPED_STATE_TYPES.map((t) => [t, ''] as const));
    const own = await this.deps.store.events.get(m.eventId);
    const events = state.map((s) => toStrippedState(s.event) as unknown as JsonObject);
    if (own) events.push((await this.deps.events.formatOne(own)) as unknown as JsonObject);
    return { events };
  }

  /** Summary of a joined room (spec: "RoomSummary"). */
  async summary(roomId: RoomId, userId: UserId): Promise<JsonObject> {
    const members = await this.deps.store.memberships.members(roomId, ['join', 'invite']);
    const joined = members.filter((x) => x.membership === 'join');
    // Spec: the first 5 joined or invited members in stream order (`members` is), never the user;
    // when there are none, the users who left or were banned.
    const others = (list: MembershipRecord[]) => list.filter((x) => x.userId !== userId).map((x) => x.userId).slice(0, 5);
    let heroes = others(members);
    if (heroes.length === 0) heroes = others(await this.deps.store.memberships.members(roomId, ['leave', 'ban']));
    return { 'm.heroes': heroes, 'm.joined_member_count': joined.length, 'm.invited_member_count': members.length - joined.length };
  }
}

function filterable(stored: StoredEvent) {
  return { stored, type: stored.event.type, sender: stored.event.sender, room_id: stored.event.room_id, content: stored.event.content };
}
