import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend, type BackendName } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError as assertError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const q = encodeURIComponent;
const aliasUrl = (alias: string) => `${V3}/directory/room/${q(alias)}`;
const listUrl = (roomId: string) => `${V3}/directory/list/room/${q(roomId)}`;

type Entry = {
  room_id: string; name?: string; topic?: string; num_joined_members: number; world_readable: boolean; guest_can_join: boolean;
  join_rule?: string; canonical_alias?: string; avatar_url?: string; room_type?: string;
};
type PublicRooms = { chunk: Entry[]; next_batch?: string; prev_batch?: string; total_room_count_estimate?: number };

/** A server that lists its directory without a token too (off by default: the last tests here check that). */
async function server(backend: BackendName): Promise<{ s: TestServer; r: ReturnType<typeof rest> }> {
  const s = await startTestServer({ backend, config: { allow_public_rooms_without_auth: true } });
  return { s, r: rest(s) };
}

forEachBackend('room aliases and the room directory', (backend) => {
  describe('aliases', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    let admin: TestUser;
    before(async () => {
      ({ s, r } = await server(backend));
      alice = await s.createUser('alice');
      bob = await s.createUser('bob');
      carol = await s.createUser('carol');
      admin = await s.createUser('admin', { admin: true });
    });
    after(() => s.close());

    it('PUT creates an alias, GET resolves it (without authentication), the room lists it', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const alias = '#hangout:hs.test';
      const put = await s.request('PUT', aliasUrl(alias), { token: alice.accessToken, body: { room_id: roomId } });
      assert.equal(put.statusCode, 200, put.body);
      assertSpecResponse(put, 'PUT', aliasUrl(alias));
      assert.deepEqual(put.json(), {});

      const get = await s.request('GET', aliasUrl(alias));
      assert.equal(get.statusCode, 200, get.body);
      assertSpecResponse(get, 'GET', aliasUrl(alias));
      assert.deepEqual(get.json(), { room_id: roomId, servers: ['hs.test'] });

      const listUrl = `${V3}/rooms/${q(roomId)}/aliases`;
      const list = await s.request('GET', listUrl, { token: alice.accessToken });
      assert.equal(list.statusCode, 200, list.body);
      assertSpecResponse(list, 'GET', listUrl);
      assert.deepEqual(list.json(), { aliases: [alias] });

      // The alias works for joining.
      const join = await s.request('POST', `${V3}/join/${q(alias)}`, { token: bob.accessToken, body: {} });
      assert.equal(join.statusCode, 200, join.body);
      assert.equal(join.json().room_id, roomId);
    });

    it('a taken alias is 409 M_UNKNOWN, even for the same room', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const other = await r.createRoom(bob, { preset: 'public_chat' });
      const alias = '#taken:hs.test';
      await r.ok('PUT', `/directory/room/${q(alias)}`, alice, { room_id: roomId });
      for (const [user, target] of [[bob, other], [alice, roomId]] as const) {
        const res = await s.request('PUT', aliasUrl(alias), { token: user.accessToken, body: { room_id: target } });
        assertError(res, 409, 'M_UNKNOWN', 'PUT', aliasUrl(alias));
      }
      assert.equal((await s.request('GET', aliasUrl(alias))).json().room_id, roomId);
    });

    it('an alias made by createRoom (room_alias_name) resolves and is taken', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'from-create' });
      const get = await s.request('GET', aliasUrl('#from-create:hs.test'));
      assert.equal(get.statusCode, 200);
      assert.equal(get.json().room_id, roomId);
      const canonical = await r.ok('GET', `/rooms/${q(roomId)}/state/m.room.canonical_alias`, alice);
      assert.deepEqual(canonical, { alias: '#from-create:hs.test' });
      const again = await s.request('PUT', aliasUrl('#from-create:hs.test'), { token: alice.accessToken, body: { room_id: roomId } });
      assertError(again, 409, 'M_UNKNOWN', 'PUT', aliasUrl('#from-create:hs.test'));
      const createAgain = await s.request('POST', `${V3}/createRoom`, { token: bob.accessToken, body: { room_alias_name: 'from-create' } });
      assertError(createAgain, 400, 'M_ROOM_IN_USE', 'POST', `${V3}/createRoom`);
    });

    it('m.room.canonical_alias: an alias of another room is 400 M_BAD_ALIAS, bad syntax 400 M_INVALID_PARAM, nothing stored', async () => {
      const victim = await r.createRoom(bob, { preset: 'public_chat', room_alias_name: 'victim-room' });
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.ok('PUT', `/directory/room/${q('#mine:hs.test')}`, alice, { room_id: roomId });
      const url = `${V3}/rooms/${q(roomId)}/state/m.room.canonical_alias`;
      const put = (content: unknown) => s.request('PUT', url, { token: alice.accessToken, body: content });
      const cases: Array<[unknown, string]> = [
        [{ alias: '#victim-room:hs.test' }, 'M_BAD_ALIAS'],
        [{ alias: '#mine:hs.test', alt_aliases: ['#victim-room:hs.test'] }, 'M_BAD_ALIAS'],
        [{ alias: '#nobody-made-this:hs.test' }, 'M_BAD_ALIAS'],
        [{ alias: '#elsewhere:other.example' }, 'M_BAD_ALIAS'],
        [{ alias: 'not an alias' }, 'M_INVALID_PARAM'],
        [{ alias: 5 }, 'M_INVALID_PARAM'],
        [{ alt_aliases: '#mine:hs.test' }, 'M_INVALID_PARAM'],
        [{ alt_aliases: ['#mine:hs.test', '@alice:hs.test'] }, 'M_INVALID_PARAM'],
      ];
      for (const [content, errcode] of cases) assertError(await put(content), 400, errcode, 'PUT', url);
      assertError(await s.request('GET', url, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);

      // Its own aliases are accepted; once listed, an alias is not checked again (spec), even after deletion.
      assert.equal((await put({ alias: '#mine:hs.test', alt_aliases: ['#mine:hs.test'] })).statusCode, 200);
      await r.ok('DELETE', `/directory/room/${q('#mine:hs.test')}`, alice);
      const kept = await put({ alias: '#mine:hs.test' });
      assert.equal(kept.statusCode, 200, kept.body);
      assert.deepEqual(await r.ok('GET', `/rooms/${q(roomId)}/state/m.room.canonical_alias`, alice), { alias: '#mine:hs.test' });
      assert.equal((await s.request('GET', aliasUrl('#victim-room:hs.test'))).json().room_id, victim);

      // createRoom's initial_state is checked the same way: no room is created.
      const create = await s.request('POST', `${V3}/createRoom`, {
        token: carol.accessToken, body: { initial_state: [{ type: 'm.room.canonical_alias', content: { alias: '#victim-room:hs.test' } }] },
      });
      assertError(create, 400, 'M_BAD_ALIAS', 'POST', `${V3}/createRoom`);
      assert.deepEqual((await r.ok('GET', '/joined_rooms', carol)).joined_rooms, []);
    });

    it('an unknown alias is 404 M_NOT_FOUND, for GET and DELETE', async () => {
      const url = aliasUrl('#nobody-home:hs.test');
      assertError(await s.request('GET', url), 404, 'M_NOT_FOUND', 'GET', url);
      assertError(await s.request('DELETE', url, { token: admin.accessToken }), 404, 'M_NOT_FOUND', 'DELETE', url);
    });

    it('an alias on another server is 400 M_INVALID_PARAM; a malformed alias is 400 M_INVALID_PARAM', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      for (const alias of ['#elsewhere:other.example', 'no-sigil:hs.test', '#:hs.test', '#no-domain']) {
        const res = await s.request('PUT', aliasUrl(alias), { token: alice.accessToken, body: { room_id: roomId } });
        assertError(res, 400, 'M_INVALID_PARAM', 'PUT', aliasUrl(alias));
      }
      const get = aliasUrl('not-an-alias');
      assertError(await s.request('GET', get), 400, 'M_INVALID_PARAM', 'GET', get);
      assert.deepEqual((await r.ok('GET', `/rooms/${q(roomId)}/aliases`, alice)).aliases, []);
    });

    it('PUT: a bad room_id is 400; an unknown room 404; a user not in the room 403; no token 401', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const url = aliasUrl('#guarded:hs.test');
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: {} }), 400, 'M_MISSING_PARAM', 'PUT', url);
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: { room_id: 42 } }), 400, 'M_BAD_JSON', 'PUT', url);
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: { room_id: 'not-a-room' } }), 400, 'M_INVALID_PARAM', 'PUT', url);
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: { room_id: '!missing:hs.test' } }), 404, 'M_NOT_FOUND', 'PUT', url);
      assertError(await s.request('PUT', url, { token: carol.accessToken, body: { room_id: roomId } }), 403, 'M_FORBIDDEN', 'PUT', url);
      assertError(await s.request('PUT', url, { body: { room_id: roomId } }), 401, 'M_MISSING_TOKEN', 'PUT', url);
      assertError(await s.request('GET', url), 404, 'M_NOT_FOUND', 'GET', url);
    });

    it('DELETE: the creator may; a member who is neither creator nor moderator gets 403 M_FORBIDDEN', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      await r.join(carol, roomId);
      const alias = '#bobs:hs.test';
      await r.ok('PUT', `/directory/room/${q(alias)}`, bob, { room_id: roomId });

      assertError(await s.request('DELETE', aliasUrl(alias), { token: carol.accessToken }), 403, 'M_FORBIDDEN', 'DELETE', aliasUrl(alias));
      assert.equal((await s.request('GET', aliasUrl(alias))).statusCode, 200);

      const del = await s.request('DELETE', aliasUrl(alias), { token: bob.accessToken });
      assert.equal(del.statusCode, 200, del.body);
      assertSpecResponse(del, 'DELETE', aliasUrl(alias));
      assert.deepEqual(del.json(), {});
      assertError(await s.request('GET', aliasUrl(alias)), 404, 'M_NOT_FOUND', 'GET', aliasUrl(alias));
      assertError(await s.request('DELETE', aliasUrl(alias), { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'DELETE', aliasUrl(alias));
      assert.deepEqual((await r.ok('GET', `/rooms/${q(roomId)}/aliases`, alice)).aliases, []);
      // Deleted aliases can be made again.
      await r.ok('PUT', `/directory/room/${q(alias)}`, carol, { room_id: roomId });
    });

    it('DELETE: a room moderator (the creator of the room) and a server admin may delete anyone\'s alias', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      await r.ok('PUT', `/directory/room/${q('#mod-1:hs.test')}`, bob, { room_id: roomId });
      await r.ok('PUT', `/directory/room/${q('#mod-2:hs.test')}`, bob, { room_id: roomId });
      const byMod = await s.request('DELETE', aliasUrl('#mod-1:hs.test'), { token: alice.accessToken });
      assert.equal(byMod.statusCode, 200, byMod.body);
      const byAdmin = await s.request('DELETE', aliasUrl('#mod-2:hs.test'), { token: admin.accessToken });
      assert.equal(byAdmin.statusCode, 200, byAdmin.body);
      assert.deepEqual((await r.ok('GET', `/rooms/${q(roomId)}/aliases`, alice)).aliases, []);
    });

    it('GET /rooms/{roomId}/aliases: every local alias, sorted; 403 M_FORBIDDEN for users not in the room', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: 'zeta' });
      await r.ok('PUT', `/directory/room/${q('#alpha:hs.test')}`, alice, { room_id: roomId });
      await r.ok('PUT', `/directory/room/${q('#mid:hs.test')}`, alice, { room_id: roomId });
      const url = `${V3}/rooms/${q(roomId)}/aliases`;
      const list = await s.request('GET', url, { token: alice.accessToken });
      assert.equal(list.statusCode, 200);
      assertSpecResponse(list, 'GET', url);
      assert.deepEqual(list.json(), { aliases: ['#alpha:hs.test', '#mid:hs.test', '#zeta:hs.test'] });
      assertError(await s.request('GET', url, { token: carol.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      // A world-readable room's aliases are visible to anyone.
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      const open = await s.request('GET', url, { token: carol.accessToken });
      assert.equal(open.statusCode, 200);
      assert.equal(open.json().aliases.length, 3);
    });
  });

  describe('directory visibility: GET and PUT /directory/list/room/{roomId}', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    before(async () => {
      ({ s, r } = await server(backend));
      alice = await s.createUser('alice');
      bob = await s.createUser('bob');
      carol = await s.createUser('carol');
    });
    after(() => s.close());

    it('private unless created with visibility public; readable without authentication', async () => {
      const hidden = await r.createRoom(alice, { preset: 'public_chat' });
      const listed = await r.createRoom(alice, { visibility: 'public' });
      for (const [roomId, visibility] of [[hidden, 'private'], [listed, 'public']] as const) {
        const res = await s.request('GET', listUrl(roomId));
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'GET', listUrl(roomId));
        assert.deepEqual(res.json(), { visibility });
      }
    });

    it('a moderator publishes and unpublishes; the room appears in /publicRooms and leaves it', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Soon public' });
      const put = await s.request('PUT', listUrl(roomId), { token: alice.accessToken, body: { visibility: 'public' } });
      assert.equal(put.statusCode, 200, put.body);
      assertSpecResponse(put, 'PUT', listUrl(roomId));
      assert.deepEqual(put.json(), {});
      assert.deepEqual((await s.request('GET', listUrl(roomId))).json(), { visibility: 'public' });
      const listedIds = async () => ((await s.request('GET', `${V3}/publicRooms`)).json() as PublicRooms).chunk.map((e) => e.room_id);
      assert.ok((await listedIds()).includes(roomId));

      await r.ok('PUT', `/directory/list/room/${q(roomId)}`, alice, { visibility: 'private' });
      assert.deepEqual((await s.request('GET', listUrl(roomId))).json(), { visibility: 'private' });
      assert.equal((await listedIds()).includes(roomId), false);
    });

    it('PUT by a member without power, or a non-member, is 403 M_FORBIDDEN; an unknown room is 404 M_NOT_FOUND', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      for (const user of [bob, carol]) {
        const res = await s.request('PUT', listUrl(roomId), { token: user.accessToken, body: { visibility: 'public' } });
        assertError(res, 403, 'M_FORBIDDEN', 'PUT', listUrl(roomId));
      }
      assert.deepEqual((await s.request('GET', listUrl(roomId))).json(), { visibility: 'private' });
      const unknown = listUrl('!unknown:hs.test');
      assertError(await s.request('GET', unknown), 404, 'M_NOT_FOUND', 'GET', unknown);
      assertError(await s.request('PUT', unknown, { token: alice.accessToken, body: { visibility: 'public' } }), 404, 'M_NOT_FOUND', 'PUT', unknown);
    });

    it('a redacted name or topic no longer shows in the directory', async () => {
      for (const roomVersion of ['10', '11']) {
        const roomId = await r.createRoom(alice, { visibility: 'public', name: `Named ${roomVersion}`, topic: 'Rude topic', room_version: roomVersion });
        const topic = ((await r.ok('GET', `/rooms/${q(roomId)}/state/m.room.topic?format=event`, alice)) as { event_id: string }).event_id;
        await r.ok('PUT', `/rooms/${q(roomId)}/redact/${q(topic)}/redact-topic-${roomVersion}`, alice, {});
        const entry = ((await s.request('GET', `${V3}/publicRooms`)).json() as PublicRooms).chunk.find((e) => e.room_id === roomId)!;
        assert.equal(entry.name, `Named ${roomVersion}`);
        assert.equal(entry.topic, undefined, roomVersion);
        const search = await s.request('POST', `${V3}/publicRooms`, { token: alice.accessToken, body: { filter: { generic_search_term: 'rude' } } });
        assert.deepEqual((search.json() as PublicRooms).chunk, []);
        await r.ok('PUT', `/directory/list/room/${q(roomId)}`, alice, { visibility: 'private' });
      }
    });

    it('PUT with a bad visibility is 400 M_BAD_JSON', async () => {
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const res = await s.request('PUT', listUrl(roomId), { token: alice.accessToken, body: { visibility: 'everyone' } });
      assertError(res, 400, 'M_BAD_JSON', 'PUT', listUrl(roomId));
    });
  });

  describe('GET and POST /publicRooms', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let users: TestUser[];
    const rooms = { big: '', readable: '', topicOnly: '', space: '', hidden: '' };
    before(async () => {
      ({ s, r } = await server(backend));
      users = [];
      for (const name of ['alice', 'bob', 'carol', 'dave']) users.push(await s.createUser(name));
      const [alice, bob, carol, dave] = users as [TestUser, TestUser, TestUser, TestUser];
      // Four joined members.
      rooms.big = await r.createRoom(alice, { visibility: 'public', name: 'Big Lounge', topic: 'Everyone talks here', room_alias_name: 'lounge' });
      for (const u of [bob, carol, dave]) await r.join(u, rooms.big);
      // Three: world-readable, guests may join, an avatar.
      rooms.readable = await r.createRoom(bob, { visibility: 'public', name: 'Reading Room', preset: 'public_chat' });
      await r.putState(bob, rooms.readable, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      await r.putState(bob, rooms.readable, 'm.room.guest_access', { guest_access: 'can_join' });
      await r.putState(bob, rooms.readable, 'm.room.avatar', { url: 'mxc://hs.test/reading' });
      for (const u of [carol, dave]) await r.join(u, rooms.readable);
      // Two: no name, only a topic.
      rooms.topicOnly = await r.createRoom(carol, { visibility: 'public', topic: 'Gardening tips' });
      await r.join(dave, rooms.topicOnly);
      // One: a space, invite-only.
      rooms.space = await r.createRoom(dave, { visibility: 'public', preset: 'private_chat', name: 'A space', creation_content: { type: 'm.space' } });
      // Not published.
      rooms.hidden = await r.createRoom(alice, { preset: 'public_chat', name: 'Big Secret' });
    });
    after(() => s.close());

    it('GET lists the published rooms, largest first, with their public details', async () => {
      const url = `${V3}/publicRooms`;
      const res = await s.request('GET', url);
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', url);
      const body = res.json() as PublicRooms;
      assert.deepEqual(body.chunk.map((e) => e.room_id), [rooms.big, rooms.readable, rooms.topicOnly, rooms.space]);
      assert.equal(body.total_room_count_estimate, 4);
      assert.equal(body.next_batch, undefined);
      assert.equal(body.prev_batch, undefined);

      const [big, readable, topicOnly, space] = body.chunk as [Entry, Entry, Entry, Entry];
      assert.deepEqual(big, {
        room_id: rooms.big, name: 'Big Lounge', topic: 'Everyone talks here', canonical_alias: '#lounge:hs.test',
        num_joined_members: 4, world_readable: false, guest_can_join: false, join_rule: 'public',
      });
      assert.deepEqual(readable, {
        room_id: rooms.readable, name: 'Reading Room', avatar_url: 'mxc://hs.test/reading',
        num_joined_members: 3, world_readable: true, guest_can_join: true, join_rule: 'public',
      });
      assert.deepEqual(topicOnly, { room_id: rooms.topicOnly, topic: 'Gardening tips', num_joined_members: 2, world_readable: false, guest_can_join: false, join_rule: 'public' });
      assert.deepEqual(space, {
        room_id: rooms.space, name: 'A space', room_type: 'm.space',
        num_joined_members: 1, world_readable: false, guest_can_join: true, join_rule: 'invite',
      });
    });

    it('the entry follows the room: a new name, a member leaving', async () => {
      const [, , carol, dave] = users as [TestUser, TestUser, TestUser, TestUser];
      await r.putState(carol, rooms.topicOnly, 'm.room.name', { name: 'Green Thumbs' });
      await r.leave(dave, rooms.topicOnly);
      const entry = ((await s.request('GET', `${V3}/publicRooms`)).json() as PublicRooms).chunk.find((e) => e.room_id === rooms.topicOnly)!;
      assert.equal(entry.name, 'Green Thumbs');
      assert.equal(entry.num_joined_members, 1);
      await r.join(dave, rooms.topicOnly);
      await r.putState(carol, rooms.topicOnly, 'm.room.name', {});
    });

    it('limit and since: next_batch and prev_batch page through the list', async () => {
      const first = await s.request('GET', `${V3}/publicRooms?limit=3`);
      assert.equal(first.statusCode, 200, first.body);
      assertSpecResponse(first, 'GET', `${V3}/publicRooms?limit=3`);
      const page1 = first.json() as PublicRooms;
      assert.deepEqual(page1.chunk.map((e) => e.room_id), [rooms.big, rooms.readable, rooms.topicOnly]);
      assert.equal(typeof page1.next_batch, 'string');
      assert.equal(page1.prev_batch, undefined);
      assert.equal(page1.total_room_count_estimate, 4);

      const url2 = `${V3}/publicRooms?limit=3&since=${q(page1.next_batch!)}`;
      const page2 = (await s.request('GET', url2)).json() as PublicRooms;
      assert.deepEqual(page2.chunk.map((e) => e.room_id), [rooms.space]);
      assert.equal(page2.next_batch, undefined);
      assert.equal(typeof page2.prev_batch, 'string');

      const back = (await s.request('GET', `${V3}/publicRooms?limit=3&since=${q(page2.prev_batch!)}`)).json() as PublicRooms;
      assert.deepEqual(back.chunk.map((e) => e.room_id), page1.chunk.map((e) => e.room_id));

      // Pages of one, all the way through.
      const seen: string[] = [];
      let since: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = (await s.request('GET', `${V3}/publicRooms?limit=1${since ? `&since=${q(since)}` : ''}`)).json() as PublicRooms;
        seen.push(...page.chunk.map((e) => e.room_id));
        if (!page.next_batch) break;
        since = page.next_batch;
      }
      assert.deepEqual(seen, [rooms.big, rooms.readable, rooms.topicOnly, rooms.space]);
    });

    it('limit 0 means no limit', async () => {
      const page = (await s.request('GET', `${V3}/publicRooms?limit=0`)).json() as PublicRooms;
      assert.equal(page.chunk.length, 4);
      assert.equal(page.next_batch, undefined);
    });

    it('an invalid since token is 400 M_INVALID_PARAM; so is a negative limit', async () => {
      const url = `${V3}/publicRooms?since=bogus`;
      assertError(await s.request('GET', url), 400, 'M_INVALID_PARAM', 'GET', url);
      const neg = `${V3}/publicRooms?limit=-1`;
      assertError(await s.request('GET', neg), 400, 'M_INVALID_PARAM', 'GET', neg);
    });

    it('POST: generic_search_term matches name, topic or alias, case-insensitively', async () => {
      const [alice] = users as [TestUser];
      const url = `${V3}/publicRooms`;
      const search = async (term: string, extra: Record<string, unknown> = {}) => {
        const res = await s.request('POST', url, { token: alice.accessToken, body: { filter: { generic_search_term: term }, ...extra } });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'POST', url);
        return res.json() as PublicRooms;
      };
      assert.deepEqual((await search('lounge')).chunk.map((e) => e.room_id), [rooms.big]);
      assert.deepEqual((await search('GARDENING')).chunk.map((e) => e.room_id), [rooms.topicOnly]);
      assert.deepEqual((await search('#lounge:hs')).chunk.map((e) => e.room_id), [rooms.big]);
      assert.deepEqual((await search('room')).chunk.map((e) => e.room_id), [rooms.readable]);
      // Unpublished rooms are never found.
      assert.deepEqual((await search('secret')).chunk, []);
      assert.deepEqual((await search('nothing matches this')).chunk, []);

      // Search and pagination together.
      const wide = await search('e', { limit: 2 });
      assert.equal(wide.chunk.length, 2);
      assert.equal(typeof wide.next_batch, 'string');
      const rest2 = await search('e', { limit: 2, since: wide.next_batch });
      const all = [...wide.chunk, ...rest2.chunk].map((e) => e.room_id);
      assert.equal(new Set(all).size, all.length);
      assert.ok(all.includes(rooms.big) && all.includes(rooms.topicOnly));
    });

    it('POST without a filter lists everything; it needs an access token', async () => {
      const [alice] = users as [TestUser];
      const url = `${V3}/publicRooms`;
      const res = await s.request('POST', url, { token: alice.accessToken, body: {} });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as PublicRooms).chunk.length, 4);
      const limited = await s.request('POST', url, { token: alice.accessToken, body: { limit: 1 } });
      assert.deepEqual((limited.json() as PublicRooms).chunk.map((e) => e.room_id), [rooms.big]);
      assertError(await s.request('POST', url, { body: {} }), 401, 'M_MISSING_TOKEN', 'POST', url);
      assertError(await s.request('POST', url, { token: alice.accessToken, body: { limit: 'ten' } }), 400, 'M_BAD_JSON', 'POST', url);
    });
  });
}, describe);

forEachBackend('GET /publicRooms: the cost of a page does not grow with the directory', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  before(async () => {
    ({ s, r } = await server(backend));
  });
  after(() => s.close());

  /** Counts the per-room reads (current state, member counts) the store serves while `fn` runs. */
  async function perRoomReads(fn: () => Promise<unknown>): Promise<number> {
    const { state, memberships } = s.app.store;
    const originals = { current: state.current, counts: memberships.counts };
    let reads = 0;
    state.current = (...args) => (reads++, originals.current.apply(state, args));
    memberships.counts = (...args) => (reads++, originals.counts.apply(memberships, args));
    try {
      await fn();
    } finally {
      Object.assign(state, { current: originals.current });
      Object.assign(memberships, { counts: originals.counts });
    }
    return reads;
  }

  it('pages of an unchanged directory of 40 rooms read no room again; a new event rebuilds it once', async () => {
    const alice = await s.createUser('alice');
    const roomIds: string[] = [];
    for (let i = 0; i < 40; i++) roomIds.push(await r.createRoom(alice, { visibility: 'public', name: `Room ${i}` }));
    const page = async (since?: string, limit = 10) => {
      const res = await s.request('GET', `${V3}/publicRooms?limit=${limit}${since ? `&since=${since}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as PublicRooms;
    };
    await page(); // builds the directory once
    let next: string | undefined;
    const seen: string[] = [];
    const reads = await perRoomReads(async () => {
      do {
        const body = await page(next);
        seen.push(...body.chunk.map((e) => e.room_id));
        next = body.next_batch;
      } while (next);
    });
    assert.equal(reads, 0, 'four pages of an unchanged directory read no room');
    assert.deepEqual([...seen].sort(), [...roomIds].sort());
    // A change anywhere is seen at once, with one rebuild.
    await r.putState(alice, roomIds[0]!, 'm.room.name', { name: 'Renamed' });
    let renamed: Entry | undefined;
    const rebuild = await perRoomReads(async () => {
      renamed = (await page(undefined, 40)).chunk.find((e) => e.room_id === roomIds[0]);
      await page();
    });
    assert.equal(renamed?.name, 'Renamed');
    assert.ok(rebuild <= 2 * roomIds.length + 2, `one rebuild, not one per page: ${rebuild} reads`);
  });
}, describe);

forEachBackend('GET /publicRooms: a token by default, and a rate limit', (backend) => {
  it('without allow_public_rooms_without_auth: 401 M_MISSING_TOKEN without a token, the directory with one', async () => {
    const s = await startTestServer({ backend });
    try {
      const alice = await s.createUser('alice');
      const roomId = await rest(s).createRoom(alice, { visibility: 'public', name: 'Listed' });
      const url = `${V3}/publicRooms`;
      assertError(await s.request('GET', url), 401, 'M_MISSING_TOKEN', 'GET', url);
      const res = await s.request('GET', url, { token: alice.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual((res.json() as PublicRooms).chunk.map((e) => e.room_id), [roomId]);
    } finally {
      await s.close();
    }
  });

  it('anonymous GETs take from the default rate limit per address: 429 M_LIMIT_EXCEEDED past the burst', async () => {
    const s = await startTestServer({
      backend, config: { allow_public_rooms_without_auth: true, rate_limits: { enabled: true, default: { per_second: 0.001, burst: 3 } } },
    });
    try {
      const url = `${V3}/publicRooms`;
      for (let i = 0; i < 3; i++) assert.equal((await s.request('GET', url)).statusCode, 200);
      assertError(await s.request('GET', url), 429, 'M_LIMIT_EXCEEDED', 'GET', url);
    } finally {
      await s.close();
    }
  });
}, describe);
