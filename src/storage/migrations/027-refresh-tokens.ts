import type { Kysely } from 'kysely';

/**
 * OpenID tokens (`/user/{userId}/openid/request_token`, checked by other servers' `/openid/userinfo`),
 * hashed, each with its expiry.
 *
 * Refresh tokens (`refresh_token: true` at `/login` and `/register`, `POST /refresh`), stored hashed
 * as access tokens are. `access_token_hash` is the access token issued with it: refreshing retires both.
 * They belong to a device and go with it (logout, device deletion).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('access_token_hash', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('refresh_tokens_device_fk', ['user_id', 'device_id'], 'devices', ['user_id', 'device_id'])
    .execute();
  await db.schema.createIndex('refresh_tokens_device').on('refresh_tokens').columns(['user_id', 'device_id']).execute();
  await db.schema
    .createTable('openid_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id'))
    .addColumn('valid_until_ts', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('openid_tokens_user').on('openid_tokens').columns(['user_id', 'valid_until_ts']).execute();
}
