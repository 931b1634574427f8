import type { Kysely } from 'kysely';

/** Accounts, devices, access tokens (hashed) and user-interactive-auth sessions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('displayname', 'text')
    .addColumn('avatar_url', 'text')
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('last_seen_ts', 'bigint')
    .addColumn('last_seen_ip', 'text')
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('devices_pk', ['user_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('access_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('access_tokens_device_fk', ['user_id', 'device_id'], 'devices', ['user_id', 'device_id'])
    .execute();
  await db.schema.createIndex('access_tokens_device').on('access_tokens').columns(['user_id', 'device_id']).execute();

  await db.schema
    .createTable('uia_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('completed', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .execute();
}
