import type { Kysely } from 'kysely';

/**
 * Other servers' public keys, as verified by the key ring: one row per (server, key ID), with the
 * time up to which signatures by it are accepted (`valid_until_ts`, or `expired_ts` for an old key).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_keys')
    .addColumn('server_name', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('valid_until_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('server_keys_pk', ['server_name', 'key_id'])
    .execute();
}
