import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rest } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('/sync never sends anything past its next_batch', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('a leave committed while a sync is being computed comes exactly once, with the next sync', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await r.ok('GET', '/sync', bob);
    await r.send(alice, roomId, 'hello');

    // Bob leaves after this sync has read its position but before it looks at his rooms.
    const events = s.app.store.events;
    const original = events.activeRoomsOf.bind(events);
    let armed = true;
    events.activeRoomsOf = async (userId, afterPos) => {
      if (armed) {
        armed = false;
        await r.leave(bob, roomId, { reason: 'mid-sync' });
      }
      return original(userId, afterPos);
    };
    try {
      const second = await r.ok('GET', `/sync?since=${first.next_batch}`, bob);
      const third = await r.ok('GET', `/sync?since=${second.next_batch}`, bob);
      const leaves = [second, third].flatMap((sync) =>
        [...(sync.rooms.join[roomId]?.timeline.events ?? []), ...(sync.rooms.leave[roomId]?.timeline.events ?? [])]
          .filter((e: { type: string; content: { membership?: string } }) => e.type === 'm.room.member' && e.content.membership === 'leave'));
      assert.equal(leaves.length, 1, 'the leave is delivered exactly once');
      assert.ok(third.rooms.leave[roomId], 'and by the sync after the one it raced');
      const messages = second.rooms.join[roomId].timeline.events.filter((e: { content: { body?: string } }) => e.content.body === 'hello');
      assert.equal(messages.length, 1, 'the message before the leave is not lost');
    } finally {
      events.activeRoomsOf = original;
    }
  });
});
