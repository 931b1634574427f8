import { sql, type Kysely } from 'kysely';
import type { RoomId, UserId } from '../../core/ids.js';
import type { DirectoryUser, UserDirectoryStore } from '../store.js';
import type { Database } from './tables.js';

/** `%`, `_` and the escape character itself stand for themselves in a LIKE pattern ending in `%`. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class KyselyUserDirectoryStore implements UserDirectoryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async search(searcher: UserId, words: readonly string[], options: { everyone: boolean; limit: number }): Promise<DirectoryUser[]> {
    let q = this.db.selectFrom('users as u').select(['u.user_id', 'u.displayname', 'u.avatar_url']).where('u.deactivated', '=', 0);
    for (const word of words) {
      // lower() on both dialects: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
      const prefix = likePrefix(word);
      q = q.where(sql<boolean>`(lower(u.user_id) like ${`@${prefix}`} escape '\\'
        or lower(u.displayname) like ${prefix} escape '\\' or lower(u.displayname) like ${`% ${prefix}`} escape '\\')`);
    }
    if (!options.everyone) {
      const visibleRooms = this.db.selectFrom('memberships').select('room_id').where('user_id', '=', searcher).where('membership', '=', 'join')
        .union(this.db.selectFrom('rooms').select('room_id').where('is_public', '=', 1));
      q = q.where((eb) => eb.exists(eb.selectFrom('memberships as m').select('m.room_id')
        .whereRef('m.user_id', '=', 'u.user_id').where('m.membership', '=', 'join').where('m.room_id', 'in', visibleRooms)));
    }
    const rows = await q.orderBy('u.user_id').limit(options.limit).execute();
    return rows.map((r) => ({ userId: r.user_id as UserId, displayname: r.displayname, avatarUrl: r.avatar_url }));
  }

  private mutual(a: UserId, b: UserId) {
    return this.db.selectFrom('memberships as x').innerJoin('memberships as y', 'y.room_id', 'x.room_id')
      .where('x.user_id', '=', a).where('x.membership', '=', 'join').where('y.user_id', '=', b).where('y.membership', '=', 'join');
  }

  async mutualRooms(a: UserId, b: UserId, after: RoomId | null, limit: number): Promise<RoomId[]> {
    let q = this.mutual(a, b).select('x.room_id');
    if (after !== null) q = q.where('x.room_id', '>', after);
    const rows = await q.orderBy('x.room_id').limit(limit).execute();
    return rows.map((r) => r.room_id as RoomId);
  }

  async countMutualRooms(a: UserId, b: UserId): Promise<number> {
    const row = await this.mutual(a, b).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
