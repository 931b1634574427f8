// A /sync long-poll whose news is committed past the readable position (a lower position is still
// being written, in a room the user is not in) is woken by that other write's announcement, not left
// to its timeout. SQLite has one writer: nothing is ever committed past the readable position there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { latch, roomEvents } from '../helpers/room-store.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('/sync and positions still being written', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, realClock: true });
  });
  after(() => s.close());
  const elsewhere = '!elsewhere:hs' as RoomId;
  const raw = roomEvents(() => s.app.store);

  it('a long-poll held back by a write in another room wakes when that write is announced', {
    skip: backend === 'sqlite' ? 'SQLite has one writer: positions commit in order' : false, timeout: 120_000,
  }, async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    const { next_batch: since } = await sync(s, alice, 'set_presence=offline');
    await raw.createRoom(elsewhere);

    // A writer of another room (another process, say) holds a lower position open.
    const appended = latch();
    const held = latch();
    const other = s.app.store.transaction(async (tx) => {
      const e = await raw.append(elsewhere, { type: 'm.room.message', sender: alice.userId as UserId, content: { body: 'elsewhere' } }, tx);
      appended.open();
      await held.done;
      return e;
    });
    try {
      await appended.done;
      const eventId = await r.send(alice, roomId, 'held back');

      // The long-poll finds the message past the readable position; it waits once it has checked for that.
      const events = s.app.store.events;
      const maxPos = events.maxPos.bind(events);
      const waiting = latch();
      events.maxPos = async () => {
        const pos = await maxPos();
        setImmediate(waiting.open);
        return pos;
      };
      const wakeups = s.app.services.notifier.wakeups;
      const poll = s.request('GET', `${V3}/sync?timeout=60000&set_presence=offline&since=${encodeURIComponent(since)}`, { token: alice.accessToken });
      await waiting.done;
      events.maxPos = maxPos;

      held.open();
      const stored = await other;
      s.app.services.notifier.announce({ pos: stored.pos, roomId: elsewhere, event: true });
      const res = await poll;
      assert.equal(res.statusCode, 200, res.body);
      const timeline = (res.json() as { rooms: { join: Record<string, { timeline: { events: Array<{ event_id: string }> } }> } }).rooms.join[roomId]!.timeline.events;
      assert.deepEqual(timeline.map((e) => e.event_id), [eventId]);
      assert.equal(s.app.services.notifier.wakeups, wakeups + 1, 'woken by the other room\'s write, not by its timeout');
    } finally {
      held.open();
    }
  });
}, describe);
