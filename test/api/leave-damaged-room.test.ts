import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rawExec } from '../helpers/db-scan.js';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('LEAVING.md: a leave succeeds even if the room state is damaged', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true });
  });
  after(() => s.close());
  const database = () => s.database;

  async function leaveAndCheck(roomId: string, token: string, userId: string) {
    const res = await s.request('POST', `${V3}/rooms/${roomId}/leave`, { token, body: { reason: 'get me out' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const m = await s.app.store.memberships.get(roomId as never, userId as never);
    assert.equal(m?.membership, 'leave');
    const joined = await s.request('GET', `${V3}/joined_rooms`, { token });
    assert.ok(!joined.json().joined_rooms.includes(roomId));
  }

  it('missing create and power-levels state', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await rawExec(database(), "DELETE FROM state_entries WHERE room_id = $1 AND type IN ('m.room.create', 'm.room.power_levels')", [roomId]);
    await leaveAndCheck(roomId, bob.accessToken, bob.userId);
  });

  it('corrupt (unparseable) power-levels and membership events', async () => {
    const r = rest(s);
    const carol = await s.createUser('carol');
    const dave = await s.createUser('dave');
    const roomId = await r.createRoom(carol, { preset: 'public_chat' });
    await r.join(dave, roomId);
    await rawExec(database(), "UPDATE events SET json = '{broken' WHERE room_id = $1 AND type IN ('m.room.power_levels', 'm.room.member')", [roomId]);
    await leaveAndCheck(roomId, dave.accessToken, dave.userId);
  });
}, describe);
