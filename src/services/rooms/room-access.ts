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
}

type Entry = { pos: number; event: StoredEvent };

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
   * room's full state or member list, unless the room is world-readable.
   */
  async check(userId: UserId, roomId: RoomId): Promise<RoomAccess> {
    const m = await this.store.memberships.get(roomId, userId);
    if (m && !m.forgotten && m.membership !== 'invite' && m.membership !== 'knock') {
      // A departed user reads up to their leave, except in a world-readable room: there they read as anyone does.
      const departed = (m.membership === 'leave' || m.membership === 'ban') && !(await this.isWorldReadable(roomId));
      return { roomId, userId, membership: m.membership, upTo: departed ? m.pos : undefined };
    }
    if (await this.isWorldReadable(roomId)) return { roomId, userId, membership: undefined, upTo: undefined };
    throw new ReadDenied('You are not allowed to read this room');
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
    const inRange = events.filter((e) => access.upTo === undefined || e.pos <= access.upTo);
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
        isOwnMembership: e.event.type === 'm.room.member' && e.event.state_key === access.userId,
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
