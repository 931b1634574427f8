import type { Kysely } from 'kysely';

/**
 * What /sync delivers besides room events, and what clients configure it with. Account data,
 * receipts and presence each carry the position of their own stream (`stream_counters`), taken
 * inside the writing transaction; an update replaces the row and moves it to the new position,
 * so "changed since P" is a range scan over `stream_pos`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_data')
    .addColumn('user_id', 'text', (c) => c.notNull())
    // '' for global account data: a NULL could not be part of the primary key.
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_data_pk', ['user_id', 'room_id', 'type'])
    .execute();
  await db.schema.createIndex('account_data_user_pos').on('account_data').columns(['user_id', 'stream_pos']).execute();

  await db.schema
    .createTable('receipts')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('receipt_type', 'text', (c) => c.notNull())
    // '' for an unthreaded receipt.
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('receipts_pk', ['room_id', 'user_id', 'receipt_type', 'thread_id'])
    .execute();
  await db.schema.createIndex('receipts_pos').on('receipts').column('stream_pos').execute();

  await db.schema
    .createTable('presence')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('status_msg', 'text')
    .addColumn('last_active_ts', 'bigint', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('presence_pos').on('presence').column('stream_pos').execute();

  await db.schema
    .createTable('filters')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('filter_id', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('filters_pk', ['user_id', 'filter_id'])
    .execute();

  await db.schema
    .createTable('push_rules')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('json', 'text', (c) => c.notNull())
    .execute();
}
