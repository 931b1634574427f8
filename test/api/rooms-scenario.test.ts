import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('scenario: a private room, a kick, and what each user can read', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it('alice invites bob, both talk, carol cannot read; bob is kicked and reads up to his kick only', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const carol = await s.createUser('carol');

    const roomId = await r.createRoom(alice, { preset: 'private_chat', name: 'Secret plans' });
    await r.invite(alice, roomId, bob);
    await r.join(bob, roomId);
    const fromAlice = await r.send(alice, roomId, 'hello bob');
    const fromBob = await r.send(bob, roomId, 'hello alice');

    const msgs = await s.request('GET', `${V3}/rooms/${roomId}/messages?dir=b&limit=50`, { token: bob.accessToken });
    assert.equal(msgs.statusCode, 200);
    assertSpecResponse(msgs, 'GET', `${V3}/rooms/${roomId}/messages`);
    const bodies = msgs.json().chunk.filter((e: { type: string }) => e.type === 'm.room.message').map((e: { content: { body: string } }) => e.content.body);
    assert.deepEqual(bodies, ['hello alice', 'hello bob']);

    for (const path of [`/rooms/${roomId}/messages`, `/rooms/${roomId}/state`, `/rooms/${roomId}/members`, `/rooms/${roomId}/joined_members`]) {
      const res = await s.request('GET', `${V3}${path}`, { token: carol.accessToken });
      assert.equal(res.statusCode, 403, path);
      assert.equal(res.json().errcode, 'M_FORBIDDEN', path);
    }
    const carolEvent = await s.request('GET', `${V3}/rooms/${roomId}/event/${encodeURIComponent(fromAlice)}`, { token: carol.accessToken });
    assert.equal(carolEvent.statusCode, 404);
    assert.equal(carolEvent.json().errcode, 'M_NOT_FOUND');

    await r.kick(alice, roomId, bob, 'too chatty');
    const afterKick = await r.send(alice, roomId, 'bob is gone');
    await r.putState(alice, roomId, 'm.room.topic', { topic: 'after the kick' });

    const bobView = await s.request('GET', `${V3}/rooms/${roomId}/messages?dir=b&limit=50`, { token: bob.accessToken });
    assert.equal(bobView.statusCode, 200);
    const seen = bobView.json().chunk.map((e: { event_id: string }) => e.event_id);
    assert.ok(seen.includes(fromAlice) && seen.includes(fromBob));
    assert.ok(!seen.includes(afterKick));
    const kick = bobView.json().chunk[0];
    assert.equal(kick.type, 'm.room.member');
    assert.equal(kick.content.membership, 'leave');
    assert.equal(kick.content.reason, 'too chatty');

    const event = await s.request('GET', `${V3}/rooms/${roomId}/event/${encodeURIComponent(afterKick)}`, { token: bob.accessToken });
    assert.equal(event.statusCode, 404);
    const old = await s.request('GET', `${V3}/rooms/${roomId}/event/${encodeURIComponent(fromAlice)}`, { token: bob.accessToken });
    assert.equal(old.statusCode, 200);
    assertSpecResponse(old, 'GET', `${V3}/rooms/${roomId}/event/${fromAlice}`);
    assert.equal(old.json().content.body, 'hello bob');

    const topic = await s.request('GET', `${V3}/rooms/${roomId}/state/m.room.topic`, { token: bob.accessToken });
    assert.equal(topic.statusCode, 404);
    const state = await s.request('GET', `${V3}/rooms/${roomId}/state`, { token: bob.accessToken });
    assert.equal(state.statusCode, 200);
    assertSpecResponse(state, 'GET', `${V3}/rooms/${roomId}/state`);
    const bobMember = state.json().find((e: { type: string; state_key: string }) => e.type === 'm.room.member' && e.state_key === bob.userId);
    assert.equal(bobMember.content.membership, 'leave');
    assert.equal(state.json().some((e: { type: string }) => e.type === 'm.room.topic'), false);
  });
}, describe);
