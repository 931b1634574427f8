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
}
