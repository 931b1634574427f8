import type { EventId, RoomId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { FullyReadMarker } from './fully-read.js';
import type { Receipts } from './receipts.js';
import { eventInRoom, requireJoined } from './room-checks.js';

export interface ReadMarkerUpdate {
  fullyRead?: EventId;
  read?: EventId;
  readPrivate?: EventId;
}

/** `POST /rooms/{roomId}/read_markers`: the fully-read marker and, optionally, read receipts in one call. */
export class ReadMarkers {
  constructor(private readonly deps: { store: Store; fullyRead: FullyReadMarker; receipts: Receipts }) {}

  async set(requester: Requester, roomId: RoomId, update: ReadMarkerUpdate): Promise<void> {
    const { store, fullyRead, receipts } = this.deps;
    await requireJoined(store, roomId, requester.userId);
    // Every event is checked before anything is written, so a bad ID changes nothing.
    for (const eventId of [update.fullyRead, update.read, update.readPrivate]) {
      if (eventId !== undefined) await eventInRoom(store, roomId, eventId);
    }
    if (update.fullyRead !== undefined) await fullyRead.set(requester, roomId, update.fullyRead);
    if (update.read !== undefined) await receipts.send(requester, roomId, 'm.read', update.read, null);
    if (update.readPrivate !== undefined) await receipts.send(requester, roomId, 'm.read.private', update.readPrivate, null);
  }
}
