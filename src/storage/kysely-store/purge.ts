import { sql, type Kysely } from 'kysely';
import { IN_ROOM_MEMBERSHIPS } from '../../core/events/types.js';
import type { RoomId } from '../../core/ids.js';
import type { PurgeStore } from '../purge-store.js';
import type { Database } from './tables.js';

export class KyselyPurgeStore implements PurgeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async eligibleRooms(cutoffTs: number, limit: number): Promise<RoomId[]> {
    const rows = await this.eligible(cutoffTs).orderBy('room_id').limit(limit).execute();
    return rows.map((r) => r.room_id as RoomId);
  }

  async isEligible(roomId: RoomId, cutoffTs?: number): Promise<boolean> {
    return (await this.eligible(cutoffTs).where('room_id', '=', roomId).executeTakeFirst()) !== undefined;
  }

  /** Rooms with memberships, none of them in the room or unforgotten, the last forgotten at or before `cutoffTs`. */
  private eligible(cutoffTs: number | undefined) {
    const inRoom = sql.join(IN_ROOM_MEMBERSHIPS.map((m) => sql.lit(m)));
    const query = this.db.selectFrom('memberships')
      .select('room_id')
      .groupBy('room_id')
      .having(sql<number>`sum(case when forgotten = 0 or membership in (${inRoom}) then 1 else 0 end)`, '=', 0);
    return cutoffTs === undefined ? query : query.having((eb) => eb.fn.max('forgotten_ts'), '<=', cutoffTs);
  }

  async expireTransactionIds(beforeTs: number): Promise<number> {
    const events = await this.db.deleteFrom('event_txns').where('created_ts', '<', beforeTs).executeTakeFirst();
    const toDevice = await this.db.deleteFrom('e2e_to_device_txns').where('created_ts', '<', beforeTs).executeTakeFirst();
    return Number(events.numDeletedRows) + Number(toDevice.numDeletedRows);
  }

  async expireToDeviceMessages(beforeTs: number): Promise<number> {
    const res = await this.db.deleteFrom('e2e_to_device_inbox').where('created_ts', '<', beforeTs).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async deleteHistory(roomId: RoomId, before: { pos?: number; ts?: number }, keepServer: string | null): Promise<number> {
    const doomed = this.db.selectFrom('events').select('event_id').where('room_id', '=', roomId).where('state_key', 'is', null)
      .$if(before.pos !== undefined, (q) => q.where('stream_pos', '<', before.pos!))
      .$if(before.ts !== undefined, (q) => q.where('origin_server_ts', '<', before.ts!))
      .$if(keepServer !== null, (q) => q.where('sender', 'not like', `%:${keepServer}`));
    await this.db.deleteFrom('event_txns').where('event_id', 'in', doomed).execute();
    await this.db.deleteFrom('notifications').where('room_id', '=', roomId).where('event_id', 'in', doomed).execute();
    const res = await this.db.deleteFrom('events').where('event_id', 'in', doomed).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async deleteRoom(roomId: RoomId): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const count = (table: string, res: { numDeletedRows: bigint }) => {
      counts[table] = Number(res.numDeletedRows);
    };
    const roomEvents = this.db.selectFrom('events').select('event_id').where('room_id', '=', roomId);
    count('event_txns', await this.db.deleteFrom('event_txns').where('event_id', 'in', roomEvents).executeTakeFirst());
    count('notifications', await this.db.deleteFrom('notifications').where('room_id', '=', roomId).executeTakeFirst());
    count('receipts', await this.db.deleteFrom('receipts').where('room_id', '=', roomId).executeTakeFirst());
    count('account_data', await this.db.deleteFrom('account_data').where('room_id', '=', roomId).executeTakeFirst());
    count('invite_room_state', await this.db.deleteFrom('invite_room_state').where('room_id', '=', roomId).executeTakeFirst());
    count('event_search', await this.db.deleteFrom('event_search').where('room_id', '=', roomId).executeTakeFirst());
    count('reports', await this.db.deleteFrom('reports').where('room_id', '=', roomId).executeTakeFirst());
    count('room_aliases', await this.db.deleteFrom('room_aliases').where('room_id', '=', roomId).executeTakeFirst());
    count('event_relations', await this.db.deleteFrom('event_relations').where('room_id', '=', roomId).executeTakeFirst());
    count('memberships', await this.db.deleteFrom('memberships').where('room_id', '=', roomId).executeTakeFirst());
    count('state_entries', await this.db.deleteFrom('state_entries').where('room_id', '=', roomId).executeTakeFirst());
    count('events', await this.db.deleteFrom('events').where('room_id', '=', roomId).executeTakeFirst());
    count('rooms', await this.db.deleteFrom('rooms').where('room_id', '=', roomId).executeTakeFirst());
    return counts;
  }
}
