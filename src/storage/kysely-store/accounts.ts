import { sql, type Kysely, type Selectable } from 'kysely';
import type { UserId } from '../../core/ids.js';
import { ConflictError } from '../errors.js';
import type { Account, AccountListQuery, AccountOrder, AccountRestriction, AccountStore } from '../store.js';
import { isUniqueViolation, type DialectName } from './dialect.js';
import { prepared } from './prepared.js';
import type { Database, UsersTable } from './tables.js';

function toAccount(row: Selectable<UsersTable>): Account {
  return {
    userId: row.user_id as UserId,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    deactivated: row.deactivated === 1,
    displayname: row.displayname,
    avatarUrl: row.avatar_url,
    createdTs: row.created_ts,
    erased: row.erased === 1,
    suspended: row.suspended === 1,
    locked: row.locked === 1,
  };
}

const ORDER_COLUMNS: Record<AccountOrder, 'user_id' | 'is_admin' | 'deactivated' | 'displayname' | 'avatar_url' | 'created_ts'> = {
  name: 'user_id', admin: 'is_admin', deactivated: 'deactivated', displayname: 'displayname', avatar_url: 'avatar_url', creation_ts: 'created_ts',
};

/** `%text%` for LIKE ... ESCAPE '!', matching `text` literally (its own `%`, `_` and `!` escaped). */
export function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
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
    const set: { displayname?: string | null; avatar_url?: string | null } = {};
    if (fields.displayname !== undefined) set.displayname = fields.displayname;
    if (fields.avatarUrl !== undefined) set.avatar_url = fields.avatarUrl;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('users').set(set).where('user_id', '=', userId).execute();
  }

  async setDeactivated(userId: UserId): Promise<void> {
    await this.db.updateTable('users').set({ deactivated: 1, password_hash: null }).where('user_id', '=', userId).execute();
  }

  async list(q: AccountListQuery): Promise<{ accounts: Account[]; total: number }> {
    let where = this.db.selectFrom('users');
    if (!q.includeDeactivated) where = where.where('deactivated', '=', 0);
    if (q.name !== undefined) {
      // The localpart: between the sigil and the first colon (a localpart never holds one).
      const pattern = containing(q.name);
      const colon = this.dialect === 'postgres' ? sql`strpos(user_id, ':')` : sql`instr(user_id, ':')`;
      where = where.where((eb) => eb.or([
        sql<boolean>`lower(substr(user_id, 2, ${colon} - 2)) like ${pattern} escape '!'`,
        sql<boolean>`lower(displayname) like ${pattern} escape '!'`,
      ]));
    } else if (q.userId !== undefined) {
      where = where.where(sql<boolean>`lower(user_id) like ${containing(q.userId)} escape '!'`);
    }
    const column = ORDER_COLUMNS[q.orderBy];
    const direction = q.backwards ? 'desc' : 'asc';
    // NULLs after the values going forwards, before them backwards, on both dialects (PostgreSQL's default).
    const rows = await where.selectAll()
      .orderBy(sql`case when ${sql.ref(column)} is null then 1 else 0 end`, direction)
      .orderBy(column, direction)
      .orderBy('user_id', 'asc')
      .limit(q.limit).offset(q.offset)
      .execute();
    const total = await where.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return { accounts: rows.map(toAccount), total: Number(total.n) };
  }

  async setAdmin(userId: UserId, isAdmin: boolean): Promise<void> {
    await this.db.updateTable('users').set({ is_admin: isAdmin ? 1 : 0 }).where('user_id', '=', userId).execute();
  }

  async setRestriction(userId: UserId, restriction: AccountRestriction, on: boolean): Promise<void> {
    await this.db.updateTable('users').set({ [restriction]: on ? 1 : 0 }).where('user_id', '=', userId).execute();
  }

  async reactivate(userId: UserId): Promise<void> {
    await this.db.updateTable('users').set({ deactivated: 0 }).where('user_id', '=', userId).execute();
  }

  async erase(userId: UserId): Promise<void> {
    await this.db.updateTable('users').set({ erased: 1, displayname: null, avatar_url: null }).where('user_id', '=', userId).execute();
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
