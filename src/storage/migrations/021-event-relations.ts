import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../kysely-store/dialect.js';

/**
 * Relations between events (threads, edits, references, annotations): one row per event whose
 * `content["m.relates_to"]` is an object with a string `rel_type` and a string `event_id`, written
 * with the event. The relating event's type, sender, timestamp, position and whether it is a state
 * event are copied so that /relations, /threads and the bundled aggregations read this table alone.
 *
 * Events stored before this migration are backfilled here, once, with each dialect's JSON
 * functions over the events table (only unredacted rows that mention `m.relates_to` are parsed; on
 * SQLite unreadable JSON is passed over).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_relations')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('relates_to_id', 'text', (c) => c.notNull())
    .addColumn('rel_type', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('origin_server_ts', 'bigint', (c) => c.notNull())
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addColumn('is_state', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_relations_by_parent').on('event_relations').columns(['room_id', 'relates_to_id', 'rel_type']).execute();

  if (dialectOf(db) === 'postgres') {
    await sql`INSERT INTO event_relations (event_id, room_id, relates_to_id, rel_type, type, sender, origin_server_ts, stream_pos, is_state)
      SELECT event_id, room_id, rel->>'event_id', rel->>'rel_type', type, sender, origin_server_ts, stream_pos, CASE WHEN state_key IS NULL THEN 0 ELSE 1 END
      FROM (SELECT e.*, (e.json::jsonb)->'content'->'m.relates_to' AS rel FROM events e WHERE e.redacted_by IS NULL AND e.json LIKE '%"m.relates_to"%') r
      WHERE jsonb_typeof(rel) = 'object' AND jsonb_typeof(rel->'rel_type') = 'string' AND jsonb_typeof(rel->'event_id') = 'string'`.execute(db);
  } else {
    // Paths into the event's JSON itself: json_type of an extracted non-JSON string would fail.
    await sql`INSERT INTO event_relations (event_id, room_id, relates_to_id, rel_type, type, sender, origin_server_ts, stream_pos, is_state)
      SELECT event_id, room_id, json_extract(json, '$.content."m.relates_to".event_id'), json_extract(json, '$.content."m.relates_to".rel_type'),
        type, sender, origin_server_ts, stream_pos, CASE WHEN state_key IS NULL THEN 0 ELSE 1 END
      FROM (SELECT * FROM events WHERE redacted_by IS NULL AND json LIKE '%"m.relates_to"%' AND json_valid(json)) r
      WHERE json_type(json, '$.content."m.relates_to"') = 'object' AND json_type(json, '$.content."m.relates_to".rel_type') = 'text'
        AND json_type(json, '$.content."m.relates_to".event_id') = 'text'`.execute(db);
  }
}
