import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, state, V3 } from '../helpers/rest.js';
import { assertMatrixError as assertError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const CREATE = `${V3}/createRoom`;

const localpart = (u: TestUser) => u.userId.slice(1, u.userId.indexOf(':'));

type StateEvent = { type: string; state_key: string; event_id: string; sender: string; content: Record<string, unknown> };

forEachBackend('createRoom API', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  /** A fresh user per test: the suite shares one server. */
  const user = (name: string) => s.createUser(`${name}${++n}`);

  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  async function create(u: TestUser, body: unknown): Promise<string> {
    const res = await s.request('POST', CREATE, { token: u.accessToken, body });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', CREATE);
    const roomId = res.json().room_id as string;
    assert.match(roomId, /^![A-Za-z0-9_-]+:hs\.test$/);
    return roomId;
  }

  const find = (st: StateEvent[], type: string, stateKey = '') => st.find((e) => e.type === type && e.state_key === stateKey);
  const content = (st: StateEvent[], type: string, stateKey = '') => {
    const e = find(st, type, stateKey);
    assert.ok(e, `no ${type}/${stateKey} in state`);
    return e.content;
  };

  async function timeline(u: TestUser, roomId: string): Promise<StateEvent[]> {
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/messages?dir=f&limit=100`;
    const res = await s.request('GET', url, { token: u.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url);
    return res.json().chunk;
  }

  async function joinedRooms(u: TestUser): Promise<string[]> {
    const res = await s.request('GET', `${V3}/joined_rooms`, { token: u.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/joined_rooms`);
    return res.json().joined_rooms;
  }

  /** The directory as a user sees it (anonymous listing is off by default). */
  async function publicRoomIds(): Promise<string[]> {
    const res = await s.request('GET', `${V3}/publicRooms`, { token: (await user('reader')).accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', `${V3}/publicRooms`);
    return res.json().chunk.map((c: { room_id: string }) => c.room_id);
  }

  async function setProfile(u: TestUser, displayname: string, avatarUrl: string) {
    for (const [field, value] of [['displayname', displayname], ['avatar_url', avatarUrl]] as const) {
      const url = `${V3}/profile/${encodeURIComponent(u.userId)}/${field}`;
      const res = await s.request('PUT', url, { token: u.accessToken, body: { [field]: value } });
      assert.equal(res.statusCode, 200, res.body);
    }
  }

  it('no body at all, and {}: a private_chat room, version 10, with the events in the spec order', async () => {
    const alice = await user('alice');
    for (const call of [{}, { body: {} }]) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, ...call });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', CREATE);
      const roomId = res.json().room_id as string;
      assert.deepEqual(Object.keys(res.json()), ['room_id']);
      assert.ok((await joinedRooms(alice)).includes(roomId));

      const events = await timeline(alice, roomId);
      assert.deepEqual(events.map((e) => e.type), [
        'm.room.create', 'm.room.member', 'm.room.power_levels', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.guest_access',
      ]);
      for (const e of events) assert.equal(e.sender, alice.userId);
      const st = await state(s, alice, roomId);
      assert.deepEqual(content(st, 'm.room.create'), { room_version: '10', creator: alice.userId });
      assert.deepEqual(content(st, 'm.room.member', alice.userId), { membership: 'join', displayname: localpart(alice) }, 'the default displayname');
      assert.deepEqual(content(st, 'm.room.join_rules'), { join_rule: 'invite' });
      assert.deepEqual(content(st, 'm.room.history_visibility'), { history_visibility: 'shared' });
      assert.deepEqual(content(st, 'm.room.guest_access'), { guest_access: 'can_join' });
      const pl = content(st, 'm.room.power_levels');
      assert.deepEqual(pl.users, { [alice.userId]: 100 });
      assert.equal(pl.invite, 0);
      assert.equal(find(st, 'm.room.name'), undefined);
      assert.equal(find(st, 'm.room.topic'), undefined);
      assert.equal(find(st, 'm.room.canonical_alias'), undefined);
    }
  });

  it('preset private_chat: invite-only, shared history, guests can join; a stranger cannot join', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await create(alice, { preset: 'private_chat' });
    const st = await state(s, alice, roomId);
    assert.equal(content(st, 'm.room.join_rules').join_rule, 'invite');
    assert.equal(content(st, 'm.room.history_visibility').history_visibility, 'shared');
    assert.equal(content(st, 'm.room.guest_access').guest_access, 'can_join');
    const pl = content(st, 'm.room.power_levels');
    assert.deepEqual(pl.users, { [alice.userId]: 100 });
    assert.equal(pl.invite, 0);
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/join`;
    assertError(await s.request('POST', url, { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN', 'POST', url);
    assert.ok(!(await publicRoomIds()).includes(roomId), 'a private room is not published by default');
  });

  it('preset public_chat: public join rule, shared history, guests forbidden, invite needs 50; anyone can join', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await create(alice, { preset: 'public_chat' });
    const st = await state(s, alice, roomId);
    assert.equal(content(st, 'm.room.join_rules').join_rule, 'public');
    assert.equal(content(st, 'm.room.history_visibility').history_visibility, 'shared');
    assert.equal(content(st, 'm.room.guest_access').guest_access, 'forbidden');
    const pl = content(st, 'm.room.power_levels');
    assert.deepEqual(pl.users, { [alice.userId]: 100 });
    assert.equal(pl.invite, 50);
    assert.deepEqual(await r.join(bob, roomId), { room_id: roomId });
    assert.equal(content(await state(s, bob, roomId), 'm.room.member', bob.userId).membership, 'join');
    assert.ok(!(await publicRoomIds()).includes(roomId), 'preset alone does not publish the room');
  });

  it('preset trusted_private_chat: invitees get power level 100, like the creator', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const roomId = await create(alice, { preset: 'trusted_private_chat', invite: [bob.userId, carol.userId] });
    const st = await state(s, alice, roomId);
    assert.equal(content(st, 'm.room.join_rules').join_rule, 'invite');
    assert.equal(content(st, 'm.room.history_visibility').history_visibility, 'shared');
    assert.equal(content(st, 'm.room.guest_access').guest_access, 'can_join');
    assert.deepEqual(content(st, 'm.room.power_levels').users, { [alice.userId]: 100, [bob.userId]: 100, [carol.userId]: 100 });
    assert.equal(content(st, 'm.room.member', bob.userId).membership, 'invite');
    assert.equal(content(st, 'm.room.member', carol.userId).membership, 'invite');
    // private_chat invitees do not get any power.
    const other = await create(alice, { preset: 'private_chat', invite: [bob.userId] });
    assert.deepEqual(content(await state(s, alice, other), 'm.room.power_levels').users, { [alice.userId]: 100 });
  });

  it('visibility public: defaults to public_chat and lists the room in GET /publicRooms with its name and topic', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, { visibility: 'public', name: 'Town square', topic: 'Everything' });
    const st = await state(s, alice, roomId);
    assert.equal(content(st, 'm.room.join_rules').join_rule, 'public');
    assert.equal(content(st, 'm.room.guest_access').guest_access, 'forbidden');

    const res = await s.request('GET', `${V3}/publicRooms`, { token: alice.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/publicRooms`);
    const entry = res.json().chunk.find((c: { room_id: string }) => c.room_id === roomId);
    assert.ok(entry, 'the room is in the directory');
    assert.equal(entry.name, 'Town square');
    assert.equal(entry.topic, 'Everything');
    assert.equal(entry.num_joined_members, 1);
    assert.equal(entry.join_rule, 'public');
    assert.equal(entry.world_readable, false);
    assert.equal(entry.guest_can_join, false);

    const listUrl = `${V3}/directory/list/room/${encodeURIComponent(roomId)}`;
    const vis = await s.request('GET', listUrl);
    assert.equal(vis.statusCode, 200);
    assertSpecResponse(vis, 'GET', listUrl);
    assert.deepEqual(vis.json(), { visibility: 'public' });

    // An explicit preset wins over the one visibility implies.
    const privatePublished = await create(alice, { visibility: 'public', preset: 'private_chat' });
    assert.equal(content(await state(s, alice, privatePublished), 'm.room.join_rules').join_rule, 'invite');
    assert.ok((await publicRoomIds()).includes(privatePublished));

    const hidden = await create(alice, { visibility: 'private' });
    assert.ok(!(await publicRoomIds()).includes(hidden));
    const hiddenVis = await s.request('GET', `${V3}/directory/list/room/${encodeURIComponent(hidden)}`);
    assert.deepEqual(hiddenVis.json(), { visibility: 'private' });
  });

  it('room_alias_name: the alias resolves, is the canonical alias, and joins work through it', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const local = `lounge-${n}`;
    const alias = `#${local}:hs.test`;
    const roomId = await create(alice, { preset: 'public_chat', room_alias_name: local });

    const url = `${V3}/directory/room/${encodeURIComponent(alias)}`;
    const resolved = await s.request('GET', url);
    assert.equal(resolved.statusCode, 200, resolved.body);
    assertSpecResponse(resolved, 'GET', url);
    assert.deepEqual(resolved.json(), { room_id: roomId, servers: ['hs.test'] });

    const st = await state(s, alice, roomId);
    assert.deepEqual(content(st, 'm.room.canonical_alias'), { alias });
    const order = (await timeline(alice, roomId)).map((e) => e.type);
    assert.ok(order.indexOf('m.room.canonical_alias') > order.indexOf('m.room.power_levels'));
    assert.ok(order.indexOf('m.room.canonical_alias') < order.indexOf('m.room.join_rules'));

    const aliasesUrl = `${V3}/rooms/${encodeURIComponent(roomId)}/aliases`;
    const aliases = await s.request('GET', aliasesUrl, { token: alice.accessToken });
    assert.equal(aliases.statusCode, 200);
    assertSpecResponse(aliases, 'GET', aliasesUrl);
    assert.deepEqual(aliases.json(), { aliases: [alias] });

    const join = await s.request('POST', `${V3}/join/${encodeURIComponent(alias)}`, { token: bob.accessToken, body: {} });
    assert.equal(join.statusCode, 200, join.body);
    assert.deepEqual(join.json(), { room_id: roomId });
  });

  it('room_alias_name already taken: 400 M_ROOM_IN_USE and no room is created', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const local = `taken-${n}`;
    const first = await create(alice, { room_alias_name: local });
    const roomsBefore = await joinedRooms(bob);
    const publicBefore = await publicRoomIds();

    const res = await s.request('POST', CREATE, { token: bob.accessToken, body: { room_alias_name: local, visibility: 'public', name: 'Thief' } });
    assertError(res, 400, 'M_ROOM_IN_USE', 'POST', CREATE);

    assert.deepEqual(await joinedRooms(bob), roomsBefore, 'bob is in no new room');
    assert.deepEqual(await publicRoomIds(), publicBefore, 'no new room was published');
    const resolved = await s.request('GET', `${V3}/directory/room/${encodeURIComponent(`#${local}:hs.test`)}`);
    assert.equal(resolved.json().room_id, first, 'the alias still points at the first room');
  });

  it('room_alias_name raced by two requests: one room gets it, the other request is 400 M_ROOM_IN_USE', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const local = `race-${n}`;
    const [a, b] = await Promise.all([
      s.request('POST', CREATE, { token: alice.accessToken, body: { room_alias_name: local } }),
      s.request('POST', CREATE, { token: bob.accessToken, body: { room_alias_name: local } }),
    ]);
    const codes = [a.statusCode, b.statusCode].sort();
    assert.deepEqual(codes, [200, 400], `${a.body} ${b.body}`);
    const [won, lost] = a.statusCode === 200 ? [a, b] : [b, a];
    const [winner, loser] = a.statusCode === 200 ? [alice, bob] : [bob, alice];
    assertError(lost, 400, 'M_ROOM_IN_USE', 'POST', CREATE);
    assert.deepEqual(await joinedRooms(winner), [won.json().room_id]);
    assert.deepEqual(await joinedRooms(loser), []);
    const resolved = await s.request('GET', `${V3}/directory/room/${encodeURIComponent(`#${local}:hs.test`)}`);
    assert.equal(resolved.json().room_id, won.json().room_id);
  });

  it('room_alias_name that cannot make an alias: 400 M_INVALID_PARAM and no room is created', async () => {
    const alice = await user('alice');
    for (const bad of ['a:b', 'with space', '']) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { room_alias_name: bad } });
      assertError(res, 400, 'M_INVALID_PARAM', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('name and topic become m.room.name and m.room.topic, and win over initial_state', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, {
      name: 'The name',
      topic: 'The topic',
      initial_state: [
        { type: 'm.room.name', state_key: '', content: { name: 'overridden' } },
        { type: 'm.room.topic', content: { topic: 'overridden too' } },
      ],
    });
    const st = await state(s, alice, roomId);
    assert.deepEqual(content(st, 'm.room.name'), { name: 'The name' });
    assert.deepEqual(content(st, 'm.room.topic'), { topic: 'The topic' });
    const nameUrl = `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`;
    const name = await s.request('GET', nameUrl, { token: alice.accessToken });
    assert.equal(name.statusCode, 200);
    assertSpecResponse(name, 'GET', nameUrl);
    assert.deepEqual(name.json(), { name: 'The name' });
  });

  it('invite: invite events carry the invitee\'s displayname and avatar_url; the invitee can join', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    await setProfile(bob, 'Bob Builder', 'mxc://hs.test/bob');
    const roomId = await create(alice, { invite: [bob.userId, carol.userId] });
    const st = await state(s, alice, roomId);
    const bobInvite = find(st, 'm.room.member', bob.userId);
    assert.ok(bobInvite);
    assert.equal(bobInvite.sender, alice.userId);
    assert.deepEqual(bobInvite.content, { membership: 'invite', displayname: 'Bob Builder', avatar_url: 'mxc://hs.test/bob' });
    assert.deepEqual(content(st, 'm.room.member', carol.userId), { membership: 'invite', displayname: localpart(carol) }, 'no is_direct unless asked; the default profile');
    const types = (await timeline(alice, roomId)).map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['m.room.member', 'm.room.member'], 'invites come last');

    assert.deepEqual(await r.join(bob, roomId), { room_id: roomId });
    assert.deepEqual(content(await state(s, bob, roomId), 'm.room.member', bob.userId),
      { membership: 'join', displayname: 'Bob Builder', avatar_url: 'mxc://hs.test/bob' });
  });

  it('invite with is_direct: every invite event has is_direct true', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await setProfile(bob, 'Bobby', 'mxc://hs.test/b');
    const roomId = await create(alice, { preset: 'trusted_private_chat', is_direct: true, invite: [bob.userId] });
    const st = await state(s, alice, roomId);
    assert.deepEqual(content(st, 'm.room.member', bob.userId), { membership: 'invite', displayname: 'Bobby', avatar_url: 'mxc://hs.test/b', is_direct: true });
    assert.equal(content(st, 'm.room.member', alice.userId).is_direct, undefined, 'the creator\'s own join is not marked');
  });

  it('invite: the creator and duplicates are skipped', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await create(alice, { invite: [alice.userId, bob.userId, bob.userId] });
    const members = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.member');
    assert.deepEqual(members.map((e) => [e.state_key, e.content.membership]), [[alice.userId, 'join'], [bob.userId, 'invite']]);
  });

  it('invite of an invalid user ID: 400 M_INVALID_PARAM and no room is created', async () => {
    const alice = await user('alice');
    for (const bad of ['bob', '@bob', 'bob:hs.test', '#bob:hs.test', '@:hs.test']) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { invite: [bad] } });
      assertError(res, 400, 'M_INVALID_PARAM', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('invite of an unknown local user: 404 M_NOT_FOUND and no room is created', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { invite: [bob.userId, '@nobody-here:hs.test'] } });
    assertError(res, 404, 'M_NOT_FOUND', 'POST', CREATE);
    assert.deepEqual(await joinedRooms(alice), []);
    const sync = await s.request('GET', `${V3}/joined_rooms`, { token: bob.accessToken });
    assert.deepEqual(sync.json().joined_rooms, []);
  });

  it('invite of a user on another server: 403 M_FORBIDDEN (no federation)', async () => {
    const alice = await user('alice');
    const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { invite: ['@bob:elsewhere.example'] } });
    assertError(res, 403, 'M_FORBIDDEN', 'POST', CREATE);
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('initial_state overrides the preset\'s defaults (no default event is sent for them) and adds custom state', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, {
      preset: 'private_chat',
      initial_state: [
        { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } },
        { type: 'm.room.join_rules', content: { join_rule: 'knock' } },
        { type: 'org.example.custom', state_key: 'k1', content: { hello: 'world' } },
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
    const st = await state(s, alice, roomId);
    assert.deepEqual(content(st, 'm.room.history_visibility'), { history_visibility: 'joined' });
    assert.deepEqual(content(st, 'm.room.join_rules'), { join_rule: 'knock' });
    assert.deepEqual(content(st, 'm.room.guest_access'), { guest_access: 'can_join' }, 'defaults not overridden are kept');
    assert.deepEqual(content(st, 'org.example.custom', 'k1'), { hello: 'world' });
    assert.deepEqual(content(st, 'm.room.encryption'), { algorithm: 'm.megolm.v1.aes-sha2' });
    const events = await timeline(alice, roomId);
    assert.equal(events.filter((e) => e.type === 'm.room.history_visibility').length, 1, 'the preset default is not sent and then replaced');
    assert.equal(events.filter((e) => e.type === 'm.room.join_rules').length, 1);
  });

  it('initial_state may not set m.room.create or m.room.member: 400 and no room is created', async () => {
    const alice = await user('alice');
    for (const type of ['m.room.create', 'm.room.member']) {
      const stateKey = type === 'm.room.member' ? alice.userId : '';
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { initial_state: [{ type, state_key: stateKey, content: {} }] } });
      assertError(res, 400, 'M_BAD_JSON', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('power_level_content_override is applied on top of the defaults', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await create(alice, {
      invite: [bob.userId],
      power_level_content_override: {
        users: { [alice.userId]: 100, [bob.userId]: 50 },
        events: { 'm.room.name': 100, 'm.room.topic': 75 },
        invite: 50,
        kick: 75,
        users_default: 10,
      },
    });
    const pl = content(await state(s, alice, roomId), 'm.room.power_levels');
    assert.deepEqual(pl.users, { [alice.userId]: 100, [bob.userId]: 50 });
    assert.deepEqual(pl.events, { 'm.room.name': 100, 'm.room.topic': 75 }, 'a key given replaces the default whole');
    assert.equal(pl.invite, 50);
    assert.equal(pl.kick, 75);
    assert.equal(pl.users_default, 10);
    assert.equal(pl.ban, 50, 'keys not given keep their defaults');
    assert.equal(pl.state_default, 50);

    // And it is enforced: bob (50) may not set the name (100).
    await r.join(bob, roomId);
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`;
    const res = await s.request('PUT', url, { token: bob.accessToken, body: { name: 'bob was here' } });
    assertError(res, 403, 'M_FORBIDDEN', 'PUT', url);
  });

  it('power_level_content_override that leaves the creator unable to set up the room: 400 M_INVALID_ROOM_STATE, no room', async () => {
    const alice = await user('alice');
    const bodies = [
      { power_level_content_override: { users: {} } },
      { name: 'needs 101', power_level_content_override: { events: { 'm.room.name': 101 } } },
    ];
    for (const body of bodies) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body });
      assertError(res, 400, 'M_INVALID_ROOM_STATE', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('power_level_content_override with content the auth rules refuse: 400 M_INVALID_ROOM_STATE, no room', async () => {
    const alice = await user('alice');
    for (const override of [{ users: { 'not-a-user': 100 } }, { kick: 'high' }]) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { power_level_content_override: override } });
      assertError(res, 400, 'M_INVALID_ROOM_STATE', 'POST', CREATE);
    }
    // Not canonical JSON at all (a float): the content itself is bad.
    const float = await s.request('POST', CREATE, { token: alice.accessToken, body: { power_level_content_override: { events: { 'm.room.name': 1.5 } } } });
    assertError(float, 400, 'M_BAD_JSON', 'POST', CREATE);
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('creation_content: m.federate and type are kept in the create event; room_version cannot be overridden', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, {
      visibility: 'public',
      creation_content: { 'm.federate': false, type: 'm.space', room_version: '11', 'org.example.extra': [1, 2] },
    });
    const createEvent = find(await state(s, alice, roomId), 'm.room.create');
    assert.ok(createEvent);
    assert.deepEqual(createEvent.content, {
      'm.federate': false, type: 'm.space', room_version: '10', creator: alice.userId, 'org.example.extra': [1, 2],
    });
    const res = await s.request('POST', `${V3}/publicRooms`, { token: alice.accessToken, body: {} });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'POST', `${V3}/publicRooms`);
    const entry = res.json().chunk.find((c: { room_id: string }) => c.room_id === roomId);
    assert.equal(entry.room_type, 'm.space');
  });

  it('room_version 10: the create event has creator and room_version "10"', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, { room_version: '10' });
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.create`;
    const res = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', url);
    assert.deepEqual(res.json(), { creator: alice.userId, room_version: '10' });
  });

  it('room_version 11: the create event has no creator, even when creation_content asks for one', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    for (const body of [{ room_version: '11' }, { room_version: '11', creation_content: { creator: bob.userId } }]) {
      const roomId = await create(alice, body);
      const url = `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.create`;
      const res = await s.request('GET', url, { token: alice.accessToken });
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'GET', url);
      assert.deepEqual(res.json(), { room_version: '11' });
      const createEvent = (await timeline(alice, roomId))[0];
      assert.ok(createEvent);
      assert.equal(createEvent.type, 'm.room.create');
      assert.equal(createEvent.sender, alice.userId);
      // The room works: a message can be sent and the creator has the power.
      await r.send(alice, roomId, 'hello v11');
      assert.deepEqual(content(await state(s, alice, roomId), 'm.room.power_levels').users, { [alice.userId]: 100 });
    }
  });

  it('room_version 10 with a creator in creation_content: the creator is the requester', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await create(alice, { room_version: '10', creation_content: { creator: bob.userId } });
    assert.equal(content(await state(s, alice, roomId), 'm.room.create').creator, alice.userId);
  });

  it('an unsupported room_version: 400 M_UNSUPPORTED_ROOM_VERSION and no room is created', async () => {
    const alice = await user('alice');
    for (const v of ['1', '2', '12', 'org.example.custom', '', 'constructor', '__proto__']) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { room_version: v } });
      assertError(res, 400, 'M_UNSUPPORTED_ROOM_VERSION', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('fields of the wrong type: 400 M_BAD_JSON, and no room is created', async () => {
    const alice = await user('alice');
    const bodies: Array<Record<string, unknown>> = [
      { name: 5 },
      { topic: { text: 'x' } },
      { room_version: 10 },
      { visibility: 'secret' },
      { preset: 'party' },
      { is_direct: 'yes' },
      { invite: 'bob' },
      { invite: [5] },
      { room_alias_name: 7 },
      { creation_content: [] },
      { creation_content: 'x' },
      { initial_state: {} },
      { initial_state: ['x'] },
      { initial_state: [{ type: 5, content: {} }] },
      { initial_state: [{ type: 'm.room.topic', content: 'x' }] },
      { power_level_content_override: 3 },
    ];
    for (const body of bodies) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body });
      assertError(res, 400, 'M_BAD_JSON', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('a lone surrogate anywhere in the room\'s events (initial_state type or state key, name, creation_content): 400 M_BAD_JSON, no room', async () => {
    const alice = await user('alice');
    const lone = 'x\ud800y';
    const bodies: Array<Record<string, unknown>> = [
      { initial_state: [{ type: lone, state_key: '', content: {} }] },
      { initial_state: [{ type: 'org.example.custom', state_key: lone, content: {} }] },
      { initial_state: [{ type: 'org.example.custom', state_key: '', content: { [lone]: 1 } }] },
      { name: lone },
      { topic: lone },
      { creation_content: { [lone]: true } },
      { power_level_content_override: { events: { [lone]: 50 } } },
    ];
    for (const body of bodies) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, body });
      assertError(res, 400, 'M_BAD_JSON', 'POST', CREATE);
      assert.match(res.json().error, /lone UTF-16 surrogate/);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('an initial_state entry without content: 400 M_MISSING_PARAM', async () => {
    const alice = await user('alice');
    const res = await s.request('POST', CREATE, { token: alice.accessToken, body: { initial_state: [{ type: 'm.room.topic' }] } });
    assertError(res, 400, 'M_MISSING_PARAM', 'POST', CREATE);
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('a body that is not a JSON object: 400 M_NOT_JSON', async () => {
    const alice = await user('alice');
    for (const payload of ['[1]', '"x"', '{"name":', 'null']) {
      const res = await s.request('POST', CREATE, { token: alice.accessToken, payload, headers: { 'content-type': 'application/json' } });
      assertError(res, 400, 'M_NOT_JSON', 'POST', CREATE);
    }
    assert.deepEqual(await joinedRooms(alice), []);
  });

  it('unknown fields are ignored', async () => {
    const alice = await user('alice');
    const roomId = await create(alice, { name: 'x', 'org.example.unknown': { deep: true } });
    assert.equal(content(await state(s, alice, roomId), 'm.room.name').name, 'x');
  });

  it('without an access token: 401 M_MISSING_TOKEN', async () => {
    const res = await s.request('POST', CREATE, { body: {} });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errcode, 'M_MISSING_TOKEN');
  });
}, describe);
