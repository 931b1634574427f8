import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, R0, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const SEARCH = `${V3}/user_directory/search`;
const V1 = '/_matrix/client/v1';
type Found = { results: { user_id: string; display_name?: string; avatar_url?: string }[]; limited: boolean };

forEachBackend('user directory, mutual rooms, whois', (backend) => {
  describe('POST /user_directory/search (only users sharing a room, or in a published room)', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    let dave: TestUser;
    before(async () => {
      s = await startTestServer({ backend });
      r = rest(s);
      [alice, bob, carol, dave] = [await s.createUser('alice'), await s.createUser('bob'), await s.createUser('carol'), await s.createUser('dave')];
      await r.ok('PUT', `/profile/${encodeURIComponent(bob.userId)}/displayname`, bob, { displayname: 'Robert Smith' });
      await r.ok('PUT', `/profile/${encodeURIComponent(bob.userId)}/avatar_url`, bob, { avatar_url: 'mxc://hs.test/bob' });
    });
    after(() => s.close());

    async function search(user: TestUser, term: string, limit?: number, prefix = V3): Promise<Found> {
      const url = `${prefix}/user_directory/search`;
      const res = await s.request('POST', url, { token: user.accessToken, body: { search_term: term, ...(limit !== undefined ? { limit } : {}) } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', url);
      return res.json();
    }
    const ids = (f: Found) => f.results.map((x) => x.user_id);

    it('a user sharing no room is not found; once in a shared room, by localpart and by any word of the display name, with the profile', async () => {
      assert.deepEqual(await search(alice, 'bob'), { results: [], limited: false });
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const expected = { results: [{ user_id: bob.userId, display_name: 'Robert Smith', avatar_url: 'mxc://hs.test/bob' }], limited: false };
      for (const term of ['bob', 'BO', '@bob', 'robert', 'smi', 'Robert Smith', 'ROB sm']) assert.deepEqual(await search(alice, term), expected, term);
      // Not the middle of a word, not the server name, not an unmatched second word.
      for (const term of ['ob', 'obert', 'hs.test', 'robert jones', '%', '_ob']) assert.deepEqual(await search(alice, term), { results: [], limited: false }, term);
      assert.deepEqual(ids(await search(alice, 'bob', undefined, R0)), [bob.userId]);
      await r.leave(bob, roomId);
      await r.leave(alice, roomId);
    });

    it('when the last shared room is left, the other user is no longer found', async () => {
      const first = await r.createRoom(alice);
      const second = await r.createRoom(alice);
      for (const roomId of [first, second]) {
        await r.invite(alice, roomId, carol);
        await r.join(carol, roomId);
      }
      assert.deepEqual(ids(await search(alice, 'carol')), [carol.userId]);
      await r.leave(carol, first);
      assert.deepEqual(ids(await search(alice, 'carol')), [carol.userId], 'one shared room is left');
      await r.leave(carol, second);
      assert.deepEqual(ids(await search(alice, 'carol')), []);
      assert.deepEqual(ids(await search(carol, 'alice')), [], 'nor the other way round');
    });

    it('a user joined to a room published in the directory is found by anyone; an invited one is not', async () => {
      const roomId = await r.createRoom(dave, { preset: 'public_chat', visibility: 'public' });
      await r.invite(dave, roomId, carol);
      assert.deepEqual(ids(await search(alice, 'dave')), [dave.userId]);
      assert.deepEqual(ids(await search(alice, 'carol')), []);
      await r.ok('PUT', `/directory/list/room/${encodeURIComponent(roomId)}`, dave, { visibility: 'private' });
      assert.deepEqual(ids(await search(alice, 'dave')), []);
    });

    it('a deactivated user is never found, though still joined (a deactivation a crash interrupted)', async () => {
      const erin = await s.createUser('erin');
      const roomId = await r.createRoom(alice);
      await r.invite(alice, roomId, erin);
      await r.join(erin, roomId);
      assert.deepEqual(ids(await search(alice, 'erin')), [erin.userId]);
      await s.app.store.accounts.setDeactivated(erin.userId);
      assert.deepEqual(ids(await search(alice, 'erin')), []);
    });

    it('limit (default 10, at most 50) cuts the results in user ID order and says so', async () => {
      const roomId = await r.createRoom(alice);
      const many = await Promise.all(Array.from({ length: 52 }, (_, i) => s.createUser(`many${String(i).padStart(2, '0')}`)));
      for (const u of many) {
        await r.invite(alice, roomId, u);
        await r.join(u, roomId);
      }
      const all = many.map((u) => u.userId).sort();
      assert.deepEqual(await search(alice, 'many').then(ids), all.slice(0, 10));
      assert.equal((await search(alice, 'many')).limited, true);
      const entry = (user_id: string) => ({ user_id, display_name: user_id.slice(1, user_id.indexOf(':')) });
      assert.deepEqual(await search(alice, 'many', 3), { results: all.slice(0, 3).map(entry), limited: true });
      const capped = await search(alice, 'many', 1000);
      assert.deepEqual(ids(capped), all.slice(0, 50));
      assert.equal(capped.limited, true);
      assert.deepEqual(await search(alice, 'many0'), { results: all.slice(0, 10).map(entry), limited: false });
      assert.deepEqual(await search(alice, '   '), { results: [], limited: false }, 'an empty term finds no one');
    });

    it('a body without search_term is 400 M_MISSING_PARAM; no token is 401', async () => {
      const res = await s.request('POST', SEARCH, { token: alice.accessToken, body: { limit: 5 } });
      assertMatrixError(res, 400, 'M_MISSING_PARAM', 'POST', SEARCH);
      assertMatrixError(await s.request('POST', SEARCH, { body: { search_term: 'a' } }), 401, 'M_MISSING_TOKEN', 'POST', SEARCH);
    });
  });

  describe('user_directory.search_all_users', () => {
    let s: TestServer;
    after(() => s.close());
    it('finds every local user not deactivated, sharing a room or not', async () => {
      s = await startTestServer({ backend, config: { user_directory: { search_all_users: true } } });
      const [alice, bob, bobby] = [await s.createUser('alice'), await s.createUser('bob'), await s.createUser('bobby')];
      await s.app.store.accounts.setDeactivated(bobby.userId);
      const res = await s.request('POST', SEARCH, { token: alice.accessToken, body: { search_term: 'bo' } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', SEARCH);
      assert.deepEqual(res.json(), { results: [{ user_id: bob.userId, display_name: 'bob' }], limited: false });
    });
  });

  describe('GET /v1/mutual_rooms', () => {
    let s: TestServer;
    let r: ReturnType<typeof rest>;
    let alice: TestUser;
    let bob: TestUser;
    before(async () => {
      s = await startTestServer({ backend });
      r = rest(s);
      [alice, bob] = [await s.createUser('alice'), await s.createUser('bob')];
    });
    after(() => s.close());
    const url = (userId: string, from?: string) => `${V1}/mutual_rooms?user_id=${encodeURIComponent(userId)}${from ? `&from=${encodeURIComponent(from)}` : ''}`;

    it('lists the rooms both are joined to (not those one left or is only invited to), in pages of 100', async () => {
      const empty = await s.request('GET', url(bob.userId), { token: alice.accessToken });
      assert.equal(empty.statusCode, 200, empty.body);
      assertSpecResponse(empty, 'GET', url(bob.userId));
      assert.deepEqual(empty.json(), { joined: [], count: 0 });

      const shared: string[] = [];
      for (let i = 0; i < 101; i++) {
        const roomId = await r.createRoom(alice, { preset: 'public_chat' });
        await r.join(bob, roomId);
        shared.push(roomId);
      }
      const invitedOnly = await r.createRoom(alice);
      await r.invite(alice, invitedOnly, bob);
      await r.leave(bob, shared.pop()!);
      shared.sort();
      const all = await s.request('GET', url(bob.userId), { token: alice.accessToken });
      assert.deepEqual(all.json(), { joined: shared, count: 100 });

      const extra = await r.createRoom(bob, { preset: 'public_chat' });
      await r.join(alice, extra);
      const first = await s.request('GET', url(alice.userId), { token: bob.accessToken });
      assertSpecResponse(first, 'GET', url(alice.userId));
      const all101 = [...shared, extra].sort();
      assert.deepEqual(first.json(), { joined: all101.slice(0, 100), count: 101, next_batch: all101[99] });
      const next = await s.request('GET', url(alice.userId, first.json().next_batch), { token: bob.accessToken });
      assert.equal(next.statusCode, 200, next.body);
      assertSpecResponse(next, 'GET', url(alice.userId));
      assert.deepEqual(next.json(), { joined: all101.slice(100), count: 101 });
    });

    it('an unknown user shares nothing; oneself, a malformed user ID or token is 400 M_INVALID_PARAM; no user_id is 400', async () => {
      const unknown = await s.request('GET', url('@nobody:hs.test'), { token: alice.accessToken });
      assert.equal(unknown.statusCode, 200);
      assert.deepEqual(unknown.json(), { joined: [], count: 0 });
      for (const bad of [url(alice.userId), url('nobody'), url(bob.userId, 'not-a-token')]) {
        assertMatrixError(await s.request('GET', bad, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', bad);
      }
      const missing = await s.request('GET', `${V1}/mutual_rooms`, { token: alice.accessToken });
      assert.equal(missing.statusCode, 400);
      assert.ok(['M_MISSING_PARAM', 'M_INVALID_PARAM'].includes(missing.json().errcode), missing.body);
    });
  });

  describe('GET /admin/whois/{userId}', () => {
    let s: TestServer;
    let alice: TestUser;
    let bob: TestUser;
    let admin: TestUser;
    before(async () => {
      s = await startTestServer({ backend });
      [alice, bob] = [await s.createUser('alice'), await s.createUser('bob')];
      admin = await s.createUser('admin', { admin: true });
    });
    after(() => s.close());
    const url = (userId: string) => `${V3}/admin/whois/${encodeURIComponent(userId)}`;

    it('the user themself and a server admin see every device with where it was last seen', async () => {
      // Nothing records device activity yet: a device that has none has one session with no connection.
      const second = (await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: alice.password } })).json().device_id as string;
      await s.app.store.devices.touch(alice.userId, alice.deviceId as never, 1_700_000_000_000, '10.0.0.7');
      const expected = {
        [alice.deviceId]: { sessions: [{ connections: [{ ip: '10.0.0.7', last_seen: 1_700_000_000_000 }] }] },
        [second]: { sessions: [{ connections: [] }] },
      };
      for (const asker of [alice, admin]) {
        const res = await s.request('GET', url(alice.userId), { token: asker.accessToken });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'GET', url(alice.userId));
        assert.deepEqual(res.json(), { user_id: alice.userId, devices: expected });
      }
    });

    it('anyone else is 403 M_FORBIDDEN, whether the user exists or not; an admin asking about no one is 404', async () => {
      for (const target of [alice.userId, '@nobody:hs.test']) {
        assertMatrixError(await s.request('GET', url(target), { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', url(target));
      }
      for (const target of ['@nobody:hs.test', '@alice:elsewhere.test']) {
        assertMatrixError(await s.request('GET', url(target), { token: admin.accessToken }), 404, 'M_NOT_FOUND', 'GET', url(target));
      }
    });
  });
}, describe);
