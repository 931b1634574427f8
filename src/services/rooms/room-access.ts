import { ReadDenied } from '../../core/errors.js';
import { historyVisibilityOf, mayUserSeeEvent, type HistoryVisibility } from '../../core/visibility/history-visibility.js';
import type { Membership } from '../../core/events/types.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { Store, StoredEvent } from '../../storage/store.js';

/** What a user may read of a room, decided once per request. */
export interface RoomAccess {
  roomId: RoomId;
  userId: UserId;
  /** The user's current membership, if any and not forgotten. */
  membership: Membership | undefined;
  /** The last position the user may read: their leave/kick/ban for departed users, else unbounded. */
  upTo: number | undefined;
  /**
   * A user who was only invited, knocked or banned and never joined: they see their own membership
   * events and nothing else of the room, neither its state nor its members (knocking is open to
   * anyone, so knock-then-rescind must not become a way to read a room).
   */
  ownMembershipOnly?: true;
}

type Entry = { pos: number; event: StoredEvent };

const isOwnMembership = (e: StoredEvent, userId: UserId) => e.event.type === 'm.room.member' && e.event.state_key === userId;

/** Value of a state entry at a position, from the list of its changes (sorted by position). */
function valueAt(changes: Entry[], pos: number): StoredEvent | undefined {
  let found: StoredEvent | undefined;
  for (const c of changes) {
    if (c.pos <= pos) found = c.event;
    else break;
  }
  return found;
}

/**
 * Room read access and history visibility (LEAVING.md "Reading a room after leaving"): departed
 * users read up to their leave; forgotten rooms are closed unless world-readable.
 */
export class RoomReadAccess {
  constructor(private readonly store: Store) {}

  /**
   * Throws ReadDenied (403) when the user may not read the room at all. Being invited or knocking is not being
   * in the room: such users get the stripped state of their invite or knock (in /sync), never the
   * room's full state or member list, unless the room is world-readable. Nor is a rejected invite, a
   * rescinded knock or a ban without a join: only a user who joined reads the room up to their leave.
   */
  async check(userId: UserId, roomId: RoomId): Promise<RoomAccess> {
    const m = await this.store.memberships.get(roomId, userId);
    if (m?.membership === 'join') return { roomId, userId, membership: 'join', upTo: undefined };
    const departedOrNone = m && !m.forgotten && (m.membership === 'leave' || m.membership === 'ban') ? m.membership : undefined;
    // In a world-readable room a departed user reads as anyone does: today's room, not as at the leave.
    if (await this.isWorldReadable(roomId)) return { roomId, userId, membership: departedOrNone, upTo: undefined };
    // A departed user reads up to their leave. Only a user who joined is one: a rejected invite, a
    // rescinded knock or a ban without a join never showed them the room, so it shows them nothing now.
    if (m && departedOrNone) {
      const joined = (await this.store.memberships.joinPositions(roomId, userId)).length > 0;
      return { roomId, userId, membership: departedOrNone, upTo: m.pos, ...(joined ? {} : { ownMembershipOnly: true as const }) };
    }
    throw new ReadDenied('You are not allowed to read this room');
  }

  /** For the room's state, members and aliases: as check(), and refused to those who see only their own membership. */
  async checkState(userId: UserId, roomId: RoomId): Promise<RoomAccess> {
    const access = await this.check(userId, roomId);
    if (access.ownMembershipOnly) throw new ReadDenied('You are not allowed to read this room');
    return access;
  }

  /** The part of a state the user may see along with an event (`/context`): all of it, or only their own membership. */
  visibleState(access: RoomAccess, state: StoredEvent[]): StoredEvent[] {
    return access.ownMembershipOnly ? state.filter((e) => isOwnMembership(e, access.userId)) : state;
  }

  /**
   * For what only a current member may ask (spec, `/joined_members`: "The current user must be in the
   * room"): departed, invited and knocking users are refused, not shown the room as at their leave.
   * A world-readable room is readable by anyone, as everywhere else.
   */
  async checkJoined(userId: UserId, roomId: RoomId): Promise<RoomAccess> {
    const m = await this.store.memberships.get(roomId, userId);
    if (m?.membership === 'join') return { roomId, userId, membership: 'join', upTo: undefined };
    if (await this.isWorldReadable(roomId)) return { roomId, userId, membership: undefined, upTo: undefined };
    throw new ReadDenied('You are not in this room');
  }

  async isWorldReadable(roomId: RoomId): Promise<boolean> {
    const hv = await this.store.state.currentEvent(roomId, 'm.room.history_visibility', '');
    return historyVisibilityOf(hv?.event.content) === 'world_readable';
  }

  /** The events (of one room) the user may see, in their original order. */
  async filter(access: RoomAccess, events: StoredEvent[]): Promise<StoredEvent[]> {
    const inRange = events.filter((e) => (access.upTo === undefined || e.pos <= access.upTo)
      && (!access.ownMembershipOnly || isOwnMembership(e, access.userId)));
    if (inRange.length === 0) return [];
    const positions = inRange.map((e) => e.pos);
    const min = Math.min(...positions);
    const max = Math.max(...positions);
    const [visibilityChanges, memberChanges, joins] = await Promise.all([
      this.store.state.changes(access.roomId, 'm.room.history_visibility', '', min - 1, max),
      this.store.state.changes(access.roomId, 'm.room.member', access.userId, min - 1, max),
      this.store.memberships.joinPositions(access.roomId, access.userId),
    ]);
    return inRange.filter((e) => {
      const facts = {
        membershipAtEvent: valueAt(memberChanges, e.pos)?.event.content.membership as Membership | undefined,
        joinedLater: joins.some((p) => p > e.pos),
        isOwnMembership: isOwnMembership(e, access.userId),
      };
      return this.visibilitiesFor(e, visibilityChanges).some((visibility) => mayUserSeeEvent({ ...facts, visibility }));
    });
  }

  /**
   * The setting in force at the event; for a change of the setting, the old and the new one: the
   * event is visible when either would allow it (spec). Not "the more open of the two": `invited`
   * and `shared` each allow something the other does not.
   */
  private visibilitiesFor(e: StoredEvent, changes: Entry[]): HistoryVisibility[] {
    const before = historyVisibilityOf(valueAt(changes, e.pos - 1)?.event.content);
    if (e.event.type === 'm.room.history_visibility' && e.event.state_key === '') {
      return [before, historyVisibilityOf(e.event.content)];
    }
    return [before];
  }
}
