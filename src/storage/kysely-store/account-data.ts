import type { Kysely } from 'kysely';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { AccountDataRecord, AccountDataStore } from '../sync-store.js';
import type { Database } from './tables.js';

export class KyselyAccountDataStore implements AccountDataStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(r: AccountDataRecord): Promise<void> {
    const content = JSON.stringify(r.content);
    await this.db.insertInto('account_data')
      .values({ user_id: r.userId, room_id: r.roomId, type: r.type, content, stream_pos: r.pos })
      .onConflict((oc) => oc.columns(['user_id', 'room_id', 'type']).doUpdateSet({ content, stream_pos: r.pos }))
      .execute();
  }

  async get(userId: UserId, roomId: RoomId | '', type: string): Promise<JsonObject | undefined> {
    const row = await this.db.selectFrom('account_data').select('content')
      .where('user_id', '=', userId).where('room_id', '=', roomId).where('type', '=', type).executeTakeFirst();
    return row ? (JSON.parse(row.content) as JsonObject) : undefined;
  }

  async changedSince(userId: UserId, sincePos: number, upTo?: number): Promise<Array<Omit<AccountDataRecord, 'userId'>>> {
    let q = this.db.selectFrom('account_data').select(['room_id', 'type', 'content', 'stream_pos'])
      .where('user_id', '=', userId).where('stream_pos', '>', sincePos);
    if (upTo !== undefined) q = q.where('stream_pos', '<=', upTo);
    const rows = await q.orderBy('stream_pos').execute();
    return rows.map((r) => ({
      roomId: r.room_id as RoomId | '',
      type: r.type,
      content: JSON.parse(r.content) as JsonObject,
      pos: Number(r.stream_pos),
    }));
  }
}
