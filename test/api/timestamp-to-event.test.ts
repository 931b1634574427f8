import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const url = (roomId: string, ts: number, dir: string) => `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/timestamp_to_event?ts=${ts}&dir=${dir}`;

forEachBackend('GET /v1/rooms/{roomId}/timestamp_to_event', (backend) => {
  describe('the nearest event the requester may see', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let alice: TestUser;
    let bob: TestUser;
    before(async () => {
      s = await startTestServer({ backend });
      r = rest(s);
      alice = await s.createUser('alice');
      bob = await s.createUser('bob');
    });
    after(() => s.close());

    async function closest(user: TestUser, roomId: string, ts: number, dir: 'f' | 'b') {
      const res = await s.request('GET', url(roomId, ts, dir), { token: user.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', url(roomId, ts, dir));
      return res.json() as { event_id: string; origin_server_ts: number };
    }

    it('forwards: the first event at or after ts; backwards: the last at or before it; none: 404 M_NOT_FOUND', async () => {
      const roomId = await r.createRoom(alice);
      s.clock.advance(10_000);
      const t1 = s.clock.now();
      const first = await r.send(alice, roomId, 'one');
      s.clock.advance(10_000);
      const t2 = s.clock.now();
      const second = await r.send(alice, roomId, 'two');
      assert.deepEqual(await closest(alice, roomId, t1, 'f'), { event_id: first, origin_server_ts: t1 });
      assert.deepEqual(await closest(alice, roomId, t1 + 1, 'f'), { event_id: second, origin_server_ts: t2 });
      assert.deepEqual(await closest(alice, roomId, t2 - 1, 'b'), { event_id: first, origin_server_ts: t1 });
      assert.deepEqual(await closest(alice, roomId, t2 + 5000, 'b'), { event_id: second, origin_server_ts: t2 });
      const none = url(roomId, t2 + 1, 'f');
      assertMatrixError(await s.request('GET', none, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', none);
    });

    it('a departed user is answered from before their leave; a stranger is 403 M_FORBIDDEN', async () => {
      const roomId = await r.createRoom(alice, { preset: 'private_chat' });
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      s.clock.advance(1000);
      const seen = await r.send(alice, roomId, 'seen by bob');
      await r.leave(bob, roomId);
      s.clock.advance(1000);
      await r.send(alice, roomId, 'after bob left');
      const latest = s.clock.now() + 1000;
      // Bob's own leave is the last event he may see.
      const leaveId = (await s.app.store.memberships.get(roomId as never, bob.userId))!.eventId;
      assert.equal((await closest(bob, roomId, latest, 'b')).event_id, leaveId);
      assert.notEqual((await closest(alice, roomId, latest, 'b')).event_id, leaveId);
      const afterSeen = url(roomId, s.clock.now(), 'f');
      assertMatrixError(await s.request('GET', afterSeen, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', afterSeen);
      assert.equal(typeof seen, 'string');
      const carol = await s.createUser('carol');
      const denied = url(roomId, 0, 'f');
      assertMatrixError(await s.request('GET', denied, { token: carol.accessToken }), 403, 'M_FORBIDDEN', 'GET', denied);
    });

    it('history the joiner may not see (joined visibility) is passed over, beyond one batch of candidates', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat', initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }] });
      // Until the setting is made the room is `shared` (the spec's default): the creation events are visible to joiners.
      const setting = (await s.app.store.state.currentEvent(roomId as never, 'm.room.history_visibility', ''))!.event.event_id;
      s.clock.advance(1000);
      const hidden = s.clock.now();
      for (let i = 0; i < 60; i++) await r.send(alice, roomId, `before ${i}`);
      s.clock.advance(1000);
      await r.join(bob, roomId);
      const joinId = (await s.app.store.memberships.get(roomId as never, bob.userId))!.eventId;
      assert.equal((await closest(bob, roomId, hidden, 'f')).event_id, joinId);
      assert.equal((await closest(bob, roomId, s.clock.now() - 1, 'b')).event_id, setting);
      assert.notEqual((await closest(alice, roomId, s.clock.now() - 1, 'b')).event_id, setting);
    });

    it('a bad dir or ts is 400 M_INVALID_PARAM', async () => {
      const roomId = await r.createRoom(alice);
      for (const bad of [url(roomId, 0, 'x'), `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/timestamp_to_event?ts=soon&dir=f`]) {
        assertMatrixError(await s.request('GET', bad, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', bad);
      }
    });
  });
}, describe);
