import type { Kysely } from 'kysely';

/**
 * Push (issue 17): pushers, the notifications push rules produced, and how far events have been
 * evaluated for them.
 *
 * - `pushers`: one per (user, app ID, pushkey), owned by the device whose access token set it (a
 *   logout or device deletion removes it). `delivered_pos` is the stream position of the last
 *   notification the gateway accepted: delivery resumes after it, so a crash re-sends at most the
 *   notification in flight. `failures` and `next_attempt_ts` hold the retry backoff.
 * - `notifications`: one row per (user, event) whose push rules said notify.
 * - `push_progress`: the stream position up to which events have been evaluated (one row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pushers')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('pushkey', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_display_name', 'text', (c) => c.notNull())
    .addColumn('device_display_name', 'text', (c) => c.notNull())
    .addColumn('profile_tag', 'text')
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('pushkey_ts', 'bigint', (c) => c.notNull())
    .addColumn('delivered_pos', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ts', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('pushers_pk', ['user_id', 'app_id', 'pushkey'])
    .execute();
  await db.schema.createIndex('pushers_by_key').on('pushers').columns(['app_id', 'pushkey']).execute();
  await db.schema.createIndex('pushers_by_device').on('pushers').columns(['user_id', 'device_id']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('highlight', 'integer', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('notifications_pk', ['user_id', 'stream_pos'])
    .execute();
  await db.schema.createIndex('notifications_by_room').on('notifications').columns(['room_id', 'user_id']).execute();

  await db.schema
    .createTable('push_progress')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('pos', 'bigint', (c) => c.notNull())
    .execute();
}
