import { sql, type Kysely } from 'kysely';
import { searchableText } from '../../core/search.js';
import type { RoomEvent } from '../../core/events/types.js';
import { dialectOf } from '../kysely-store/dialect.js';

/** Events read per batch when the index is filled from the events already stored. */
const BACKFILL_BATCH = 500;

/**
 * Server-side search (issue 18) and content reports.
 *
 * - `event_search`: the words of an event's searchable text (`content.body` of `m.room.message`,
 *   `content.name` of `m.room.name`, `content.topic` of `m.room.topic`; see `searchableText`), one
 *   row per event, keyed by its stream position. The same table on both dialects; only the text index differs: SQLite an
 *   FTS5 table over it (external content, kept in step by triggers: the FTS5 manual's pattern),
 *   PostgreSQL a GIN index on `to_tsvector('simple', words)`. `simple` (no stemming, no stop words)
 *   matches what FTS5's default tokenizer does, so both backends find the same words.
 * - `reports`: reports of events, rooms and users, kept for the server's admins.
 *
 * Existing events are indexed here, once (redacted ones are not): read in batches and parsed by
 * the same function the event writer uses, so an unreadable row is passed over, not fatal.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('event_search')
    .addColumn('stream_pos', 'bigint', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('words', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_search_by_room').on('event_search').columns(['room_id', 'stream_pos']).execute();
  if (pg) {
    await sql`CREATE INDEX event_search_text ON event_search USING GIN (to_tsvector('simple', words))`.execute(db);
  } else {
    await sql`CREATE VIRTUAL TABLE event_search_fts USING fts5(words, content='event_search', content_rowid='stream_pos')`.execute(db);
    await sql`CREATE TRIGGER event_search_ai AFTER INSERT ON event_search BEGIN
      INSERT INTO event_search_fts(rowid, words) VALUES (new.stream_pos, new.words); END`.execute(db);
    await sql`CREATE TRIGGER event_search_ad AFTER DELETE ON event_search BEGIN
      INSERT INTO event_search_fts(event_search_fts, rowid, words) VALUES ('delete', old.stream_pos, old.words); END`.execute(db);
  }

  await db.schema
    .createTable('reports')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('reporter', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('target_user_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('score', 'integer')
    .addColumn('received_ts', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reports_by_room').on('reports').column('room_id').execute();

  await backfill(db as Kysely<BackfillTables>);
}

interface BackfillTables {
  events: { stream_pos: number; room_id: string; type: string; json: string; redacted_by: string | null };
  event_search: { stream_pos: number; room_id: string; key: string; words: string };
}

async function backfill(db: Kysely<BackfillTables>): Promise<void> {
  for (let after = 0; ;) {
    const rows = await db.selectFrom('events').select(['stream_pos', 'room_id', 'json'])
      .where('stream_pos', '>', after).where('redacted_by', 'is', null)
      .where('type', 'in', ['m.room.message', 'm.room.name', 'm.room.topic'])
      .orderBy('stream_pos').limit(BACKFILL_BATCH).execute();
    if (rows.length === 0) return;
    const values = rows.flatMap((row) => {
      const text = searchableText(parsed(row.json));
      return text ? [{ stream_pos: Number(row.stream_pos), room_id: row.room_id, key: text.key, words: text.words }] : [];
    });
    if (values.length > 0) await db.insertInto('event_search').values(values).execute();
    after = Number(rows[rows.length - 1]!.stream_pos);
  }
}

function parsed(json: string): RoomEvent | undefined {
  try {
    return JSON.parse(json) as RoomEvent;
  } catch {
    return undefined;
  }
}
