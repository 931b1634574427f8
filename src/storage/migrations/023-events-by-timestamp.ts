import type { Kysely } from 'kysely';

/** `GET /timestamp_to_event` finds a room's events by timestamp: an index, not a scan of the room. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('events_room_ts').on('events').columns(['room_id', 'origin_server_ts', 'stream_pos']).execute();
}

