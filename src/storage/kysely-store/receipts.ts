import type { Kysely, Selectable } from 'kysely';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import type { ReceiptRecord, ReceiptStore } from '../sync-store.js';
import { chunks } from './counters.js';
import type { ReceiptsTable } from './sync-tables.js';
import type { Database } from './tables.js';

function toRecord(r: Selectable<ReceiptsTable>): ReceiptRecord {
  return {
    roomId: r.room_id as RoomId,
    userId: r.user_id as UserId,
    receiptType: r.receipt_type,
    threadId: r.thread_id === '' ? null : r.thread_id,
    eventId: r.event_id as EventId,
    ts: Number(r.ts),
    pos: Number(r.stream_pos),
  };
}

export class KyselyReceiptStore implements ReceiptStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(r: ReceiptRecord): Promise<void> {
    const changed = { event_id: r.eventId, ts: r.ts, stream_pos: r.pos };
    await this.db.insertInto('receipts')
      .values({ room_id: r.roomId, user_id: r.userId, receipt_type: r.receiptType, thread_id: r.threadId ?? '', ...changed })
      .onConflict((oc) => oc.columns(['room_id', 'user_id', 'receipt_type', 'thread_id']).doUpdateSet(changed))
      .execute();
  }

  async get(roomId: RoomId, userId: UserId, receiptType: string, threadId: string | null): Promise<ReceiptRecord | undefined> {
    const row = await this.db.selectFrom('receipts').selectAll()
      .where('room_id', '=', roomId).where('user_id', '=', userId)
      .where('receipt_type', '=', receiptType).where('thread_id', '=', threadId ?? '')
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async latestFor(roomId: RoomId, userId: UserId): Promise<ReceiptRecord[]> {
    const rows = await this.db.selectFrom('receipts').selectAll()
      .where('room_id', '=', roomId).where('user_id', '=', userId).orderBy('stream_pos').execute();
    return rows.map(toRecord);
  }

  async changedSince(roomIds: readonly RoomId[], sincePos: number, upTo?: number): Promise<Map<RoomId, ReceiptRecord[]>> {
    const rows: ReceiptRecord[] = [];
    for (const part of chunks(roomIds)) {
      let q = this.db.selectFrom('receipts').selectAll().where('room_id', 'in', part).where('stream_pos', '>', sincePos);
      if (upTo !== undefined) q = q.where('stream_pos', '<=', upTo);
      rows.push(...(await q.execute()).map(toRecord));
    }
    rows.sort((a, b) => a.pos - b.pos);
    const byRoom = new Map<RoomId, ReceiptRecord[]>();
    for (const r of rows) {
      const list = byRoom.get(r.roomId);
      if (list) list.push(r);
      else byRoom.set(r.roomId, [r]);
    }
    return byRoom;
  }
}
