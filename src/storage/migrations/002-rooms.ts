import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../kysely-store/dialect.js';

/**
 * Rooms and their events. Each room's events form one line (one writer per room), ordered by the
 * global `stream_pos`. State is kept as validity ranges (`from_pos`..`to_pos`) over that order, so a
 * new state event costs one insert and one update whatever the room's size, and "the state at
 * position P" is a range query, never a copy of the whole state.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';

  await db.schema
    .createTable('rooms')
    .addColumn('room_id', 'text', (c) => c.primaryKey())
    .addColumn('room_version', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('stream_pos', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.room_id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state_key', 'text')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('depth', 'bigint', (c) => c.notNull())
    .addColumn('origin_server_ts', 'bigint', (c) => c.notNull())
    .addColumn('membership', 'text')
    .addColumn('json', 'text', (c) => c.notNull())
    // What the event replaced in the room state (`replaces_state`, `prev_content`, `prev_sender`), for clients.
    .addColumn('prev_state_json', 'text')
    .addColumn('redacted_by', 'text')
    .execute();
  await db.schema.createIndex('events_room_pos').on('events').columns(['room_id', 'stream_pos']).execute();

  await db.schema
    .createTable('state_entries')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state_key', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('from_pos', 'bigint', (c) => c.notNull())
    .addColumn('to_pos', 'bigint')
    .addPrimaryKeyConstraint('state_entries_pk', ['room_id', 'type', 'state_key', 'from_pos'])
    .execute();
  await db.schema.createIndex('state_entries_room_range').on('state_entries').columns(['room_id', 'from_pos']).execute();
  await db.schema
    .createIndex('state_entries_current')
    .on('state_entries')
    .columns(['room_id', 'type', 'state_key'])
    .unique()
    .where(sql.ref('to_pos'), 'is', null)
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('membership', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addColumn('forgotten', 'integer', (c) => c.notNull().defaultTo(0))
    // When the user forgot the room: the purge of rooms every local user forgot counts from the last one.
    .addColumn('forgotten_ts', 'bigint')
    .addPrimaryKeyConstraint('memberships_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id', 'membership']).execute();

  await db.schema
    .createTable('event_txns')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    // What the transaction ID is for (e.g. "send:!room:type"): IDs are unique per endpoint and device.
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('txn_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_txns_pk', ['user_id', 'device_id', 'scope', 'txn_id'])
    .execute();

  await db.schema
    .createTable('room_aliases')
    .addColumn('alias', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('creator', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('room_aliases_room').on('room_aliases').column('room_id').execute();
}
