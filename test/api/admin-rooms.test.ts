// The room side of Synapse's admin API (issue 19): the room list, state, blocking and deleting rooms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { rest, sync, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ADMIN = '/_synapse/admin';
const enc = encodeURIComponent;

forEachBackend('admin API: rooms', (backend) => {
  let s: TestServer;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true });
    admin = await s.createUser('root', { admin: true });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const call = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, user: TestUser, body?: unknown) =>
    s.request(method, `${ADMIN}${path}`, { token: user.accessToken, ...(body === undefined ? {} : { body }) });
  const ok = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', path: string, body?: unknown): Promise<Body> => {
    const res = await call(method, path, admin, body);
    assert.equal(res.statusCode, 200, `${method} ${path}: ${res.body}`);
    return res.json();
  };

  it('every room endpoint refuses a user who is not a server admin: 403 M_FORBIDDEN', async () => {
    const roomId = await rest(s).createRoom(alice);
    const r = enc(roomId);
    const calls: Array<[method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown]> = [
      ['GET', '/v1/rooms'], ['GET', `/v1/rooms/${r}/state`], ['GET', `/v1/rooms/${r}/block`], ['PUT', `/v1/rooms/${r}/block`, { block: true }],
      ['DELETE', `/v1/rooms/${r}`, {}], ['DELETE', `/v2/rooms/${r}`, {}], ['GET', `/v2/rooms/${r}/delete_status`], ['GET', '/v2/rooms/delete_status/abc'],
    ];
    for (const [method, path, body] of calls) {
      assertMatrixError(await call(method, path, alice, body), 403, 'M_FORBIDDEN', method, `${ADMIN}${path}`);
    }
    // Nothing happened: the room is still there and not blocked.
    assert.deepEqual(await ok('GET', `/v1/rooms/${r}/block`), { block: false });
    assert.equal((await ok('GET', `/v1/rooms/${r}`)).joined_members, 1);
  });

  it('GET /v1/rooms lists, orders, searches and pages rooms as Synapse does', async () => {
    const r = rest(s);
    const zebra = await r.createRoom(alice, { name: 'Zebra talk', room_alias_name: 'stripes', preset: 'public_chat' });
    await r.join(bob, zebra);
    const apple = await r.createRoom(bob, { name: 'apple pie', room_version: '9' });
    const list = await ok('GET', '/v1/rooms?search_term=E');
    // "E" is in both names, in any case.
    const ids = (list.rooms as Body[]).map((x) => x.room_id);
    assert.ok(ids.includes(zebra) && ids.includes(apple), list);
    const byName = await ok('GET', '/v1/rooms?search_term=stripes');
    assert.deepEqual(byName.rooms.map((x: Body) => x.room_id), [zebra], 'found by its alias');
    assert.deepEqual(byName.rooms[0], {
      room_id: zebra, name: 'Zebra talk', canonical_alias: '#stripes:hs.test', joined_members: 2, joined_local_members: 2,
      version: '10', creator: alice.userId, encryption: null, federatable: true, public: false, join_rules: 'public',
      guest_access: 'forbidden', history_visibility: 'shared', state_events: byName.rooms[0].state_events, room_type: null,
    });
    assert.ok(byName.rooms[0].state_events >= 7);
    assert.equal(byName.total_rooms, 1);
    assert.equal(byName.offset, 0);
    assert.equal(byName.next_batch, undefined);
    assert.deepEqual((await ok('GET', `/v1/rooms?search_term=${enc(apple)}`)).rooms.map((x: Body) => x.room_id), [apple], 'found by its ID');

    const named = (q: string) => ok('GET', `/v1/rooms?${q}`).then((b) => (b.rooms as Body[]).filter((x) => x.name !== null).map((x) => x.name));
    assert.deepEqual(await named('order_by=name'), ['Zebra talk', 'apple pie'], 'byte order, as SQL sorts text');
    assert.deepEqual(await named('order_by=name&dir=b'), ['apple pie', 'Zebra talk']);
    const bySize = await ok('GET', '/v1/rooms?order_by=joined_members');
    assert.equal(bySize.rooms[0].room_id, zebra, 'largest first');
    const byVersion = await ok('GET', '/v1/rooms?order_by=version&dir=b');
    assert.equal(byVersion.rooms[0].room_id, apple, 'version 9 is the smallest');

    const total = (await ok('GET', '/v1/rooms')).total_rooms as number;
    const first = await ok('GET', '/v1/rooms?limit=1');
    assert.equal(first.rooms.length, 1);
    assert.equal(first.next_batch, 1);
    assert.equal(first.prev_batch, undefined);
    const second = await ok('GET', '/v1/rooms?limit=1&from=1');
    assert.equal(second.offset, 1);
    assert.equal(second.prev_batch, 0);
    assert.notEqual(second.rooms[0].room_id, first.rooms[0].room_id);
    assert.equal(second.total_rooms, total);

    for (const q of ['order_by=colour', 'dir=x', 'limit=-1', 'from=abc']) {
      assertMatrixError(await call('GET', `/v1/rooms?${q}`, admin), 400, 'M_INVALID_PARAM', 'GET', `${ADMIN}/v1/rooms?${q}`);
    }
  });

  it('GET /v1/rooms/{roomId}/state: the current state events; unknown room 404', async () => {
    const roomId = await rest(s).createRoom(alice, { name: 'Stateful' });
    const { state } = await ok('GET', `/v1/rooms/${enc(roomId)}/state`);
    const types = (state as Body[]).map((e) => `${e.type}|${e.state_key}`).sort();
    assert.ok(types.includes('m.room.create|') && types.includes(`m.room.member|${alice.userId}`) && types.includes('m.room.name|'), types.join());
    assert.equal(state.find((e: Body) => e.type === 'm.room.name').content.name, 'Stateful');
    assert.ok(state.every((e: Body) => e.room_id === roomId && typeof e.event_id === 'string'));
    assertMatrixError(await call('GET', '/v1/rooms/!nope:hs.test/state', admin), 404, 'M_NOT_FOUND', 'GET', `${ADMIN}/v1/rooms/!nope/state`);
  });

  it('a blocked room refuses joins and invites (403), also one blocked before it existed; unblocking lets them in', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    const path = `/v1/rooms/${enc(roomId)}/block`;
    assert.deepEqual(await ok('PUT', path, { block: true }), { block: true });
    assert.deepEqual(await ok('GET', path), { block: true, user_id: admin.userId });
    const join = await s.request('POST', `${V3}/rooms/${enc(roomId)}/join`, { token: bob.accessToken, body: {} });
    assertMatrixError(join, 403, 'M_FORBIDDEN', 'POST', `${V3}/rooms/{roomId}/join`);
    const invite = await s.request('POST', `${V3}/rooms/${enc(roomId)}/invite`, { token: alice.accessToken, body: { user_id: bob.userId } });
    assertMatrixError(invite, 403, 'M_FORBIDDEN', 'POST', `${V3}/rooms/{roomId}/invite`);
    assert.equal((await s.app.store.memberships.get(roomId as RoomId, bob.userId)), undefined, 'no membership was written');
    // A member already in may still send.
    await r.send(alice, roomId, 'still here');

    assert.deepEqual(await ok('PUT', path, { block: false }), { block: false });
    assert.deepEqual(await ok('GET', path), { block: false });
    await r.join(bob, roomId);

    const future = '!future:hs.test';
    assert.deepEqual(await ok('PUT', `/v1/rooms/${enc(future)}/block`, { block: true }), { block: true });
    assert.deepEqual(await ok('GET', `/v1/rooms/${enc(future)}/block`), { block: true, user_id: admin.userId });
    assertMatrixError(await call('PUT', path, admin, { block: 'yes' }), 400, 'M_BAD_JSON', 'PUT', `${ADMIN}${path}`);
  });

  it('DELETE /v1/rooms/{roomId} without purge: members leave with the message as reason (in /sync), aliases and directory entry go, the block holds', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'doomed', visibility: 'public' });
    await r.join(bob, roomId);
    const carol = await s.createUser('carol');
    await r.invite(alice, roomId, carol);
    const since = (await sync(s, bob)).next_batch as string;
    const message = 'Closed for content violations';
    const answer = await ok('DELETE', `/v1/rooms/${enc(roomId)}`, { purge: false, block: true, message });
    assert.deepEqual({ ...answer, kicked_users: [...answer.kicked_users].sort() },
      { kicked_users: [alice.userId, bob.userId, carol.userId].sort(), failed_to_kick_users: [], local_aliases: ['#doomed:hs.test'], new_room_id: null });

    const bobSync = await sync(s, bob, { since });
    const left = bobSync.rooms.leave[roomId];
    assert.ok(left, JSON.stringify(bobSync.rooms));
    const leave = (left.timeline.events as Body[]).at(-1);
    assert.deepEqual([leave.type, leave.state_key, leave.sender, leave.content.membership, leave.content.reason], ['m.room.member', bob.userId, bob.userId, 'leave', message]);
    assert.equal((await s.app.store.memberships.get(roomId as RoomId, carol.userId))?.membership, 'leave', 'the invite is rejected');

    const alias = await s.request('GET', `${V3}/directory/room/${enc('#doomed:hs.test')}`, { token: bob.accessToken });
    assertMatrixError(alias, 404, 'M_NOT_FOUND', 'GET', `${V3}/directory/room/{roomAlias}`);
    const publicRooms = await r.ok('GET', '/publicRooms', bob);
    assert.ok(!(publicRooms.chunk as Body[]).some((x) => x.room_id === roomId));
    const rejoin = await s.request('POST', `${V3}/rooms/${enc(roomId)}/join`, { token: alice.accessToken, body: {} });
    assertMatrixError(rejoin, 403, 'M_FORBIDDEN', 'POST', `${V3}/rooms/{roomId}/join`);
    assert.equal((await ok('GET', `/v1/rooms/${enc(roomId)}`)).joined_members, 0, 'not purged: still listed');
  });

  it('DELETE /v1/rooms/{roomId} purges by default: no row mentions the room or its events, and it is gone from the list', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { room_alias_name: 'purged' });
    await r.invite(alice, roomId, bob);
    await r.join(bob, roomId);
    await r.send(bob, roomId, 'hello');
    const eventIds = (await s.app.store.events.page(roomId as RoomId, { dir: 'f', limit: 100 })).map((e) => e.event.event_id);
    const answer = await ok('DELETE', `/v1/rooms/${enc(roomId)}`, {});
    assert.deepEqual(answer.local_aliases, ['#purged:hs.test']);
    assert.equal(answer.kicked_users.length, 2);
    for (const id of [roomId, ...eventIds]) assert.deepEqual(await rowsMentioning(s.database, id), [], id);
    assert.ok(!((await ok('GET', '/v1/rooms')).rooms as Body[]).some((x) => x.room_id === roomId));
    assertMatrixError(await call('GET', `/v1/rooms/${enc(roomId)}`, admin), 404, 'M_NOT_FOUND', 'GET', `${ADMIN}/v1/rooms/{roomId}`);
    // Deleting it again: the room is unknown now.
    assertMatrixError(await call('DELETE', `/v1/rooms/${enc(roomId)}`, admin, {}), 400, 'M_INVALID_PARAM', 'DELETE', `${ADMIN}/v1/rooms/{roomId}`);
  });

  it('new_room_user_id: the members are moved to a new room with the message, where they cannot speak; aliases move with them', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'moving' });
    await r.join(bob, roomId);
    const answer = await ok('DELETE', `/v1/rooms/${enc(roomId)}`, { new_room_user_id: admin.userId, room_name: 'Notice', message: 'Moved here' });
    const newRoom = answer.new_room_id as string;
    assert.match(newRoom, /^!.+:hs\.test$/);
    assert.deepEqual(answer.local_aliases, ['#moving:hs.test']);
    const resolved = await r.ok('GET', `/directory/room/${enc('#moving:hs.test')}`, bob);
    assert.equal(resolved.room_id, newRoom);
    const details = await ok('GET', `/v1/rooms/${enc(newRoom)}`);
    assert.equal(details.name, 'Notice');
    assert.equal(details.joined_members, 3);
    const msgs = await r.messages(bob, newRoom);
    assert.ok((msgs.chunk as Body[]).some((e) => e.type === 'm.room.message' && e.content.body === 'Moved here' && e.sender === admin.userId));
    const speak = await s.request('PUT', `${V3}/rooms/${enc(newRoom)}/send/m.room.message/t1`, { token: bob.accessToken, body: { msgtype: 'm.text', body: 'hi' } });
    assertMatrixError(speak, 403, 'M_FORBIDDEN', 'PUT', `${V3}/rooms/{roomId}/send/{eventType}/{txnId}`);
    for (const bad of [{ new_room_user_id: '@x:elsewhere.test' }, { new_room_user_id: 'nobody' }]) {
      assertMatrixError(await call('DELETE', `/v1/rooms/${enc(newRoom)}`, admin, bad), 400, 'M_INVALID_PARAM', 'DELETE', `${ADMIN}/v1/rooms/{roomId}`);
    }
    assertMatrixError(await call('DELETE', `/v1/rooms/${enc(newRoom)}`, admin, { purge: 'yes' }), 400, 'M_BAD_JSON', 'DELETE', `${ADMIN}/v1/rooms/{roomId}`);
  });

  it('DELETE /v2/rooms/{roomId}: a job with a delete_id, its status by ID and by room; unknown IDs 404', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { room_alias_name: 'jobbed' });
    const { delete_id: deleteId } = await ok('DELETE', `/v2/rooms/${enc(roomId)}`, { message: 'bye' });
    assert.equal(typeof deleteId, 'string');
    await s.app.services.adminRooms.jobs.whenIdle();
    const expected = { status: 'complete', shutdown_room: { kicked_users: [alice.userId], failed_to_kick_users: [], local_aliases: ['#jobbed:hs.test'], new_room_id: null } };
    assert.deepEqual(await ok('GET', `/v2/rooms/delete_status/${enc(deleteId)}`), expected);
    assert.deepEqual(await ok('GET', `/v2/rooms/${enc(roomId)}/delete_status`), { results: [{ delete_id: deleteId, ...expected }] });
    assert.deepEqual(await rowsMentioning(s.database, `"${roomId}"`).then((rows) => rows.filter((x) => !x.startsWith('admin_jobs:'))), []);
    assertMatrixError(await call('GET', '/v2/rooms/delete_status/nope', admin), 404, 'M_NOT_FOUND', 'GET', `${ADMIN}/v2/rooms/delete_status/{id}`);
    assertMatrixError(await call('GET', `/v2/rooms/${enc('!none:hs.test')}/delete_status`, admin), 404, 'M_NOT_FOUND', 'GET', `${ADMIN}/v2/rooms/{roomId}/delete_status`);
    assertMatrixError(await call('DELETE', `/v2/rooms/${enc('!none:hs.test')}`, admin, {}), 400, 'M_INVALID_PARAM', 'DELETE', `${ADMIN}/v2/rooms/{roomId}`);
  });
}, describe);
