// Event positions across concurrent writers (issue 14 section 5). Two processes (two stores on one
// database) write to different rooms; the one holding the lower position commits later. A reader
// that reads "events after p up to the current position", then moves p there, must never pass over
// the late committer's event. SQLite has one writer (transactions run one after another), so there
// a position can never commit after a higher one: the race exists only on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { RoomId, UserId } from '../../src/core/ids.js';
import { openStore } from '../../src/storage/open.js';
import type { Store, StoredEvent } from '../../src/storage/store.js';
import { forEachBackend, freshDatabase } from '../helpers/backends.js';
import { latch, roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const SQLITE_SKIP = 'SQLite has one writer: transactions commit in the order they take positions';

forEachBackend('event positions: a reader never passes over a late commit', (backend) => {
  const roomA = '!a:hs' as RoomId;
  const roomB = '!b:hs' as RoomId;
  let one: Store;
  let two: Store;
  let url = '';
  let drop: () => Promise<void> = async () => {};
  before(async () => {
    if (backend !== 'postgres') return;
    const fresh = await freshDatabase(backend);
    drop = fresh.drop;
    if (fresh.database.kind === 'postgres') url = fresh.database.url;
    one = await openStore(fresh.database);
    two = await openStore(fresh.database);
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await drop();
  });
  const r = roomEvents(() => one, backend === 'postgres' ? [roomA, roomB] : []);

  /** The reader: events after `from` up to the position the store says is current. */
  const read = async (store: Store, from: number): Promise<{ events: StoredEvent[]; upTo: number }> => {
    const upTo = await store.events.maxPos();
    const events = (await store.events.after(from, 100)).filter((e) => e.pos <= upTo);
    return { events, upTo };
  };

  it('the lower position commits after a higher one in another room: the reader still gets both, once', { skip: backend === 'sqlite' ? SQLITE_SKIP : false, timeout: 60_000 }, async () => {
    const start = await two.events.maxPos();
    const appended = latch();
    const held = latch();
    const slow = one.transaction(async (tx) => {
      const e = await r.append(roomA, { type: 'm.room.message', sender: alice, content: { body: 'committed late' } }, tx);
      appended.open();
      await held.done;
      return e;
    });
    await appended.done;
    // The other process writes: it commits first, or it waits for a lock the slow writer holds.
    const fast = two.transaction((tx) => r.append(roomB, { type: 'm.room.message', sender: bob, content: { body: 'committed first' } }, tx));
    await settledOrWaitingForLock(fast, url);

    const first = await read(two, start);
    held.open();
    const [s, f] = await Promise.all([slow, fast]);
    assert.ok(s.pos < f.pos, 'the held writer took the lower position');
    const second = await read(two, first.upTo);

    const seen = [...first.events, ...second.events].map((e) => e.event.event_id);
    assert.deepEqual(seen.sort(), [s.event.event_id, f.event.event_id].sort(), 'each event read exactly once');
    assert.equal(second.upTo, f.pos, 'once both committed, the reader reaches the newest position');
  });
}, describe);

/** Resolves once `write` settled or some connection of the test database waits for a lock (polled; no time limit). */
async function settledOrWaitingForLock(write: Promise<unknown>, url: string): Promise<void> {
  let settled = false;
  void write.finally(() => (settled = true)).catch(() => {});
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    while (!settled) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()');
      if (rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await client.end();
  }
}
