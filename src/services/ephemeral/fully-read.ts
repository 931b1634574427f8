import { FULLY_READ } from '../../core/ephemeral/receipts.js';
import type { EventId, RoomId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';
import { eventInRoom, requireJoined } from './room-checks.js';

/**
 * The fully-read marker: room account data `m.fully_read` = `{ event_id }`, which only the
 * server writes (through `/read_markers` and `/receipt/m.fully_read/...`). It only moves forward.
 */
export class FullyReadMarker {
  constructor(private readonly deps: { store: Store; notifier: Notifier }) {}

  async set(requester: Requester, roomId: RoomId, eventId: EventId): Promise<void> {
    const { store } = this.deps;
    const userId = requester.userId;
    await requireJoined(store, roomId, userId);
    const target = await eventInRoom(store, roomId, eventId);
    const pos = await store.transaction(async (tx) => {
      // The position first: its lock (PostgreSQL) serialises this read-modify-write with any other.
      const pos = await tx.counters.next('account_data');
      const current = await tx.accountData.get(userId, roomId, FULLY_READ);
      const currentId = typeof current?.event_id === 'string' ? (current.event_id as EventId) : undefined;
      if (currentId !== undefined) {
        const at = await tx.events.get(currentId);
        if (at && at.pos >= target.pos) return undefined;
      }
      await tx.accountData.put({ userId, roomId, type: FULLY_READ, content: { event_id: eventId }, pos });
      return pos;
    });
    if (pos !== undefined) this.deps.notifier.announce({ pos, userIds: [userId] });
  }
}
