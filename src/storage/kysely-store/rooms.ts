import { sql, type Kysely, type Selectable } from 'kysely';
import type { RoomAlias, RoomId, UserId } from '../../core/ids.js';
import { ConflictError } from '../errors.js';
import type { AliasStore, RoomRecord, RoomStore } from '../room-store.js';
import { isUniqueViolation, type DialectName } from './dialect.js';
import { prepared } from './prepared.js';
import type { Database, RoomsTable } from './tables.js';

const roomById = prepared<{ roomId: RoomId }, Selectable<RoomsTable>>((db, slot) =>
  db.selectFrom('rooms').selectAll().where('room_id', '=', slot('roomId')));

export class KyselyRoomStore implements RoomStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async create(r: RoomRecord): Promise<void> {
    try {
      await this.db.insertInto('rooms').values({
        room_id: r.roomId, room_version: r.version, creator: r.creator, is_public: r.isPublic ? 1 : 0, created_ts: r.createdTs,
        out_of_band: r.outOfBand ? 1 : 0,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`room ${r.roomId}`);
      throw err;
    }
  }

  async get(roomId: RoomId): Promise<RoomRecord | undefined> {
    const [row] = await roomById(this.db, { roomId });
    if (!row) return undefined;
    return {
      roomId: row.room_id as RoomId, version: row.room_version, creator: row.creator as UserId, isPublic: row.is_public === 1, createdTs: Number(row.created_ts),
      ...(row.out_of_band === 1 ? { outOfBand: true as const } : {}),
    };
  }

  async lock(roomId: RoomId): Promise<void> {
    if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${roomId}, 0))`.execute(this.db);
  }

  async setPublic(roomId: RoomId, isPublic: boolean): Promise<void> {
    await this.db.updateTable('rooms').set({ is_public: isPublic ? 1 : 0 }).where('room_id', '=', roomId).execute();
  }

  async listPublic(): Promise<RoomId[]> {
    const rows = await this.db.selectFrom('rooms').select('room_id').where('is_public', '=', 1).orderBy('created_ts').execute();
    return rows.map((r) => r.room_id as RoomId);
  }
}

export class KyselyAliasStore implements AliasStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(alias: RoomAlias, roomId: RoomId, creator: UserId, createdTs: number): Promise<void> {
    try {
      await this.db.insertInto('room_aliases').values({ alias, room_id: roomId, creator, created_ts: createdTs }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`alias ${alias}`);
      throw err;
    }
  }

  async get(alias: RoomAlias) {
    const row = await this.db.selectFrom('room_aliases').select(['room_id', 'creator']).where('alias', '=', alias).executeTakeFirst();
    return row ? { roomId: row.room_id as RoomId, creator: row.creator as UserId } : undefined;
  }

  async delete(alias: RoomAlias): Promise<boolean> {
    const res = await this.db.deleteFrom('room_aliases').where('alias', '=', alias).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async forRoom(roomId: RoomId): Promise<RoomAlias[]> {
    const rows = await this.db.selectFrom('room_aliases').select('alias').where('room_id', '=', roomId).orderBy('alias').execute();
    return rows.map((r) => r.alias as RoomAlias);
  }
}
