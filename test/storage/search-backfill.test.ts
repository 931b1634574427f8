// Migration 022 indexes the events stored before it: run again on a database whose index was
// removed, it must find what the event writer would have indexed, and pass over redacted and
// unreadable events instead of failing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { ALL_SEARCH_KEYS } from '../../src/core/search.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, freshDatabase } from '../helpers/backends.js';
import { rawExec, rerunMigration, type RawDatabase } from '../helpers/db-scan.js';
import * as searchMigration from '../../src/storage/migrations/022-search-reports.js';
import { roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const room = '!old:hs' as RoomId;

forEachBackend('migration 022: existing events are indexed', (backend) => {
  // One store at a time on the database (two SQLite stores on one file would race over its log).
  let store: Store;
  let migrated: Store;
  let db: RawDatabase;
  let drop = async () => {};
  const r = roomEvents(() => store);
  after(async () => {
    await migrated?.close();
    await drop();
  });

  before(async () => {
    const fresh = await freshDatabase(backend, { sqliteFile: true });
    drop = fresh.drop;
    const config = fresh.database;
    db = config.kind === 'sqlite' ? { kind: 'sqlite', path: config.path } : { kind: 'postgres', url: config.url };
    store = await openStore(config);
    await r.createRoom(room);
    await r.message(room, alice, 'old heron message');
    const redacted = await r.message(room, alice, 'redacted heron message');
    await store.events.markRedacted(redacted.event.event_id as EventId, '$r' as EventId);
    const corrupt = await r.message(room, alice, 'corrupt heron message');
    await r.append(room, { type: 'm.room.topic', sender: alice, stateKey: '', content: { topic: 'heron topic' } });
    for (let i = 0; i < 3; i++) await r.message(room, alice, `filler ${i}`);
    await store.close();
    await rawExec(db, 'UPDATE events SET json = $1 WHERE stream_pos = $2', ['{not json', corrupt.pos]);
    // Back to the schema before 022, the events kept.
    if (db.kind === 'sqlite') await rawExec(db, 'DROP TABLE event_search_fts');
    for (const statement of ['DROP TABLE event_search', 'DROP TABLE reports']) await rawExec(db, statement);
    await rerunMigration(db, searchMigration);
    migrated = await openStore(config);
  });

  it('indexes messages and topics, passes over redacted and unreadable events', async () => {
    const found = await migrated.search.find({ ranges: [{ roomId: room }], words: ['heron'], keys: ALL_SEARCH_KEYS, order: 'recent', limit: 10 });
    assert.deepEqual(found.map((f) => f.stored.event.content.body ?? f.stored.event.content.topic), ['heron topic', 'old heron message']);
    assert.deepEqual(await migrated.reports.list({ limit: 1 }), []);
  });
}, describe);
