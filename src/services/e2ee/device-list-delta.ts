import type { RoomId, UserId } from '../../core/ids.js';
import type { Store, StoredEvent } from '../../storage/store.js';

/** A point in the two streams device-list updates are read from. */
export interface DeviceListPosition {
  /** Room event stream: joins and departures. */
  events: number;
  /** `device_lists` stream: uploads and deletions of device and cross-signing keys. */
  deviceLists: number;
}

export interface DeviceListDelta {
  changed: UserId[];
  left: UserId[];
}

/**
 * Device-list news for `userId` between two positions (spec: "Extensions to /sync" of end-to-end
 * encryption, and GET /keys/changes):
 * - `changed`: users who share a joined room with `userId` now and whose keys changed, or who came
 *   to share a room (they joined one of `userId`'s rooms, or `userId` joined theirs); `userId`
 *   themselves when their own keys changed (for their other devices).
 * - `left`: users who shared a room with `userId` and share none any more (they left or were
 *   removed, or `userId` did).
 * "Sharing" is read at the current state, which is also where /sync's `to` normally is.
 */
export async function deviceListDelta(store: Store, userId: UserId, from: DeviceListPosition, to: DeviceListPosition): Promise<DeviceListDelta> {
  const changed = new Set<UserId>();
  const departed = new Set<UserId>();
  if (to.deviceLists > from.deviceLists) {
    for (const u of await store.e2ee.deviceLists.changedBetween(from.deviceLists, to.deviceLists)) changed.add(u);
  }
  if (to.events > from.events) {
    for (const roomId of (await store.events.activeRoomsOf(userId, from.events, to.events)).keys()) {
      await membershipNews(store, userId, roomId, from.events, to.events, { changed, departed });
    }
  }
  const others = [...new Set([...changed, ...departed])].filter((u) => u !== userId);
  const sharing = others.length === 0 ? new Set<UserId>() : await store.e2ee.deviceLists.sharingRoomWith(userId, others);
  return {
    changed: [...changed].filter((u) => u === userId || sharing.has(u)).sort(),
    left: [...departed].filter((u) => u !== userId && !sharing.has(u)).sort(),
  };
}

/** Who came into, or went out of, a room shared with `userId` over (from, to]. */
async function membershipNews(
  store: Store, userId: UserId, roomId: RoomId, from: number, to: number,
  out: { changed: Set<UserId>; departed: Set<UserId> },
): Promise<void> {
  const mine = await store.memberships.get(roomId, userId);
  if (!mine) return;
  const joinedInWindow = async (u: UserId) => (await store.memberships.joinPositions(roomId, u)).some((p) => p > from && p <= to);
  if (mine.membership === 'join') {
    if (await joinedInWindow(userId)) {
      // We came into the room: everyone in it may be new to us.
      for (const m of await store.memberships.members(roomId, ['join'])) if (m.userId !== userId) out.changed.add(m.userId);
      return;
    }
    for (const entry of await store.state.changedBetween(roomId, from, to)) {
      const target = entry.event.state_key as UserId | undefined;
      if (entry.event.type !== 'm.room.member' || target === undefined || target === userId) continue;
      if (entry.event.content.membership === 'join') {
        if (await joinedInWindow(target)) out.changed.add(target);
      } else if (wasJoined(entry)) {
        out.departed.add(target);
      }
    }
    return;
  }
  // We went out of the room in the window (left, kicked or banned) after having been in it.
  if (mine.pos <= from || mine.pos > to || (await store.memberships.joinPositions(roomId, userId)).length === 0) return;
  for (const m of await store.memberships.members(roomId, ['join'])) out.departed.add(m.userId);
  for (const entry of await store.state.changedBetween(roomId, from, to)) {
    if (entry.event.type === 'm.room.member' && entry.event.state_key !== undefined && wasJoined(entry)) out.departed.add(entry.event.state_key as UserId);
  }
}

/** Whether a member event replaced a join (an invite or knock that ends was never a shared room). */
function wasJoined(entry: StoredEvent): boolean {
  return entry.prevState?.prev_content.membership === 'join';
}
