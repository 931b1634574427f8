import type { Kysely } from 'kysely';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { AccountDataRecord, AccountDataStore } from '../sync-store.js';
import type { Database } from './tables.js';

type Change = Omit<AccountDataRecord, 'userId'>;

export class KyselyAccountDataStore implements AccountDataStore {
  constructor(private readonly db: Kysely<Database>) {}

  async put(r: AccountDataRecord): Promise<void> {
    const content = JSON.stringify(r.content);
    const bytes = Buffer.byteLength(content);
    await this.db.insertInto('account_data')
      .values({ user_id: r.userId, room_id: r.roomId, type: r.type, content, stream_pos: r.pos, content_bytes: bytes })
      .onConflict((oc) => oc.columns(['user_id', 'room_id', 'type']).doUpdateSet({ content, stream_pos: r.pos, content_bytes: bytes }))
      .execute();
  }

  async get(userId: UserId, roomId: RoomId | '', type: string): Promise<JsonObject | undefined> {
    const row = await this.db.selectFrom('account_data').select('content')
      .where('user_id', '=', userId).where('room_id', '=', roomId).where('type', '=', type).executeTakeFirst();
    return row ? (JSON.parse(row.content) as JsonObject) : undefined;
  }

  async getMany(userIds: readonly UserId[], roomId: RoomId | '', type: string): Promise<Map<UserId, JsonObject>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('account_data').select(['user_id', 'content'])
      .where('user_id', 'in', userIds).where('room_id', '=', roomId).where('type', '=', type).execute();
    return new Map(rows.map((r) => [r.user_id as UserId, JSON.parse(r.content) as JsonObject]));
  }

  async changedSince(userId: UserId, sincePos: number, upTo?: number): Promise<Change[]> {
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

  async changesWithin(userId: UserId, sincePos: number, upTo: number, limit: { entries: number; bytes: number }): Promise<{ entries: Change[]; through: number }> {
    // Sizes first (no contents), one row past the limit to tell whether anything is left out.
    const sizes = await this.db.selectFrom('account_data').select(['stream_pos', 'content_bytes'])
      .where('user_id', '=', userId).where('stream_pos', '>', sincePos).where('stream_pos', '<=', upTo)
      .orderBy('stream_pos').limit(limit.entries + 1).execute();
    let through = upTo;
    let bytes = 0;
    for (const [i, row] of sizes.entries()) {
      bytes += Number(row.content_bytes);
      if (i === limit.entries || (i > 0 && bytes > limit.bytes)) {
        through = Number(sizes[i - 1]!.stream_pos);
        break;
      }
    }
    // An entry rewritten meanwhile moved past `upTo`, so this reads a subset of the rows sized above.
    return { entries: sizes.length === 0 ? [] : await this.changedSince(userId, sincePos, through), through };
  }

  async usage(userId: UserId, exceptTypes: readonly string[]): Promise<{ entries: number; bytes: number }> {
    let q = this.db.selectFrom('account_data')
      .select((eb) => [eb.fn.countAll().as('entries'), eb.fn.sum<number | string | null>('content_bytes').as('bytes')])
      .where('user_id', '=', userId);
    if (exceptTypes.length > 0) q = q.where('type', 'not in', [...exceptTypes]);
    const row = await q.executeTakeFirstOrThrow();
    return { entries: Number(row.entries), bytes: Number(row.bytes ?? 0) };
  }

  async size(userId: UserId, roomId: RoomId | '', type: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('account_data').select('content_bytes')
      .where('user_id', '=', userId).where('room_id', '=', roomId).where('type', '=', type).executeTakeFirst();
    return row ? Number(row.content_bytes) : undefined;
  }
}
