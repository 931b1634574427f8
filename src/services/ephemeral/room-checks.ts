import { forbidden, notFound } from '../../core/errors.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { Store, StoredEvent } from '../../storage/store.js';

/** Typing, receipts and read markers are for members: 403 unless the user is joined to the room. */
export async function requireJoined(store: Store, roomId: RoomId, userId: UserId): Promise<void> {
  const m = await store.memberships.get(roomId, userId);
  if (m?.membership !== 'join') throw forbidden('You are not joined to this room');
}

/** The event, which must belong to the room: 404 otherwise. */
export async function eventInRoom(store: Store, roomId: RoomId, eventId: EventId): Promise<StoredEvent> {
  const stored = await store.events.get(eventId);
  if (!stored || stored.event.room_id !== roomId) throw notFound('Event not found in this room');
  return stored;
}
