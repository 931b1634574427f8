// The Store contract of finding a room's events by timestamp, on both backends: the direction,
// ties in stream order, the position bound and continuing after a batch.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { Store, StoredEvent } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const room = '!ts:hs' as RoomId;
const other = '!other:hs' as RoomId;
const alice = '@alice:hs' as UserId;

forEachBackend('Store contract: events by timestamp', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf, [room, other]);
  let store: Store;
  const stored: StoredEvent[] = [];
  before(async () => {
    store = storeOf();
    // Timestamps 100, 200, 200, 300 (two events at one time), and one of another room at 200.
    for (const ts of [100, 200, 200, 300]) {
      const event = await r.build(store, room, { type: 'm.room.message', sender: alice, content: { body: String(ts) } });
      stored.push(await store.events.append({ ...event, origin_server_ts: ts }));
    }
    const elsewhere = await r.build(store, other, { type: 'm.room.message', sender: alice });
    await store.events.append({ ...elsewhere, origin_server_ts: 200 });
  });
  const ids = (events: StoredEvent[]) => events.map((e) => e.event.event_id);
  const at = (...i: number[]) => i.map((n) => stored[n]!.event.event_id);

  it('forwards from ts (inclusive) earliest first, backwards latest first, ties in stream order; only the room', async () => {
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 150, dir: 'f', limit: 10 })), at(1, 2, 3));
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 200, dir: 'f', limit: 10 })), at(1, 2, 3));
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 200, dir: 'b', limit: 10 })), at(2, 1, 0));
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 99, dir: 'b', limit: 10 })), []);
  });

  it('up to a position, at most a limit, and after the last of a previous batch (a tie split across batches)', async () => {
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 0, dir: 'f', upTo: stored[1]!.pos, limit: 10 })), at(0, 1));
    const first = await store.events.byTimestamp(room, { ts: 0, dir: 'f', limit: 2 });
    assert.deepEqual(ids(first), at(0, 1));
    const last = first.at(-1)!;
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 0, dir: 'f', after: { ts: last.event.origin_server_ts, pos: last.pos }, limit: 2 })), at(2, 3));
    const back = stored[2]!;
    assert.deepEqual(ids(await store.events.byTimestamp(room, { ts: 1000, dir: 'b', after: { ts: 200, pos: back.pos }, limit: 5 })), at(1, 0));
  });
}, describe);
