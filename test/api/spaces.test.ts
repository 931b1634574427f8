import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const V1 = '/_matrix/client/v1';
const q = encodeURIComponent;
type Room = { room_id: string; children_state: { state_key: string; content: Record<string, unknown>; origin_server_ts: number; sender: string; type: string }[]; [k: string]: unknown };

forEachBackend('spaces: hierarchy and room summaries', (backend) => {
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

  const child = (space: string, roomId: string, content: Record<string, unknown>) => {
    s.clock.advance(1000);
    return r.putState(alice, space, 'm.space.child', content, roomId);
  };

  describe('GET /v1/rooms/{roomId}/hierarchy', () => {
    let space: string;
    let first: string;
    let second: string;
    let nested: string;
    let hidden: string;
    before(async () => {
      space = await r.createRoom(alice, { preset: 'public_chat', name: 'The Space', creation_content: { type: 'm.space' } });
      [first, second, nested, hidden] = [
        await r.createRoom(alice, { preset: 'public_chat', name: 'First' }),
        await r.createRoom(alice, { preset: 'public_chat', name: 'Second' }),
        await r.createRoom(alice, { preset: 'public_chat', name: 'Nested' }),
        await r.createRoom(alice, { preset: 'private_chat', name: 'Hidden' }),
      ];
      // Added second first: `order` decides, then time.
      await child(space, second, { via: ['hs.test'], order: 'b' });
      await child(space, first, { via: ['hs.test'], order: 'a', suggested: true });
      await child(space, hidden, { via: ['hs.test'] });
      await child(space, '!no-via:hs.test', { via: [] });
      await child(space, '!removed:hs.test', {});
      await child(first, nested, { via: ['hs.test'] });
      // A cycle is walked once.
      await child(nested, space, { via: ['hs.test'] });
    });

    async function hierarchy(user: TestUser, query = '') {
      const url = `${V1}/rooms/${q(space)}/hierarchy${query}`;
      const res = await s.request('GET', url, { token: user.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', url);
      return res.json() as { rooms: Room[]; next_batch?: string };
    }
    const ids = (h: { rooms: Room[] }) => h.rooms.map((x) => x.room_id);

    it('walks m.space.child events with a via, breadth first, by order then time; shows only rooms the user may see', async () => {
      const h = await hierarchy(bob);
      assert.deepEqual(ids(h), [space, first, second, nested]);
      assert.equal(h.next_batch, undefined);
      const top = h.rooms[0]!;
      assert.equal(top.name, 'The Space');
      assert.equal(top.room_type, 'm.space');
      assert.equal(top.join_rule, 'public');
      assert.equal(top.num_joined_members, 1);
      assert.equal(top.room_version, '10');
      assert.deepEqual(top.children_state.map((c) => c.state_key), [first, second, hidden], 'children without a via are none');
      assert.deepEqual(top.children_state[0], {
        type: 'm.space.child', state_key: first, content: { via: ['hs.test'], order: 'a', suggested: true }, sender: alice.userId,
        origin_server_ts: top.children_state[0]!.origin_server_ts,
      });
      assert.deepEqual(ids(await hierarchy(alice)), [space, first, second, hidden, nested], 'the member of the private room sees it');
    });

    it('suggested_only, max_depth, limit and from', async () => {
      assert.deepEqual(ids(await hierarchy(alice, '?suggested_only=true')), [space, first], 'nested is not a suggested child of first');
      assert.deepEqual(ids(await hierarchy(alice, '?max_depth=0')), [space]);
      assert.deepEqual(ids(await hierarchy(alice, '?max_depth=1')), [space, first, second, hidden]);
      const page1 = await hierarchy(alice, '?limit=2');
      assert.deepEqual(ids(page1), [space, first]);
      assert.ok(page1.next_batch);
      const page2 = await hierarchy(alice, `?limit=2&from=${q(page1.next_batch)}`);
      assert.deepEqual(ids(page2), [second, hidden]);
      const page3 = await hierarchy(alice, `?limit=2&from=${q(page2.next_batch!)}`);
      assert.deepEqual(page3, { rooms: (await hierarchy(alice)).rooms.slice(4) });
      for (const bad of [`?limit=2&suggested_only=true&from=${q(page1.next_batch)}`, '?from=nonsense']) {
        const url = `${V1}/rooms/${q(space)}/hierarchy${bad}`;
        assertMatrixError(await s.request('GET', url, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', url);
      }
    });

    it('a root the user may not see, or that does not exist, is 403 M_FORBIDDEN', async () => {
      for (const roomId of [hidden, '!nowhere:hs.test']) {
        const url = `${V1}/rooms/${q(roomId)}/hierarchy`;
        assertMatrixError(await s.request('GET', url, { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      }
    });
  });

  describe('GET /v1/room_summary/{roomIdOrAlias}', () => {
    const url = (target: string) => `${V1}/room_summary/${q(target)}`;

    it('a member gets the summary with their membership, the version and the encryption; by ID or alias', async () => {
      const roomId = await r.createRoom(alice, {
        preset: 'private_chat', name: 'Secret', topic: 'hush', room_alias_name: 'secret',
        initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
      });
      const expected = {
        room_id: roomId, name: 'Secret', topic: 'hush', canonical_alias: '#secret:hs.test', num_joined_members: 1, world_readable: false,
        guest_can_join: true, join_rule: 'invite', room_version: '10', encryption: 'm.megolm.v1.aes-sha2', membership: 'join',
      };
      for (const target of [roomId, '#secret:hs.test']) {
        const res = await s.request('GET', url(target), { token: alice.accessToken });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'GET', url(target));
        assert.deepEqual(res.json(), expected);
      }
      // An invitee sees it too, with their membership; a stranger and an anonymous caller do not.
      await r.invite(alice, roomId, bob);
      const invited = await s.request('GET', url(roomId), { token: bob.accessToken });
      assert.equal(invited.json().membership, 'invite');
      const carol = await s.createUser('carol');
      assertMatrixError(await s.request('GET', url(roomId), { token: carol.accessToken }), 404, 'M_NOT_FOUND', 'GET', url(roomId));
      assertMatrixError(await s.request('GET', url(roomId)), 404, 'M_NOT_FOUND', 'GET', url(roomId));
    });

    it('a public room is summarised without a token (no membership); unknown rooms and other servers\' aliases are 404', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Open' });
      const res = await s.request('GET', url(roomId));
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', url(roomId));
      assert.deepEqual(res.json(), { room_id: roomId, name: 'Open', num_joined_members: 1, world_readable: false, guest_can_join: false, join_rule: 'public', room_version: '10' });
      for (const target of ['!nowhere:hs.test', '#nothing:hs.test', '#remote:elsewhere.test']) {
        assertMatrixError(await s.request('GET', url(target), { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url(target));
      }
      assertMatrixError(await s.request('GET', url('nonsense'), { token: bob.accessToken }), 400, 'M_INVALID_PARAM', 'GET', url('nonsense'));
    });
  });
}, describe);
