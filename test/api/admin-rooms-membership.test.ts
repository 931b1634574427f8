// Synapse's admin API: make_room_admin and the admin join (POST /_synapse/admin/v1/join/{roomIdOrAlias}).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ADMIN = '/_synapse/admin/v1';
const enc = encodeURIComponent;

forEachBackend('admin API: make_room_admin and join', (backend) => {
  let s: TestServer;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    admin = await s.createUser('root', { admin: true });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const post = (path: string, user: TestUser, body: unknown) => s.request('POST', `${ADMIN}${path}`, { token: user.accessToken, body });
  const powerLevels = async (roomId: string) => (await s.app.store.state.currentEvent(roomId as RoomId, 'm.room.power_levels', ''))!.event;
  const membership = async (roomId: string, user: TestUser) => (await s.app.store.memberships.get(roomId as RoomId, user.userId))?.membership;

  it('make_room_admin: the user gets the most powerful local member\'s level, sent by that member, and an invite to a private room', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { room_alias_name: 'private-one' });
    const res = await post(`/rooms/${enc('#private-one:hs.test')}/make_room_admin`, admin, { user_id: bob.userId });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const levels = await powerLevels(roomId);
    assert.equal(levels.sender, alice.userId);
    assert.equal((levels.content.users as Record<string, number>)[bob.userId], 100);
    assert.equal(await membership(roomId, bob), 'invite');
    // Bob accepts and may now do what only the most powerful may.
    await r.join(bob, roomId);
    await r.putState(bob, roomId, 'm.room.power_levels', { ...levels.content, users_default: 0 });

    // Without a body: the calling admin is the one made admin.
    const own = await post(`/rooms/${enc(roomId)}/make_room_admin`, admin, {});
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(((await powerLevels(roomId)).content.users as Record<string, number>)[admin.userId], 100);
  });

  it('make_room_admin: 400 when no local member may change the power levels, 404 for an unknown room, 403 for a non-admin', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice);
    await r.leave(alice, roomId);
    const before = await powerLevels(roomId);
    assertMatrixError(await post(`/rooms/${enc(roomId)}/make_room_admin`, admin, { user_id: bob.userId }), 400, 'M_INVALID_PARAM', 'POST', `${ADMIN}/rooms/{roomId}/make_room_admin`);
    assert.equal((await powerLevels(roomId)).event_id, before.event_id, 'nothing was sent');
    assertMatrixError(await post(`/rooms/${enc('!none:hs.test')}/make_room_admin`, admin, {}), 404, 'M_NOT_FOUND', 'POST', `${ADMIN}/rooms/{roomId}/make_room_admin`);
    assertMatrixError(await post(`/rooms/${enc(roomId)}/make_room_admin`, admin, { user_id: '@x:elsewhere.test' }), 400, 'M_INVALID_PARAM', 'POST', `${ADMIN}/rooms/{roomId}/make_room_admin`);
    assertMatrixError(await post(`/rooms/${enc(roomId)}/make_room_admin`, bob, {}), 403, 'M_FORBIDDEN', 'POST', `${ADMIN}/rooms/{roomId}/make_room_admin`);
  });

  it('join: a public room is joined directly; a private one only through an admin in it, who invites; a blocked one never', async () => {
    const r = rest(s);
    const open = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'open-door' });
    const joined = await post(`/join/${enc('#open-door:hs.test')}`, admin, { user_id: bob.userId });
    assert.equal(joined.statusCode, 200, joined.body);
    assert.deepEqual(joined.json(), { room_id: open });
    assert.equal(await membership(open, bob), 'join');

    const closed = await r.createRoom(alice);
    assertMatrixError(await post(`/join/${enc(closed)}`, admin, { user_id: bob.userId }), 403, 'M_FORBIDDEN', 'POST', `${ADMIN}/join/{roomId}`);
    assert.equal(await membership(closed, bob), undefined);
    const adminsRoom = await r.createRoom(admin);
    const viaAdmin = await post(`/join/${enc(adminsRoom)}`, admin, { user_id: bob.userId });
    assert.equal(viaAdmin.statusCode, 200, viaAdmin.body);
    assert.equal(await membership(adminsRoom, bob), 'join');
    const invite = (await s.app.store.events.page(adminsRoom as RoomId, { dir: 'b', limit: 2 }))[1]!.event;
    assert.deepEqual([invite.sender, invite.state_key, invite.content.membership], [admin.userId, bob.userId, 'invite']);

    const carol = await s.createUser('carol');
    await s.request('PUT', `${ADMIN}/rooms/${enc(open)}/block`, { token: admin.accessToken, body: { block: true } });
    assertMatrixError(await post(`/join/${enc(open)}`, admin, { user_id: carol.userId }), 403, 'M_FORBIDDEN', 'POST', `${ADMIN}/join/{roomId}`);
    assert.equal(await membership(open, carol), undefined);

    assertMatrixError(await post(`/join/${enc(open)}`, admin, {}), 400, 'M_INVALID_PARAM', 'POST', `${ADMIN}/join/{roomId}`);
    assertMatrixError(await post(`/join/${enc(open)}`, admin, { user_id: '@ghost:hs.test' }), 404, 'M_NOT_FOUND', 'POST', `${ADMIN}/join/{roomId}`);
    assertMatrixError(await post(`/join/${enc('#nowhere:hs.test')}`, admin, { user_id: carol.userId }), 404, 'M_NOT_FOUND', 'POST', `${ADMIN}/join/{roomId}`);
    assertMatrixError(await post(`/join/${enc(open)}`, bob, { user_id: carol.userId }), 403, 'M_FORBIDDEN', 'POST', `${ADMIN}/join/{roomId}`);
    const check = await s.request('GET', `${V3}/joined_rooms`, { token: carol.accessToken });
    assert.deepEqual(check.json(), { joined_rooms: [] });
  });
}, describe);
