import assert from 'node:assert/strict';
import { it } from 'node:test';
import { rest } from '../helpers/rest.js';
import { startTestServer } from '../helpers/test-server.js';

it('a write that commits while /sync is between its sequence check and notifier.wait is not missed', async () => {
  const s = await startTestServer({ backend: 'sqlite', realClock: true });
  try {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await r.ok('GET', '/sync?timeout=0', bob);
    const memberships = s.app.store.memberships as unknown as { roomsOf: (...a: unknown[]) => Promise<unknown> };
    const original = memberships.roomsOf.bind(memberships);
    let armed = true;
    memberships.roomsOf = async (...args: unknown[]) => {
      const result = await original(...args);
      if (armed && Array.isArray(args[1]) && args[1].length === 5 && /SyncService\.sync/.test(new Error().stack ?? '')) {
        armed = false;
        await r.send(alice, roomId, 'sent while the long-poll was getting ready to wait');
      }
      return result;
    };
    const t0 = Date.now();
    const res = await s.request('GET', `/_matrix/client/v3/sync?timeout=5000&since=${first.next_batch}`, { token: bob.accessToken });
    const took = Date.now() - t0;
    const body = res.json();
    const events = body.rooms?.join?.[roomId]?.timeline?.events ?? [];
    console.log('took', took, 'ms; armed still', armed, 'events', events.map((e: { content: { body?: string } }) => e.content.body));
    assert.equal(armed, false, 'the window was hit');
    assert.ok(took < 2000, `the long-poll slept ${took} ms although a message arrived`);
  } finally {
    await s.close();
  }
});
