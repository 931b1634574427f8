import { sql, type Kysely, type Selectable } from 'kysely';
import type { UserId } from '../../core/ids.js';
import { ConflictError } from '../errors.js';
import type { Account, AccountStore } from '../store.js';
import { isUniqueViolation, type DialectName } from './dialect.js';
import { prepared } from './prepared.js';
import type { Database, UsersTable } from './tables.js';

function toAccount(row: UsersTable): Account {
  return {
    userId: row.user_id as UserId,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    deactivated: row.deactivated === 1,
    displayname: row.displayname,
    avatarUrl: row.avatar_url,
    createdTs: row.created_ts,
  };
}

const userById = prepared<{ userId: UserId }, Selectable<UsersTable>>((db, slot) =>
  db.selectFrom('users').selectAll().where('user_id', '=', slot('userId')));

export class KyselyAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>, private readonly dialect: DialectName) {}

  async create(a: Account): Promise<void> {
    try {
      await this.db.insertInto('users').values({
        user_id: a.userId,
        password_hash: a.passwordHash,
        is_admin: a.isAdmin ? 1 : 0,
        deactivated: a.deactivated ? 1 : 0,
        displayname: a.displayname,
        avatar_url: a.avatarUrl,
        created_ts: a.createdTs,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`user ${a.userId}`);
      throw err;
    }
  }

  async get(userId: UserId): Promise<Account | undefined> {
    const [row] = await userById(this.db, { userId });
    return row ? toAccount(row) : undefined;
  }

  async exists(userId: UserId): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  }

  async setPasswordHash(userId: UserId, hash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash }).where('user_id', '=', userId).execute();
  }

  async setProfile(userId: UserId, fields: { displayname?: string | null; avatarUrl?: string | null }): Promise<void> {
    const set: Partial<UsersTable> = {};
    if (fields.displayname !== undefined) set.displayname = fields.displayname;
    if (fields.avatarUrl !== undefined) set.avatar_url = fields.avatarUrl;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('users').set(set).where('user_id', '=', userId).execute();
  }

  async setDeactivated(userId: UserId): Promise<void> {
    await this.db.updateTable('users').set({ deactivated: 1, password_hash: null }).where('user_id', '=', userId).execute();
  }

  async deactivatedWithRooms(after: UserId | null, limit: number): Promise<UserId[]> {
    let q = this.db.selectFrom('users as u').select('u.user_id').where('u.deactivated', '=', 1)
      // Through the memberships' (user_id, membership) index, per deactivated user.
      .where((eb) => eb.exists(eb.selectFrom('memberships as m').select('m.room_id')
        .whereRef('m.user_id', '=', 'u.user_id').where('m.forgotten', '=', 0)));
    if (after !== null) q = q.where('u.user_id', '>', after);
    const rows = await q.orderBy('u.user_id').limit(limit).execute();
    return rows.map((r) => r.user_id as UserId);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async lock(userId: UserId): Promise<void> {
    // Its own key space ("quota " + user), apart from the rooms' advisory locks.
    if (this.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`quota ${userId}`}, 0))`.execute(this.db);
  }
}
