// Synapse's purge history admin API: timeline events before a point go (local ones only when asked);
// state events never do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, type Body } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ADMIN = '/_synapse/admin/v1';
const enc = encodeURIComponent;

forEachBackend('admin API: purge history', (backend) => {
  let s: TestServer;
  let admin: TestUser;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    admin = await s.createUser('root', { admin: true });
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  const purge = async (path: string, body: unknown) => {
    const res = await s.request('POST', `${ADMIN}/purge_history/${path}`, { token: admin.accessToken, body });
    assert.equal(res.statusCode, 200, res.body);
    const purgeId = res.json().purge_id as string;
    await s.app.services.adminRooms.jobs.whenIdle();
    const status = await s.request('GET', `${ADMIN}/purge_history_status/${enc(purgeId)}`, { token: admin.accessToken });
    assert.equal(status.statusCode, 200, status.body);
    return status.json();
  };
  const eventsOf = async (roomId: string) => (await s.app.store.events.page(roomId as RoomId, { dir: 'f', limit: 100 })).map((e) => e.event);

  it('up to an event: nothing without delete_local_events (every event here is local); with it, the messages before it, never state', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice, { name: 'History' });
    const old = [await r.send(alice, roomId, 'one'), await r.send(alice, roomId, 'two')];
    await r.putState(alice, roomId, 'm.room.topic', { topic: 'kept' });
    const point = await r.send(alice, roomId, 'three');
    const before = await eventsOf(roomId);

    assert.deepEqual(await purge(enc(roomId), { purge_up_to_event_id: point }), { status: 'complete' });
    assert.deepEqual(await eventsOf(roomId), before, 'remote events only: none here');

    assert.deepEqual(await purge(`${enc(roomId)}/${enc(point)}`, { delete_local_events: true }), { status: 'complete' });
    const afterPurge = await eventsOf(roomId);
    assert.deepEqual(afterPurge.map((e) => e.event_id), before.filter((e) => !old.includes(e.event_id)).map((e) => e.event_id));
    assert.ok(afterPurge.every((e) => e.state_key !== undefined || e.event_id === point), 'only state and the point itself are left before it');
    const msgs = await r.messages(alice, roomId);
    assert.deepEqual((msgs.chunk as Body[]).filter((e) => e.type === 'm.room.message').map((e) => e.content.body), ['three']);
    assert.equal((await s.app.store.state.currentEvent(roomId as RoomId, 'm.room.topic', ''))?.event.content.topic, 'kept');
  });

  it('up to a time; errors: no point, an event of another room, an unknown room or purge ID, a non-admin', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice);
    await r.send(alice, roomId, 'early');
    s.clock.advance(60_000);
    const cut = s.clock.now();
    await r.send(alice, roomId, 'late');
    assert.deepEqual(await purge(enc(roomId), { purge_up_to_ts: cut, delete_local_events: true }), { status: 'complete' });
    assert.deepEqual((await eventsOf(roomId)).filter((e) => e.type === 'm.room.message').map((e) => e.content.body), ['late']);
    assert.ok((await eventsOf(roomId)).some((e) => e.type === 'm.room.create'));

    const other = await r.createRoom(alice);
    const foreign = await r.send(alice, other, 'elsewhere');
    const url = `${ADMIN}/purge_history/{roomId}`;
    const call = (path: string, body: unknown, user = admin) => s.request('POST', `${ADMIN}/purge_history/${path}`, { token: user.accessToken, body });
    assertMatrixError(await call(enc(roomId), {}), 400, 'M_INVALID_PARAM', 'POST', url);
    assertMatrixError(await call(enc(roomId), { purge_up_to_event_id: foreign, delete_local_events: true }), 400, 'M_INVALID_PARAM', 'POST', url);
    assertMatrixError(await call(enc(roomId), { purge_up_to_ts: cut, delete_local_events: 'yes' }), 400, 'M_BAD_JSON', 'POST', url);
    assertMatrixError(await call(enc('!none:hs.test'), { purge_up_to_ts: cut }), 404, 'M_NOT_FOUND', 'POST', url);
    assertMatrixError(await call(enc(other), { purge_up_to_ts: s.clock.now() + 1, delete_local_events: true }, alice), 403, 'M_FORBIDDEN', 'POST', url);
    assert.ok((await eventsOf(other)).some((e) => e.event_id === foreign), 'refused: nothing purged');
    const status = await s.request('GET', `${ADMIN}/purge_history_status/nope`, { token: admin.accessToken });
    assertMatrixError(status, 404, 'M_NOT_FOUND', 'GET', `${ADMIN}/purge_history_status/{id}`);
    assertMatrixError(await s.request('GET', `${ADMIN}/purge_history_status/nope`, { token: alice.accessToken }), 403, 'M_FORBIDDEN', 'GET', `${ADMIN}/purge_history_status/{id}`);
  });
}, describe);
