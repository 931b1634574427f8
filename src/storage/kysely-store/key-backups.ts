import { sql, type Kysely, type Selectable } from 'kysely';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { BackedUpKey, BackupKeyScope, BackupVersionRecord, KeyBackupStore } from '../e2ee-store.js';
import { chunks } from './counters.js';
import type { DialectName } from './dialect.js';
import type { E2eRoomKeysTable } from './e2ee-tables.js';
import type { Database } from './tables.js';

const keyOf = (r: Selectable<E2eRoomKeysTable>): BackedUpKey => ({
  roomId: r.room_id as RoomId,
  sessionId: r.session_id,
  firstMessageIndex: Number(r.first_message_index),
  forwardedCount: Number(r.forwarded_count),
  isVerified: r.is_verified === 1,
  sessionData: JSON.parse(r.session_data) as JsonObject,
});

const rowOf = (userId: UserId, version: number, k: BackedUpKey) => ({
  user_id: userId,
  version,
  room_id: k.roomId,
  session_id: k.sessionId,
  first_message_index: k.firstMessageIndex,
  forwarded_count: k.forwardedCount,
  is_verified: k.isVerified ? 1 : 0,
  session_data: JSON.stringify(k.sessionData),
});

export class KyselyKeyBackupStore implements KeyBackupStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async lock(userId: UserId): Promise<void> {
    if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`room_keys ${userId}`}, 0))`.execute(this.db);
  }

  async createVersion(userId: UserId, algorithm: string, authData: JsonObject): Promise<number> {
    // Deleted versions count too: a number is never handed out twice.
    const row = await this.db.selectFrom('e2e_room_key_versions').select((eb) => eb.fn.max('version').as('top'))
      .where('user_id', '=', userId).executeTakeFirst();
    const version = Number(row?.top ?? 0) + 1;
    await this.db.insertInto('e2e_room_key_versions')
      .values({ user_id: userId, version, algorithm, auth_data: JSON.stringify(authData) }).execute();
    return version;
  }

  async getVersion(userId: UserId, version?: number): Promise<BackupVersionRecord | undefined> {
    let q = this.db.selectFrom('e2e_room_key_versions').select(['version', 'algorithm', 'auth_data', 'etag', 'key_count'])
      .where('user_id', '=', userId).where('deleted', '=', 0);
    if (version !== undefined) q = q.where('version', '=', version);
    const row = await q.orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) return undefined;
    return {
      version: Number(row.version),
      algorithm: row.algorithm,
      authData: JSON.parse(row.auth_data) as JsonObject,
      etag: Number(row.etag),
      count: Number(row.key_count),
    };
  }

  async setAuthData(userId: UserId, version: number, authData: JsonObject): Promise<boolean> {
    const res = await this.db.updateTable('e2e_room_key_versions').set({ auth_data: JSON.stringify(authData) })
      .where('user_id', '=', userId).where('version', '=', version).where('deleted', '=', 0).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteVersion(userId: UserId, version: number): Promise<'deleted' | 'already' | 'unknown'> {
    const row = await this.db.selectFrom('e2e_room_key_versions').select('deleted')
      .where('user_id', '=', userId).where('version', '=', version).executeTakeFirst();
    if (!row) return 'unknown';
    if (row.deleted === 1) return 'already';
    // The row stays, emptied, so that its number is not reused and a second delete still succeeds.
    await this.db.updateTable('e2e_room_key_versions').set({ deleted: 1, auth_data: '{}', key_count: 0 })
      .where('user_id', '=', userId).where('version', '=', version).execute();
    await this.db.deleteFrom('e2e_room_keys').where('user_id', '=', userId).where('version', '=', version).execute();
    return 'deleted';
  }

  async keys(userId: UserId, version: number, scope: BackupKeyScope = {}): Promise<BackedUpKey[]> {
    let q = this.db.selectFrom('e2e_room_keys').selectAll().where('user_id', '=', userId).where('version', '=', version);
    if (scope.roomId !== undefined) q = q.where('room_id', '=', scope.roomId);
    if (scope.sessionId !== undefined) q = q.where('session_id', '=', scope.sessionId);
    const rows = await q.orderBy('room_id').orderBy('session_id').execute();
    return rows.map(keyOf);
  }

  async find(userId: UserId, version: number, ids: ReadonlyArray<Pick<BackedUpKey, 'roomId' | 'sessionId'>>): Promise<BackedUpKey[]> {
    const byRoom = new Map<RoomId, string[]>();
    for (const k of ids) {
      const list = byRoom.get(k.roomId);
      if (list) list.push(k.sessionId);
      else byRoom.set(k.roomId, [k.sessionId]);
    }
    const out: BackedUpKey[] = [];
    // Per room, so that each query is a range of the primary key, whatever the size of the backup.
    for (const [roomId, sessionIds] of byRoom) {
      for (const part of chunks(sessionIds)) {
        const rows = await this.db.selectFrom('e2e_room_keys').selectAll()
          .where('user_id', '=', userId).where('version', '=', version).where('room_id', '=', roomId).where('session_id', 'in', part)
          .execute();
        out.push(...rows.map(keyOf));
      }
    }
    return out;
  }

  async saveKeys(userId: UserId, version: number, added: readonly BackedUpKey[], replaced: readonly BackedUpKey[]): Promise<{ etag: number; count: number }> {
    if (added.length === 0 && replaced.length === 0) return this.tally(userId, version);
    for (const part of chunks(added, 100)) {
      await this.db.insertInto('e2e_room_keys').values(part.map((k) => rowOf(userId, version, k))).execute();
    }
    for (const k of replaced) {
      const { user_id: _u, version: _v, room_id: _r, session_id: _s, ...fields } = rowOf(userId, version, k);
      await this.db.updateTable('e2e_room_keys').set(fields)
        .where('user_id', '=', userId).where('version', '=', version).where('room_id', '=', k.roomId).where('session_id', '=', k.sessionId)
        .execute();
    }
    return this.changed(userId, version, added.length);
  }

  async deleteKeys(userId: UserId, version: number, scope: BackupKeyScope = {}): Promise<{ etag: number; count: number }> {
    let q = this.db.deleteFrom('e2e_room_keys').where('user_id', '=', userId).where('version', '=', version);
    if (scope.roomId !== undefined) q = q.where('room_id', '=', scope.roomId);
    if (scope.sessionId !== undefined) q = q.where('session_id', '=', scope.sessionId);
    const res = await q.executeTakeFirst();
    const n = Number(res.numDeletedRows);
    return n === 0 ? this.tally(userId, version) : this.changed(userId, version, -n);
  }

  async deleteAll(userId: UserId): Promise<void> {
    await this.db.deleteFrom('e2e_room_keys').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('e2e_room_key_versions').where('user_id', '=', userId).execute();
  }

  /** The keys changed: a new etag, and the count moved by `delta`. */
  private async changed(userId: UserId, version: number, delta: number): Promise<{ etag: number; count: number }> {
    const row = await this.db.updateTable('e2e_room_key_versions')
      .set((eb) => ({ etag: eb('etag', '+', 1), key_count: eb('key_count', '+', delta) }))
      .where('user_id', '=', userId).where('version', '=', version)
      .returning(['etag', 'key_count']).executeTakeFirstOrThrow();
    return { etag: Number(row.etag), count: Number(row.key_count) };
  }

  private async tally(userId: UserId, version: number): Promise<{ etag: number; count: number }> {
    const row = await this.db.selectFrom('e2e_room_key_versions').select(['etag', 'key_count'])
      .where('user_id', '=', userId).where('version', '=', version).executeTakeFirstOrThrow();
    return { etag: Number(row.etag), count: Number(row.key_count) };
  }
}
