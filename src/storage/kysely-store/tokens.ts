import type { Kysely } from 'kysely';
import type { DeviceId, UserId } from '../../core/ids.js';
import type { TokenOwner, TokenStore } from '../store.js';
import { prepared } from './prepared.js';
import type { Database } from './tables.js';

const ownerOfToken = prepared<{ tokenHash: string }, { user_id: string; device_id: string; is_admin: number; deactivated: number; locked: number; suspended: number; valid_until_ts: number | null }>((db, slot) =>
  db.selectFrom('access_tokens as t')
    .innerJoin('users as u', 'u.user_id', 't.user_id')
    .select(['t.user_id', 't.device_id', 'u.is_admin', 'u.deactivated', 'u.locked', 'u.suspended', 't.valid_until_ts'])
    .where('t.token_hash', '=', slot('tokenHash')));

export class KyselyTokenStore implements TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(tokenHash: string, userId: UserId, deviceId: DeviceId, createdTs: number, validUntilTs: number | null = null): Promise<void> {
    await this.db.insertInto('access_tokens').values({ token_hash: tokenHash, user_id: userId, device_id: deviceId, created_ts: createdTs, valid_until_ts: validUntilTs }).execute();
  }

  async lookup(tokenHash: string): Promise<TokenOwner | undefined> {
    const [row] = await ownerOfToken(this.db, { tokenHash });
    if (!row) return undefined;
    return { userId: row.user_id as UserId, deviceId: row.device_id as DeviceId, isAdmin: row.is_admin === 1, deactivated: row.deactivated === 1,
      locked: row.locked === 1, suspended: row.suspended === 1, validUntilTs: row.valid_until_ts };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('access_tokens').where('token_hash', '=', tokenHash).execute();
  }

  async createRefresh(tokenHash: string, userId: UserId, deviceId: DeviceId, accessTokenHash: string, createdTs: number): Promise<void> {
    await this.db.insertInto('refresh_tokens').values({ token_hash: tokenHash, user_id: userId, device_id: deviceId, access_token_hash: accessTokenHash, created_ts: createdTs }).execute();
  }

  async takeRefresh(tokenHash: string): Promise<{ userId: UserId; deviceId: DeviceId } | undefined> {
    // DELETE ... RETURNING (SQLite 3.35+, PostgreSQL): the row goes to whichever use deletes it, never to two.
    const row = await this.db.deleteFrom('refresh_tokens').where('token_hash', '=', tokenHash)
      .returning(['user_id', 'device_id', 'access_token_hash']).executeTakeFirst();
    if (!row) return undefined;
    await this.delete(row.access_token_hash);
    return { userId: row.user_id as UserId, deviceId: row.device_id as DeviceId };
  }

  async createOpenId(tokenHash: string, userId: UserId, validUntilTs: number, now: number): Promise<void> {
    // Expired tokens go when their user asks for a new one: a user's rows stay bounded by those still valid.
    await this.db.deleteFrom('openid_tokens').where('user_id', '=', userId).where('valid_until_ts', '<=', now).execute();
    await this.db.insertInto('openid_tokens').values({ token_hash: tokenHash, user_id: userId, valid_until_ts: validUntilTs }).execute();
  }

  async openIdUser(tokenHash: string, now: number): Promise<UserId | undefined> {
    const row = await this.db.selectFrom('openid_tokens as o').innerJoin('users as u', 'u.user_id', 'o.user_id')
      .select('o.user_id').where('o.token_hash', '=', tokenHash).where('o.valid_until_ts', '>', now).where('u.deactivated', '=', 0)
      .executeTakeFirst();
    return row?.user_id as UserId | undefined;
  }
}
