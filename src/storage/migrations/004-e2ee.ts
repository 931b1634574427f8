import type { Kysely } from 'kysely';
import { dialectOf } from '../kysely-store/dialect.js';

/**
 * End-to-end encryption: the public keys devices publish, the cross-signing keys of users, the
 * to-device inbox and the stream of device-list changes. The server only stores and hands out
 * what clients upload: every key and message is kept as the client's JSON.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';

  await db.schema
    .createTable('e2e_device_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('e2e_device_keys_pk', ['user_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('e2e_one_time_keys')
    // Upload order: keys are claimed oldest first.
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addUniqueConstraint('e2e_one_time_keys_key', ['user_id', 'device_id', 'algorithm', 'key_id'])
    .execute();
  await db.schema.createIndex('e2e_one_time_keys_claim').on('e2e_one_time_keys').columns(['user_id', 'device_id', 'algorithm', 'seq']).execute();

  await db.schema
    .createTable('e2e_fallback_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('e2e_fallback_keys_pk', ['user_id', 'device_id', 'algorithm'])
    .execute();

  await db.schema
    .createTable('e2e_cross_signing_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    // 'master', 'self_signing' or 'user_signing'.
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('e2e_cross_signing_keys_pk', ['user_id', 'key_type'])
    .execute();

  await db.schema
    .createTable('e2e_to_device_inbox')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    // One position per send: a send carries at most one message for each device.
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('e2e_to_device_inbox_pk', ['user_id', 'device_id', 'stream_pos'])
    .execute();

  await db.schema
    .createTable('e2e_to_device_txns')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('txn_id', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('e2e_to_device_txns_pk', ['user_id', 'device_id', 'txn_id'])
    .execute();

  // The latest change of each user's devices or keys: "changed since P" is a range scan.
  await db.schema
    .createTable('e2e_device_list_changes')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('e2e_device_list_changes_pos').on('e2e_device_list_changes').column('stream_pos').execute();
}
