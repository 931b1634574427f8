import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const DAY = 86_400_000;

forEachBackend('LEAVING.md: account deactivation', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it('leaves and forgets every room, logs out every device, keeps rooms others use', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const shared = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, shared);
    const invitedTo = await r.createRoom(alice);
    await r.invite(alice, invitedTo, bob);
    const leftBefore = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, leftBefore);
    await r.leave(bob, leftBefore);
    const own = await r.createRoom(bob);
    await r.send(bob, own, 'only me here');

    const first = await s.request('POST', `${V3}/account/deactivate`, { token: bob.accessToken, body: {} });
    assert.equal(first.statusCode, 401);
    assertSpecResponse(first, 'POST', `${V3}/account/deactivate`);
    const wrong = await s.request('POST', `${V3}/account/deactivate`, {
      token: bob.accessToken, body: { auth: { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: bob.userId }, password: 'nope' } },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().errcode, 'M_FORBIDDEN');
    const done = await s.request('POST', `${V3}/account/deactivate`, {
      token: bob.accessToken, body: { auth: { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: bob.userId }, password: bob.password } },
    });
    assert.equal(done.statusCode, 200, done.body);
    assertSpecResponse(done, 'POST', `${V3}/account/deactivate`);

    const who = await s.request('GET', `${V3}/account/whoami`, { token: bob.accessToken });
    assert.equal(who.statusCode, 401);
    assert.equal(who.json().errcode, 'M_UNKNOWN_TOKEN');
    const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'bob', password: bob.password } });
    assert.equal(login.statusCode, 403);

    for (const roomId of [shared, invitedTo, leftBefore, own]) {
      const m = await s.app.store.memberships.get(roomId as never, bob.userId);
      assert.ok(m && m.forgotten, `forgotten: ${roomId}`);
      assert.ok(m.membership === 'leave' || m.membership === 'ban', `out of ${roomId}`);
    }
    const members = await r.ok('GET', `${r.room(shared)}/joined_members`, alice);
    assert.deepEqual(Object.keys(members.joined), [alice.userId]);

    // Bob's own room had only him: nothing holds it, so the purge takes it; the shared room stays.
    s.clock.advance(8 * DAY);
    await s.app.purger!.runOnce();
    assert.equal(await s.app.store.rooms.get(own as never), undefined);
    assert.ok(await s.app.store.rooms.get(shared as never));
    assert.equal((await r.messages(alice, shared)).chunk.length > 0, true);
  });
}, describe);

forEachBackend('admin room views', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it('admins see joined_local_members, members and `forgotten`; others get 403; unknown room 404', async () => {
    const r = rest(s);
    const admin = await s.createUser('root', { admin: true });
    const alice = await s.createUser('alice2');
    const roomId = await r.createRoom(alice, { name: 'Garden' });
    const path = `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}`;

    const view = await s.request('GET', path, { token: admin.accessToken });
    assert.equal(view.statusCode, 200);
    assert.equal(view.json().joined_local_members, 1);
    assert.equal(view.json().name, 'Garden');
    assert.equal(view.json().forgotten, false);
    const members = await s.request('GET', `${path}/members`, { token: admin.accessToken });
    assert.deepEqual(members.json(), { members: [alice.userId], total: 1 });

    await r.leave(alice, roomId);
    assert.equal((await s.request('GET', path, { token: admin.accessToken })).json().forgotten, false);
    await r.forget(alice, roomId);
    const after = (await s.request('GET', path, { token: admin.accessToken })).json();
    assert.equal(after.forgotten, true);
    assert.equal(after.joined_local_members, 0);

    for (const p of [path, `${path}/members`]) {
      const denied = await s.request('GET', p, { token: alice.accessToken });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().errcode, 'M_FORBIDDEN');
    }
    const unknown = await s.request('GET', '/_synapse/admin/v1/rooms/!nope:hs.test', { token: admin.accessToken });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().errcode, 'M_NOT_FOUND');
  });
}, describe);
