import type { Clock } from '../../core/clock.js';
import { invalidParam } from '../../core/errors.js';
import { FULLY_READ, checkThreadId, isReceiptType, type ReceiptType } from '../../core/ephemeral/receipts.js';
import type { EventId, RoomId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';
import type { FullyReadMarker } from './fully-read.js';
import { eventInRoom, requireJoined } from './room-checks.js';

/**
 * Read receipts (`POST /rooms/{roomId}/receipt/{receiptType}/{eventId}`). One receipt per user,
 * type and thread; a receipt only moves forward in the room (an older event is acknowledged
 * silently and changes nothing). `m.fully_read` is the read marker, not a receipt.
 */
export class Receipts {
  constructor(private readonly deps: { store: Store; clock: Clock; notifier: Notifier; fullyRead: FullyReadMarker }) {}

  /** `threadId` is the body's `thread_id` as sent (undefined when absent). */
  async post(requester: Requester, roomId: RoomId, receiptType: string, eventId: EventId, threadId?: unknown): Promise<void> {
    if (receiptType === FULLY_READ) {
      if (threadId !== undefined) throw invalidParam('thread_id cannot be used with m.fully_read');
      return this.deps.fullyRead.set(requester, roomId, eventId);
    }
    if (!isReceiptType(receiptType)) throw invalidParam(`Unknown receipt type ${receiptType}`);
    if (threadId !== undefined) {
      const problem = checkThreadId(threadId);
      if (problem) throw invalidParam(problem);
    }
    await this.send(requester, roomId, receiptType, eventId, (threadId as string | undefined) ?? null);
  }

  async send(requester: Requester, roomId: RoomId, receiptType: ReceiptType, eventId: EventId, threadId: string | null): Promise<void> {
    const { store } = this.deps;
    const userId = requester.userId;
    await requireJoined(store, roomId, userId);
    const target = await eventInRoom(store, roomId, eventId);
    const pos = await store.transaction(async (tx) => {
      // The position first: its lock (PostgreSQL) serialises this read-modify-write with any other.
      const pos = await tx.counters.next('receipts');
      const current = await tx.receipts.get(roomId, userId, receiptType, threadId);
      if (current) {
        const at = await tx.events.get(current.eventId);
        if (at && at.pos >= target.pos) return undefined;
      }
      await tx.receipts.put({ roomId, userId, receiptType, threadId, eventId, ts: this.deps.clock.now(), pos });
      return pos;
    });
    if (pos === undefined) return;
    // A private receipt is news to its owner only.
    this.deps.notifier.announce(receiptType === 'm.read.private' ? { pos, userIds: [userId] } : { pos, roomId });
  }
}
