import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('LEAVING.md: forgetting automatically (forget_rooms_on_leave)', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, config: { forget_rooms_on_leave: true } });
  });
  after(() => s.close());

  it('capabilities report it; leave, kick and ban forget; the leave still reaches every device', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const caps = await r.ok('GET', '/capabilities', bob);
    assert.deepEqual(caps.capabilities['m.forget_forced_upon_leave'], { enabled: true });

    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'bob', password: bob.password } });
    const phone = { ...bob, accessToken: login.json().access_token as string };
    const laptopSync = await r.ok('GET', '/sync', bob);
    const phoneSync = await r.ok('GET', '/sync', phone);

    await r.leave(bob, roomId, { reason: 'done' });
    assert.equal((await s.app.store.memberships.get(roomId as never, bob.userId))?.forgotten, true);
    for (const [device, since] of [[bob, laptopSync.next_batch], [phone, phoneSync.next_batch]] as const) {
      const next = await r.ok('GET', `/sync?since=${since}`, device);
      assert.equal(next.rooms.leave[roomId].timeline.events.at(-1).content.reason, 'done');
    }
    const initial = await r.ok('GET', `/sync?filter=${encodeURIComponent('{"room":{"include_leave":true}}')}`, bob);
    assert.equal(initial.rooms.leave[roomId], undefined, 'forgotten: not in an initial sync');
    const history = await s.request('GET', `${V3}/rooms/${roomId}/messages`, { token: bob.accessToken });
    assert.equal(history.statusCode, 403);

    const carol = await s.createUser('carol');
    const dave = await s.createUser('dave');
    await r.join(carol, roomId);
    await r.join(dave, roomId);
    await r.kick(alice, roomId, carol);
    await r.ban(alice, roomId, dave);
    assert.equal((await s.app.store.memberships.get(roomId as never, carol.userId))?.forgotten, true);
    assert.equal((await s.app.store.memberships.get(roomId as never, dave.userId))?.forgotten, true);
  });
}, describe);

describe('forget_rooms_on_leave off (the default)', () => {
  it('capabilities say so and a leave does not forget', async () => {
    const s = await startTestServer();
    const r = rest(s);
    const alice = await s.createUser('alice');
    const caps = await r.ok('GET', '/capabilities', alice);
    assert.deepEqual(caps.capabilities['m.forget_forced_upon_leave'], { enabled: false });
    const roomId = await r.createRoom(alice);
    await r.leave(alice, roomId);
    assert.equal((await s.app.store.memberships.get(roomId as never, alice.userId))?.forgotten, false);
    await s.close();
  });
});
