import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { forEachBackend } from '../helpers/backends.js';
import { rest, state, V3 } from '../helpers/rest.js';
import { assertMatrixError as assertError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type Call, type TestServer, type TestUser } from '../helpers/test-server.js';

type ClientEvent = { type: string; state_key?: string; event_id: string; sender: string; content: Record<string, unknown> };

const localpart = (u: TestUser) => u.userId.slice(1, u.userId.indexOf(':'));

/** Asserts a membership success: 200, a JSON body, valid per the spec; returns the body. */
function assertOk(res: LightMyRequestResponse, method: string, url: string): Record<string, unknown> {
  assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assertSpecResponse(res, method, url);
  return res.json();
}

forEachBackend('membership API', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  /** A fresh user per test: the suite shares one server. */
  const user = (name: string) => s.createUser(`${name}${++n}`);
  const enc = encodeURIComponent;
  const roomUrl = (roomId: string, verb: string) => `${V3}/rooms/${enc(roomId)}/${verb}`;

  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  /** POST a membership verb and return the raw response. */
  const post = (u: TestUser, url: string, call: Call = { body: {} }) => s.request('POST', url, { token: u.accessToken, ...call });

  async function member(viewer: TestUser, roomId: string, target: TestUser | string): Promise<ClientEvent | undefined> {
    const id = typeof target === 'string' ? target : target.userId;
    return (await state(s, viewer, roomId)).find((e) => e.type === 'm.room.member' && e.state_key === id);
  }

  async function members(viewer: TestUser, roomId: string): Promise<ClientEvent[]> {
    const url = roomUrl(roomId, 'members');
    const res = await s.request('GET', url, { token: viewer.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url);
    return res.json().chunk;
  }

  /** Every event ID of the room, as a joined viewer sees it: to prove that nothing was sent. */
  async function eventIds(viewer: TestUser, roomId: string): Promise<string[]> {
    const res = await s.request('GET', `${roomUrl(roomId, 'messages')}?dir=b&limit=1000`, { token: viewer.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().chunk.map((e: ClientEvent) => e.event_id);
  }

  async function joinedRooms(u: TestUser): Promise<string[]> {
    const res = await s.request('GET', `${V3}/joined_rooms`, { token: u.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/joined_rooms`);
    return res.json().joined_rooms;
  }

  async function setProfile(u: TestUser, displayname: string, avatarUrl: string) {
    for (const [field, value] of [['displayname', displayname], ['avatar_url', avatarUrl]] as const) {
      const res = await s.request('PUT', `${V3}/profile/${enc(u.userId)}/${field}`, { token: u.accessToken, body: { [field]: value } });
      assert.equal(res.statusCode, 200, res.body);
    }
  }

  /** A room of alice's with the given preset, and a room with join_rule knock. */
  async function roomOf(owner: TestUser, preset: 'public_chat' | 'private_chat' = 'public_chat', extra: Record<string, unknown> = {}) {
    return r.createRoom(owner, { preset, ...extra });
  }

  async function knockRoom(owner: TestUser): Promise<string> {
    const roomId = await roomOf(owner, 'private_chat');
    await r.putState(owner, roomId, 'm.room.join_rules', { join_rule: 'knock' });
    return roomId;
  }

  async function knock(u: TestUser, roomId: string, reason?: string) {
    const url = `${V3}/knock/${enc(roomId)}`;
    return assertOk(await post(u, url, { body: reason === undefined ? {} : { reason } }), 'POST', url);
  }

  // -------------------------------------------------------------------------------------------
  // join

  describe('join', () => {
    it('join: POST /rooms/{roomId}/join -> 200 {room_id}; the join event carries displayname and avatar_url', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await setProfile(bob, 'Bob B', 'mxc://hs.test/bob');
      const roomId = await roomOf(alice);
      const url = roomUrl(roomId, 'join');
      assert.deepEqual(assertOk(await post(bob, url), 'POST', url), { room_id: roomId });
      const ev = await member(alice, roomId, bob);
      assert.ok(ev);
      assert.equal(ev.sender, bob.userId);
      assert.deepEqual(ev.content, { membership: 'join', displayname: 'Bob B', avatar_url: 'mxc://hs.test/bob' });
      assert.ok((await joinedRooms(bob)).includes(roomId));
      const jm = await s.request('GET', roomUrl(roomId, 'joined_members'), { token: alice.accessToken });
      assert.equal(jm.statusCode, 200);
      assertSpecResponse(jm, 'GET', roomUrl(roomId, 'joined_members'));
      assert.deepEqual(jm.json().joined[bob.userId], { display_name: 'Bob B', avatar_url: 'mxc://hs.test/bob' });
    });

    it('join: POST /rooms/{roomId}/join with a reason stores the reason', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const url = roomUrl(roomId, 'join');
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'saying hi' } }), 'POST', url), { room_id: roomId });
      assert.deepEqual((await member(alice, roomId, bob))?.content, { membership: 'join', displayname: localpart(bob), reason: 'saying hi' });
    });

    it('join: POST /join/{roomId} with a reason -> 200 {room_id}', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const url = `${V3}/join/${enc(roomId)}`;
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'by id' } }), 'POST', url), { room_id: roomId });
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.content.membership, 'join');
      assert.equal(ev?.content.reason, 'by id');
    });

    it('join: POST /join/{roomAlias} with a reason -> 200 {room_id} of the aliased room', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const alias = `#hall${n}:hs.test`;
      const roomId = await roomOf(alice, 'public_chat', { room_alias_name: `hall${n}` });
      const url = `${V3}/join/${enc(alias)}`;
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'by alias' } }), 'POST', url), { room_id: roomId });
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.content.membership, 'join');
      assert.equal(ev?.content.reason, 'by alias');
      // Without a body at all too.
      const carol = await user('carol');
      assert.deepEqual(assertOk(await post(carol, url, {}), 'POST', url), { room_id: roomId });
      assert.equal((await member(alice, roomId, carol))?.content.membership, 'join');
    });

    it('join: an invite-only room without an invite -> 403 M_FORBIDDEN, no member event', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      const before = await eventIds(alice, roomId);
      for (const url of [roomUrl(roomId, 'join'), `${V3}/join/${enc(roomId)}`]) {
        assertError(await post(bob, url), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal(await member(alice, roomId, bob), undefined);
      assert.deepEqual(await joinedRooms(bob), []);
    });

    it('join: an invite-only room with an invite -> 200, and the profile replaces the invite\'s', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      await r.invite(alice, roomId, bob);
      await setProfile(bob, 'New Bob', 'mxc://hs.test/new');
      await r.join(bob, roomId);
      assert.deepEqual((await member(alice, roomId, bob))?.content, { membership: 'join', displayname: 'New Bob', avatar_url: 'mxc://hs.test/new' });
    });

    it('join: already joined -> 200 {room_id} and no new event; a lone surrogate in the reason -> 400 M_BAD_JSON', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'join');
      assert.deepEqual(assertOk(await post(bob, url), 'POST', url), { room_id: roomId });
      assert.deepEqual(await eventIds(alice, roomId), before);
      // A lone surrogate in the reason is the client's 400 (it was a 500 from the comparison).
      const lone = await post(bob, url, { body: { reason: 'x\ud800' } });
      assertError(lone, 400, 'M_BAD_JSON', 'POST', url);
      assert.match(lone.json().error, /lone UTF-16 surrogate/);
      assert.deepEqual(await eventIds(alice, roomId), before);
    });

    it('join: a banned user -> 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.ban(alice, roomId, bob);
      for (const url of [roomUrl(roomId, 'join'), `${V3}/join/${enc(roomId)}`]) {
        assertError(await post(bob, url), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'ban');
    });

    it('join: an unknown room ID answers exactly as a room the user may not join (403 M_FORBIDDEN, nothing about the room)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const inviteOnly = await roomOf(alice, 'private_chat');
      const banned = await roomOf(alice);
      await r.ban(alice, banned, bob);
      const bodies = new Set<string>();
      for (const roomId of ['!nope:hs.test', inviteOnly, banned]) {
        for (const url of [roomUrl(roomId, 'join'), `${V3}/join/${enc(roomId)}`]) {
          const res = await post(bob, url);
          assertError(res, 403, 'M_FORBIDDEN', 'POST', url);
          bodies.add(res.body);
        }
      }
      assert.equal(bodies.size, 1, `one answer for all: ${[...bodies].join(' | ')}`);
      assert.doesNotMatch([...bodies][0]!, /invite|ban|join rule|private|knock|membership|unknown/i);
    });

    it('join: unknown alias -> 404 M_NOT_FOUND (aliases are public); malformed identifiers -> 400 M_INVALID_PARAM', async () => {
      const bob = await user('bob');
      for (const url of [`${V3}/join/${enc('#nope:hs.test')}`, `${V3}/join/${enc('#nope:elsewhere.example')}`]) {
        assertError(await post(bob, url), 404, 'M_NOT_FOUND', 'POST', url);
      }
      for (const url of [roomUrl('not-a-room', 'join'), roomUrl('!nocolon', 'join'), roomUrl('#alias:hs.test', 'join'), `${V3}/join/not-a-room`, `${V3}/join/${enc('@bob:hs.test')}`]) {
        assertError(await post(bob, url), 400, 'M_INVALID_PARAM', 'POST', url);
      }
    });

    it('join: a wrong body -> 400 M_BAD_JSON / M_NOT_JSON', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const url = roomUrl(roomId, 'join');
      assertError(await post(bob, url, { body: { reason: 5 } }), 400, 'M_BAD_JSON', 'POST', url);
      assertError(await post(bob, url, { payload: '[1]', headers: { 'content-type': 'application/json' } }), 400, 'M_NOT_JSON', 'POST', url);
      assert.equal(await member(alice, roomId, bob), undefined);
    });
  });

  // -------------------------------------------------------------------------------------------
  // invite

  describe('invite', () => {
    it('invite: -> 200 {}; the invite event has the invitee\'s displayname, avatar_url and the reason', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await setProfile(bob, 'Invited Bob', 'mxc://hs.test/ib');
      const roomId = await roomOf(alice, 'private_chat');
      const url = roomUrl(roomId, 'invite');
      assert.deepEqual(assertOk(await post(alice, url, { body: { user_id: bob.userId, reason: 'join us' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.ok(ev);
      assert.equal(ev.sender, alice.userId);
      assert.deepEqual(ev.content, { membership: 'invite', displayname: 'Invited Bob', avatar_url: 'mxc://hs.test/ib', reason: 'join us' });
      // The invitee learns of it through /sync's stripped invite state (not the room's full state).
      const sync = await s.request('GET', `${V3}/sync`, { token: bob.accessToken });
      const inviteState = sync.json().rooms.invite[roomId].invite_state.events as ClientEvent[];
      assert.equal(inviteState.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId)?.content.membership, 'invite');
    });

    it('invite: the inviter must be joined -> 403 M_FORBIDDEN (a stranger, someone who left)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const dave = await user('dave');
      const roomId = await roomOf(alice);
      await r.join(dave, roomId);
      await r.leave(dave, roomId);
      const url = roomUrl(roomId, 'invite');
      for (const inviter of [bob, dave]) {
        assertError(await post(inviter, url, { body: { user_id: carol.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assert.equal(await member(alice, roomId, carol), undefined);
    });

    it('invite: a user who is joined -> 403 M_FORBIDDEN; a user who is banned -> 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.ban(alice, roomId, carol);
      const url = roomUrl(roomId, 'invite');
      const before = await eventIds(alice, roomId);
      assertError(await post(alice, url, { body: { user_id: bob.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      assertError(await post(alice, url, { body: { user_id: carol.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal((await member(alice, roomId, carol))?.content.membership, 'ban');
    });

    it('invite: below the invite level -> 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await roomOf(alice, 'public_chat'); // invite: 50
      await r.join(bob, roomId);
      const url = roomUrl(roomId, 'invite');
      assertError(await post(bob, url, { body: { user_id: carol.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      assert.equal(await member(alice, roomId, carol), undefined);
    });

    // A user of another server is invited over federation (test/federation/resident-invites.test.ts); here no server is reachable.
    it('invite: an unknown local user -> 404 M_NOT_FOUND; an unreachable server -> 502; a malformed ID -> 400 M_INVALID_PARAM; none -> 400 M_MISSING_PARAM', async () => {
      const alice = await user('alice');
      const roomId = await roomOf(alice, 'private_chat');
      const url = roomUrl(roomId, 'invite');
      assertError(await post(alice, url, { body: { user_id: '@ghost:hs.test' } }), 404, 'M_NOT_FOUND', 'POST', url);
      assertError(await post(alice, url, { body: { user_id: '@bob:elsewhere.example' } }), 502, 'M_UNKNOWN', 'POST', url);
      assertError(await post(alice, url, { body: { user_id: 'bob' } }), 400, 'M_INVALID_PARAM', 'POST', url);
      assertError(await post(alice, url, { body: {} }), 400, 'M_MISSING_PARAM', 'POST', url);
      assertError(await post(alice, url, { body: { user_id: 5 } }), 400, 'M_BAD_JSON', 'POST', url);
      assert.deepEqual((await members(alice, roomId)).map((e) => e.state_key), [alice.userId]);
    });

    it('invite: an unknown room -> 404 M_NOT_FOUND', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const url = roomUrl('!nope:hs.test', 'invite');
      assertError(await post(alice, url, { body: { user_id: bob.userId } }), 404, 'M_NOT_FOUND', 'POST', url);
    });
  });

  // -------------------------------------------------------------------------------------------
  // kick, ban, unban

  describe('kick, ban, unban', () => {
    it('kick: a joined user -> 200 {}; their membership is leave with the reason, sent by the kicker', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const url = roomUrl(roomId, 'kick');
      assert.deepEqual(assertOk(await post(alice, url, { body: { user_id: bob.userId, reason: 'spam' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.ok(ev);
      assert.equal(ev.sender, alice.userId);
      assert.deepEqual(ev.content, { membership: 'leave', reason: 'spam' });
      assert.ok(!(await joinedRooms(bob)).includes(roomId));
    });

    it('kick: an invited user (revokes the invite) and a knocking user (denies the knock) -> 200', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await knockRoom(alice);
      await r.invite(alice, roomId, bob);
      await knock(carol, roomId);
      const url = roomUrl(roomId, 'kick');
      for (const target of [bob, carol]) {
        assertOk(await post(alice, url, { body: { user_id: target.userId } }), 'POST', url);
        const ev = await member(alice, roomId, target);
        assert.deepEqual(ev?.content, { membership: 'leave' });
        assert.equal(ev?.sender, alice.userId);
      }
    });

    it('kick: someone who is not joined, invited or knocking -> 403 M_FORBIDDEN (never there, left, banned)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const dave = await user('dave');
      const roomId = await roomOf(alice);
      await r.join(carol, roomId);
      await r.leave(carol, roomId);
      await r.ban(alice, roomId, dave);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'kick');
      for (const target of [bob, carol, dave]) {
        assertError(await post(alice, url, { body: { user_id: target.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assertError(await post(alice, url, { body: { user_id: '@ghost:hs.test' } }), 403, 'M_FORBIDDEN', 'POST', url);
      assert.deepEqual(await eventIds(alice, roomId), before);
    });

    it('kick, ban, unban: a user with power level 0 -> 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const dave = await user('dave');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.join(carol, roomId);
      await r.ban(alice, roomId, dave);
      const before = await eventIds(alice, roomId);
      for (const [verb, target] of [['kick', carol], ['ban', carol], ['unban', dave]] as const) {
        const url = roomUrl(roomId, verb);
        assertError(await post(bob, url, { body: { user_id: target.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal((await member(alice, roomId, carol))?.content.membership, 'join');
      assert.equal((await member(alice, roomId, dave))?.content.membership, 'ban');
    });

    it('kick, ban: a moderator (50) cannot act on the admin (100) -> 403 M_FORBIDDEN; the admin can act on the moderator', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const levels = (await state(s, alice, roomId)).find((e) => e.type === 'm.room.power_levels');
      assert.ok(levels);
      await r.putState(alice, roomId, 'm.room.power_levels', { ...levels.content, users: { [alice.userId]: 100, [bob.userId]: 50 } });
      for (const verb of ['kick', 'ban']) {
        const url = roomUrl(roomId, verb);
        assertError(await post(bob, url, { body: { user_id: alice.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      }
      await r.kick(alice, roomId, bob, 'demoted');
      assert.deepEqual((await member(alice, roomId, bob))?.content, { membership: 'leave', reason: 'demoted' });
    });

    it('kick, ban, unban: the actor must be in the room -> 403 M_FORBIDDEN; unknown room -> 404', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await roomOf(alice);
      await r.join(carol, roomId);
      for (const verb of ['kick', 'ban', 'unban']) {
        const url = roomUrl(roomId, verb);
        assertError(await post(bob, url, { body: { user_id: carol.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
        const unknown = roomUrl('!nope:hs.test', verb);
        assertError(await post(alice, unknown, { body: { user_id: carol.userId } }), 404, 'M_NOT_FOUND', 'POST', unknown);
        assertError(await post(alice, url, { body: {} }), 400, 'M_MISSING_PARAM', 'POST', url);
        assertError(await post(alice, url, { body: { user_id: carol.userId, reason: 1 } }), 400, 'M_BAD_JSON', 'POST', url);
        assertError(await post(alice, url, { body: { user_id: 'carol' } }), 400, 'M_INVALID_PARAM', 'POST', url);
      }
      assert.equal((await member(alice, roomId, carol))?.content.membership, 'join');
    });

    it('ban: a joined user -> 200 {}; membership ban with the reason; they cannot rejoin (403)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const url = roomUrl(roomId, 'ban');
      assert.deepEqual(assertOk(await post(alice, url, { body: { user_id: bob.userId, reason: 'abuse' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.sender, alice.userId);
      assert.deepEqual(ev?.content, { membership: 'ban', reason: 'abuse' });
      assert.ok(!(await joinedRooms(bob)).includes(roomId));
      const join = roomUrl(roomId, 'join');
      assertError(await post(bob, join), 403, 'M_FORBIDDEN', 'POST', join);
    });

    it('ban: a user who never joined -> 200 and their membership is ban; they cannot join (403)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const url = roomUrl(roomId, 'ban');
      assert.deepEqual(assertOk(await post(alice, url, { body: { user_id: bob.userId } }), 'POST', url), {});
      assert.deepEqual((await member(alice, roomId, bob))?.content, { membership: 'ban' });
      for (const join of [roomUrl(roomId, 'join'), `${V3}/join/${enc(roomId)}`]) {
        assertError(await post(bob, join), 403, 'M_FORBIDDEN', 'POST', join);
      }
      // Pre-emptive bans work for accounts that do not exist (yet) and for other servers' users.
      for (const target of ['@ghost:hs.test', '@troll:elsewhere.example']) {
        assertOk(await post(alice, url, { body: { user_id: target } }), 'POST', url);
        assert.equal((await member(alice, roomId, target))?.content.membership, 'ban');
      }
    });

    it('unban: -> 200 {}; membership leave (with the reason); the user may join again', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.ban(alice, roomId, bob);
      const url = roomUrl(roomId, 'unban');
      assert.deepEqual(assertOk(await post(alice, url, { body: { user_id: bob.userId, reason: 'forgiven' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.sender, alice.userId);
      assert.deepEqual(ev?.content, { membership: 'leave', reason: 'forgiven' });
      await r.join(bob, roomId);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'join');
    });

    it('unban: a user who is not banned -> 403 M_FORBIDDEN (joined, never there)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'unban');
      for (const target of [bob, carol]) {
        assertError(await post(alice, url, { body: { user_id: target.userId } }), 403, 'M_FORBIDDEN', 'POST', url);
      }
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'join');
    });
  });

  // -------------------------------------------------------------------------------------------
  // knock

  describe('knock', () => {
    it('knock: a room with join_rule knock -> 200 {room_id}; the knock event has the reason and the profile', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await setProfile(bob, 'Knocking Bob', 'mxc://hs.test/kb');
      const roomId = await knockRoom(alice);
      assert.deepEqual(await knock(bob, roomId, 'let me in'), { room_id: roomId });
      const ev = await member(alice, roomId, bob);
      assert.ok(ev);
      assert.equal(ev.sender, bob.userId);
      assert.deepEqual(ev.content, { membership: 'knock', displayname: 'Knocking Bob', avatar_url: 'mxc://hs.test/kb', reason: 'let me in' });
      assert.ok(!(await joinedRooms(bob)).includes(roomId));
      // Accepting the knock: an invite, then a join.
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'join');
    });

    it('knock: through an alias, and without a body -> 200 {room_id}', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat', { room_alias_name: `door${n}` });
      await r.putState(alice, roomId, 'm.room.join_rules', { join_rule: 'knock' });
      const url = `${V3}/knock/${enc(`#door${n}:hs.test`)}`;
      assert.deepEqual(assertOk(await post(bob, url, {}), 'POST', url), { room_id: roomId });
      assert.deepEqual((await member(alice, roomId, bob))?.content, { membership: 'knock', displayname: localpart(bob) });
    });

    it('knock: a room whose join rule is not knock -> 403 M_FORBIDDEN (invite, public)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      for (const preset of ['private_chat', 'public_chat'] as const) {
        const roomId = await roomOf(alice, preset);
        const url = `${V3}/knock/${enc(roomId)}`;
        assertError(await post(bob, url), 403, 'M_FORBIDDEN', 'POST', url);
        assert.equal(await member(alice, roomId, bob), undefined);
      }
    });

    it('knock: already joined, invited or banned -> 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const dave = await user('dave');
      const roomId = await knockRoom(alice);
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      await r.invite(alice, roomId, carol);
      await r.ban(alice, roomId, dave);
      const before = await eventIds(alice, roomId);
      const url = `${V3}/knock/${enc(roomId)}`;
      for (const u of [alice, bob, carol, dave]) assertError(await post(u, url), 403, 'M_FORBIDDEN', 'POST', url);
      assert.deepEqual(await eventIds(alice, roomId), before);
    });

    it('knock: an unknown room or alias -> 404 M_NOT_FOUND; a malformed identifier -> 400 M_INVALID_PARAM', async () => {
      const bob = await user('bob');
      for (const target of ['!nope:hs.test', '#nope:hs.test']) {
        const url = `${V3}/knock/${enc(target)}`;
        assertError(await post(bob, url), 404, 'M_NOT_FOUND', 'POST', url);
      }
      const url = `${V3}/knock/garbage`;
      assertError(await post(bob, url), 400, 'M_INVALID_PARAM', 'POST', url);
    });
  });

  // -------------------------------------------------------------------------------------------
  // leave (LEAVING.md: POST /rooms/{roomId}/leave)

  describe('leave', () => {
    it('leave: `join` -> 200 {}, a leave event with the reason', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const url = roomUrl(roomId, 'leave');
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'bye all' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.ok(ev);
      assert.equal(ev.sender, bob.userId);
      assert.deepEqual(ev.content, { membership: 'leave', reason: 'bye all' });
      assert.ok(!(await joinedRooms(bob)).includes(roomId));
      // The departed user reads the room up to the leave, their leave last.
      const msgs = await r.messages(bob, roomId);
      assert.equal(msgs.chunk[0].event_id, ev.event_id);
    });

    it('leave: `invite` (rejects the invite) -> 200 {}, a leave event with the reason', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      await r.invite(alice, roomId, bob);
      const url = roomUrl(roomId, 'leave');
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'no thanks' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.sender, bob.userId);
      assert.deepEqual(ev?.content, { membership: 'leave', reason: 'no thanks' });
      // Rejected: bob cannot join the invite-only room any more.
      assertError(await post(bob, roomUrl(roomId, 'join')), 403, 'M_FORBIDDEN', 'POST', roomUrl(roomId, 'join'));
    });

    it('leave: `knock` (rescinds the knock) -> 200 {}, a leave event with the reason', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await knockRoom(alice);
      await knock(bob, roomId, 'please');
      const url = roomUrl(roomId, 'leave');
      assert.deepEqual(assertOk(await post(bob, url, { body: { reason: 'never mind' } }), 'POST', url), {});
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.sender, bob.userId);
      assert.deepEqual(ev?.content, { membership: 'leave', reason: 'never mind' });
      // And may knock again.
      await knock(bob, roomId);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'knock');
    });

    it('leave: `leave` (left before) -> 200 {}, no new event', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.leave(bob, roomId, { reason: 'first' });
      const before = await eventIds(alice, roomId);
      const leaveEvent = (await member(alice, roomId, bob))?.event_id;
      const url = roomUrl(roomId, 'leave');
      for (const body of [{}, { reason: 'second' }]) {
        assert.deepEqual(assertOk(await post(bob, url, { body }), 'POST', url), {});
      }
      assert.deepEqual(await eventIds(alice, roomId), before);
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.event_id, leaveEvent);
      assert.equal(ev?.content.reason, 'first');
    });

    it('leave: `leave` (was kicked) -> 200 {}, no new event', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.kick(alice, roomId, bob, 'out');
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'leave');
      assert.deepEqual(assertOk(await post(bob, url), 'POST', url), {});
      assert.deepEqual(await eventIds(alice, roomId), before);
      const ev = await member(alice, roomId, bob);
      assert.equal(ev?.sender, alice.userId, 'the kick is still the last membership event');
      assert.equal(ev?.content.reason, 'out');
    });

    it('leave: `leave` (rejected an invite before) -> 200 {}, no new event', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      await r.invite(alice, roomId, bob);
      await r.leave(bob, roomId);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'leave');
      assert.deepEqual(assertOk(await post(bob, url), 'POST', url), {});
      assert.deepEqual(await eventIds(alice, roomId), before);
    });

    it('leave: `ban` -> 403 M_FORBIDDEN ("You are banned from this room"), the ban stays', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.ban(alice, roomId, bob);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'leave');
      const err = assertError(await post(bob, url, { body: { reason: 'let me out' } }), 403, 'M_FORBIDDEN', 'POST', url);
      assert.equal(err.error, 'You are banned from this room');
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'ban');
    });

    it('leave: none (never a member) -> 404 M_NOT_FOUND', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const before = await eventIds(alice, roomId);
      const url = roomUrl(roomId, 'leave');
      assertError(await post(bob, url), 404, 'M_NOT_FOUND', 'POST', url);
      assert.deepEqual(await eventIds(alice, roomId), before);
      assert.equal(await member(alice, roomId, bob), undefined);
    });

    it('leave: the room is unknown -> 404 M_NOT_FOUND', async () => {
      const bob = await user('bob');
      const url = roomUrl('!unknown-room:hs.test', 'leave');
      assertError(await post(bob, url), 404, 'M_NOT_FOUND', 'POST', url);
      const remote = roomUrl('!unknown-room:elsewhere.example', 'leave');
      assertError(await post(bob, remote), 404, 'M_NOT_FOUND', 'POST', remote);
    });

    it('leave: malformed room IDs -> 400 M_INVALID_PARAM', async () => {
      const bob = await user('bob');
      for (const raw of ['not-a-room', '!nocolon', '#alias:hs.test', '@bob:hs.test', '!bad:not a server']) {
        const url = roomUrl(raw, 'leave');
        assertError(await post(bob, url), 400, 'M_INVALID_PARAM', 'POST', url);
      }
    });

    /** Sends a leave with the given call shape from a freshly joined user; returns the leave event's content. */
    async function leaveWith(call: Call): Promise<{ res: LightMyRequestResponse; url: string; content: Record<string, unknown> | undefined; alice: TestUser; roomId: string }> {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const url = roomUrl(roomId, 'leave');
      const res = await post(bob, url, call);
      return { res, url, content: (await member(alice, roomId, bob))?.content, alice, roomId };
    }

    it('leave body: `{}` -> 200 {}, a leave without a reason', async () => {
      const { res, url, content } = await leaveWith({ body: {} });
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave' });
    });

    it('leave body: `{"reason":"x"}` -> 200 {}, the reason is in the leave event', async () => {
      const { res, url, content } = await leaveWith({ payload: '{"reason":"x"}', headers: { 'content-type': 'application/json' } });
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave', reason: 'x' });
    });

    it('leave body: no body at all (no Content-Type) -> 200 {}', async () => {
      const { res, url, content } = await leaveWith({});
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave' });
    });

    it('leave body: an empty body with Content-Type application/json -> 200 {}', async () => {
      const { res, url, content } = await leaveWith({ payload: '', headers: { 'content-type': 'application/json' } });
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave' });
    });

    it('leave body: an empty body with Content-Type text/plain -> 200 {}', async () => {
      const { res, url, content } = await leaveWith({ payload: '', headers: { 'content-type': 'text/plain' } });
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave' });
    });

    it('leave body: unknown fields are ignored (and not copied into the event)', async () => {
      const { res, url, content } = await leaveWith({ body: { reason: 'r', 'org.example.extra': { a: 1 }, membership: 'join' } });
      assert.deepEqual(assertOk(res, 'POST', url), {});
      assert.deepEqual(content, { membership: 'leave', reason: 'r' });
    });

    it('leave body: `reason` not a string -> 400 M_BAD_JSON, still joined', async () => {
      for (const reason of [5, null, { text: 'x' }, ['x'], true]) {
        const { res, url, content } = await leaveWith({ body: { reason } });
        assertError(res, 400, 'M_BAD_JSON', 'POST', url);
        assert.equal(content?.membership, 'join', JSON.stringify(reason));
      }
    });

    it('leave body: `[1]`, `"x"`, invalid JSON -> 400 M_NOT_JSON, still joined', async () => {
      for (const payload of ['[1]', '"x"', '{"reason":', '1', 'null']) {
        const { res, url, content } = await leaveWith({ payload, headers: { 'content-type': 'application/json' } });
        assertError(res, 400, 'M_NOT_JSON', 'POST', url);
        assert.equal(content?.membership, 'join', payload);
      }
    });

    it('leave: the room creator may leave; the room lives on for the others', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await r.leave(alice, roomId);
      assert.equal((await member(bob, roomId, alice))?.content.membership, 'leave');
      await r.send(bob, roomId, 'still here');
    });
  });

  // -------------------------------------------------------------------------------------------
  // forget (LEAVING.md: POST /rooms/{roomId}/forget)

  describe('forget', () => {
    async function assertForgetRefused(u: TestUser, roomId: string) {
      const url = roomUrl(roomId, 'forget');
      const err = assertError(await post(u, url), 400, 'M_UNKNOWN', 'POST', url);
      assert.equal(err.error, `User ${u.userId} is in room ${roomId}`);
    }

    async function forget(u: TestUser, roomId: string, call: Call = { body: {} }) {
      const url = roomUrl(roomId, 'forget');
      assert.deepEqual(assertOk(await post(u, url, call), 'POST', url), {});
    }

    /** After a forget: every read of the room is closed to the user. */
    async function assertClosed(u: TestUser, roomId: string, anEventId: string) {
      for (const path of ['messages', 'state', 'members', 'joined_members', 'state/m.room.create/', `context/${enc(anEventId)}`]) {
        const url = roomUrl(roomId, path);
        assertError(await s.request('GET', url, { token: u.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      }
      const url = roomUrl(roomId, `event/${enc(anEventId)}`);
      assertError(await s.request('GET', url, { token: u.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      assert.ok(!(await joinedRooms(u)).includes(roomId));
    }

    it('forget: `join` -> 400 M_UNKNOWN "User @u:hs is in room !r:hs"', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      await assertForgetRefused(bob, roomId);
      await assertForgetRefused(alice, roomId);
      assert.ok((await joinedRooms(bob)).includes(roomId));
      await r.messages(bob, roomId);
    });

    it('forget: `invite` -> 400 M_UNKNOWN "User @u:hs is in room !r:hs"', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      await r.invite(alice, roomId, bob);
      await assertForgetRefused(bob, roomId);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'invite');
    });

    it('forget: `knock` -> 400 M_UNKNOWN "User @u:hs is in room !r:hs"', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await knockRoom(alice);
      await knock(bob, roomId);
      await assertForgetRefused(bob, roomId);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'knock');
    });

    it('forget: `leave` (left) -> 200 {}; then /messages, /state, /members... are 403 and /joined_rooms omits it', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'before the leave');
      await r.leave(bob, roomId);
      await r.messages(bob, roomId); // readable up to the leave, before the forget
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
      // Nothing was sent to the room, and the others still read it.
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'leave');
    });

    it('forget: `leave` (kicked) -> 200 {}, the room is forgotten', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'hello');
      await r.kick(alice, roomId, bob);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
    });

    it('forget: `leave` (rejected invite) -> 200 {}, the room is forgotten', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      const msg = await r.send(alice, roomId, 'hello');
      await r.invite(alice, roomId, bob);
      await r.leave(bob, roomId);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
    });

    it('forget: `ban` -> 200 {}, the room is forgotten; the ban stays', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'hello');
      await r.ban(alice, roomId, bob);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
      assert.equal((await member(alice, roomId, bob))?.content.membership, 'ban');
      assertError(await post(bob, roomUrl(roomId, 'join')), 403, 'M_FORBIDDEN', 'POST', roomUrl(roomId, 'join'));
      const leave = roomUrl(roomId, 'leave');
      assertError(await post(bob, leave), 403, 'M_FORBIDDEN', 'POST', leave);
    });

    it('forget: none (never a member) -> 200 {}', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await forget(bob, roomId);
      assert.equal(await member(alice, roomId, bob), undefined);
    });

    it('forget: unknown room -> 200 {}', async () => {
      const bob = await user('bob');
      await forget(bob, '!unknown-room:hs.test');
      await forget(bob, '!unknown-room:elsewhere.example');
    });

    it('forget: already forgotten -> 200 {}', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'x');
      await r.leave(bob, roomId);
      await forget(bob, roomId);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
      // Leaving a forgotten room is a `leave` -> 200, and does not reopen it.
      assert.deepEqual(assertOk(await post(bob, roomUrl(roomId, 'leave')), 'POST', roomUrl(roomId, 'leave')), {});
      await assertClosed(bob, roomId, msg);
    });

    it('forget body: none, `{}`, unknown fields, empty with Content-Type, any JSON -> 200 {}', async () => {
      const alice = await user('alice');
      const roomId = await roomOf(alice);
      const bobs = await Promise.all([user('bob'), user('bob'), user('bob'), user('bob'), user('bob'), user('bob')]);
      for (const b of bobs) {
        await r.join(b, roomId);
        await r.leave(b, roomId);
      }
      const calls: Call[] = [
        {}, { body: {} }, { body: { 'org.example.x': 1, reason: 5 } }, { payload: '', headers: { 'content-type': 'application/json' } },
        { payload: '[1]', headers: { 'content-type': 'application/json' } }, { payload: '"x"', headers: { 'content-type': 'application/json' } },
      ];
      for (const [i, call] of calls.entries()) {
        await forget(bobs[i]!, roomId, call);
        const res = await s.request('GET', roomUrl(roomId, 'messages'), { token: bobs[i]!.accessToken });
        assert.equal(res.statusCode, 403, `call ${i}`);
      }
    });

    it('forget: malformed room ID -> 400 M_INVALID_PARAM', async () => {
      const bob = await user('bob');
      for (const raw of ['not-a-room', '#alias:hs.test']) {
        const url = roomUrl(raw, 'forget');
        assertError(await post(bob, url), 400, 'M_INVALID_PARAM', 'POST', url);
      }
    });

    it('forget: re-joining un-forgets: /messages is readable again, with the old (shared) history', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      await r.join(bob, roomId);
      const old = await r.send(alice, roomId, 'old news');
      await r.leave(bob, roomId);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, old);
      await r.join(bob, roomId);
      assert.ok((await joinedRooms(bob)).includes(roomId));
      const ids = (await r.messages(bob, roomId)).chunk.map((e: ClientEvent) => e.event_id);
      assert.ok(ids.includes(old), 'shared history before the forget is visible again');
      assert.equal((await member(bob, roomId, bob))?.content.membership, 'join');
    });

    it('forget: a new invite un-forgets: the room is back in the invitee\'s sync', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'private_chat');
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'hi');
      await r.kick(alice, roomId, bob);
      await forget(bob, roomId);
      await assertClosed(bob, roomId, msg);
      await r.invite(alice, roomId, bob);
      const sync = await s.request('GET', `${V3}/sync`, { token: bob.accessToken });
      assert.ok(sync.json().rooms.invite[roomId], 'the re-invited room is in an initial sync again');
      await assertForgetRefused(bob, roomId);
    });

    it('forget: a world_readable room stays readable after a forget', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'public_chat', { initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } }] });
      await r.join(bob, roomId);
      const msg = await r.send(alice, roomId, 'for all eyes');
      await r.leave(bob, roomId);
      await forget(bob, roomId);
      const ids = (await r.messages(bob, roomId)).chunk.map((e: ClientEvent) => e.event_id);
      assert.ok(ids.includes(msg));
    });
  });

  // -------------------------------------------------------------------------------------------
  // identifiers in the path

  describe('room identifiers', () => {
    it('every verb: a malformed room ID in the path -> 400 M_INVALID_PARAM, nothing happens', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice);
      const before = await eventIds(alice, roomId);
      const bad = ['not-a-room', '!nocolon', '#alias:hs.test', `!${'a'.repeat(300)}:hs.test`, '!ü:hs.test'];
      for (const raw of bad) {
        for (const verb of ['join', 'leave', 'forget', 'invite', 'kick', 'ban', 'unban']) {
          const url = roomUrl(raw, verb);
          assertError(await post(alice, url, { body: { user_id: bob.userId } }), 400, 'M_INVALID_PARAM', 'POST', url);
        }
      }
      for (const raw of ['not-a-room', `!${'a'.repeat(300)}:hs.test`, '', '@bob:hs.test']) {
        for (const verb of ['join', 'knock']) {
          const url = `${V3}/${verb}/${enc(raw)}`;
          assertError(await post(bob, url), 400, 'M_INVALID_PARAM', 'POST', url);
        }
      }
      assert.deepEqual(await eventIds(alice, roomId), before);
    });

    it('join: ?via= and ?server_name= are accepted on /join/{roomIdOrAlias}', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await roomOf(alice, 'public_chat', { room_alias_name: `via${n}` });
      const url = `${V3}/join/${enc(`#via${n}:hs.test`)}?via=hs.test&server_name=hs.test`;
      assert.deepEqual(assertOk(await post(bob, url), 'POST', url), { room_id: roomId });
    });

    // Fastify rejects these before routing; its `frameworkErrors` hook turns them into Matrix errors.
    it('a room ID longer than the router allows -> a clean 4xx Matrix error', async () => {
      const alice = await user('alice');
      const url = roomUrl(`!${'a'.repeat(3000)}:hs.test`, 'leave');
      const res = await post(alice, url);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, res.body);
      assert.match(String(res.json().errcode), /^M_/, res.body);
    });

    it('a malformed percent-encoding in the room ID -> 400 with a Matrix errcode', async () => {
      const alice = await user('alice');
      for (const url of [`${V3}/rooms/%ZZ/leave`, `${V3}/knock/%E0%A4%A`]) {
        const res = await post(alice, url);
        assert.equal(res.statusCode, 400, res.body);
        assert.match(String(res.json().errcode), /^M_/, res.body);
      }
    });
  });

  // -------------------------------------------------------------------------------------------

  it('every successful membership verb answers 200 with a JSON object body', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const roomId = await knockRoom(alice);
    const calls: Array<[TestUser, string, Record<string, unknown>, Record<string, unknown>]> = [
      [alice, roomUrl(roomId, 'invite'), { user_id: bob.userId }, {}],
      [bob, roomUrl(roomId, 'join'), {}, { room_id: roomId }],
      [alice, roomUrl(roomId, 'kick'), { user_id: bob.userId }, {}],
      [carol, `${V3}/knock/${enc(roomId)}`, {}, { room_id: roomId }],
      [carol, roomUrl(roomId, 'leave'), {}, {}],
      [carol, roomUrl(roomId, 'forget'), {}, {}],
      [alice, roomUrl(roomId, 'ban'), { user_id: bob.userId }, {}],
      [alice, roomUrl(roomId, 'unban'), { user_id: bob.userId }, {}],
      [alice, `${V3}/join/${enc(roomId)}`, {}, { room_id: roomId }],
    ];
    for (const [u, url, body, expected] of calls) {
      assert.deepEqual(assertOk(await post(u, url, { body }), 'POST', url), expected, url);
    }
  });
}, describe);

forEachBackend('membership API with forget_rooms_on_leave', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  before(async () => {
    s = await startTestServer({ backend, config: { forget_rooms_on_leave: true } });
    r = rest(s);
  });
  after(() => s.close());

  it('a leave, a kick and a ban each forget the room for the user who is out', async () => {
    const alice = await s.createUser('alice');
    const users = await Promise.all(['bob', 'carol', 'dave'].map((u) => s.createUser(u)));
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    for (const u of users) await r.join(u, roomId);
    await r.leave(users[0]!, roomId);
    await r.kick(alice, roomId, users[1]!);
    await r.ban(alice, roomId, users[2]!);
    for (const u of users) {
      const url = `${V3}/rooms/${encodeURIComponent(roomId)}/messages`;
      const res = await s.request('GET', url, { token: u.accessToken });
      assert.equal(res.statusCode, 403, u.userId);
      assert.equal(res.json().errcode, 'M_FORBIDDEN');
    }
    const caps = await s.request('GET', `${V3}/capabilities`, { token: alice.accessToken });
    assert.equal(caps.statusCode, 200);
    assert.deepEqual(caps.json().capabilities['m.forget_forced_upon_leave'], { enabled: true });
    // Rejoining un-forgets.
    await r.join(users[0]!, roomId);
    assert.equal((await s.request('GET', `${V3}/rooms/${encodeURIComponent(roomId)}/messages`, { token: users[0]!.accessToken })).statusCode, 200);
  });
}, describe);
