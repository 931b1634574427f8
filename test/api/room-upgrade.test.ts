import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, state, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const COPIED = [
  'm.room.server_acl', 'm.room.encryption', 'm.room.name', 'm.room.avatar', 'm.room.topic',
  'm.room.guest_access', 'm.room.history_visibility', 'm.room.join_rules', 'm.room.pinned_events',
];

forEachBackend('POST /rooms/{roomId}/upgrade', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  const user = (name: string) => s.createUser(`${name}${++n}`);
  const enc = encodeURIComponent;
  const upgradeUrl = (roomId: string) => `${V3}/rooms/${enc(roomId)}/upgrade`;

  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  const upgradeRes = (u: TestUser, roomId: string, newVersion: unknown) =>
    s.request('POST', upgradeUrl(roomId), { token: u.accessToken, body: { new_version: newVersion } });
  async function upgrade(u: TestUser, roomId: string, newVersion: string): Promise<string> {
    const res = await upgradeRes(u, roomId, newVersion);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', upgradeUrl(roomId));
    const replacement = res.json().replacement_room as string;
    assert.match(replacement, /^!/);
    assert.notEqual(replacement, roomId);
    return replacement;
  }
  const find = (st: Body[], type: string, stateKey = '') => st.find((e) => e.type === type && e.state_key === stateKey);
  const contentOf = (st: Body[], type: string, stateKey = '') => {
    const e = find(st, type, stateKey);
    assert.ok(e, `no ${type}/${stateKey} in state`);
    return e.content;
  };
  const lastEventId = async (u: TestUser, roomId: string) => (await r.messages(u, roomId, 'dir=b&limit=1')).chunk[0].event_id as string;
  const joinedMembers = async (u: TestUser, roomId: string) => Object.keys((await r.ok('GET', `${r.room(roomId)}/joined_members`, u)).joined).sort();

  it('copies the state, power levels and bans, moves the aliases and the directory entry, and tombstones the old room', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const aliasName = `upgraded${n}`;
    const old = await r.createRoom(alice, {
      visibility: 'public', room_alias_name: aliasName, name: 'Old name', topic: 'Old topic',
      initial_state: [
        { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
        { type: 'm.room.avatar', content: { url: 'mxc://hs.test/avatar' } },
        { type: 'm.room.server_acl', content: { allow: ['*'], deny: ['evil.example'], allow_ip_literals: false } },
        { type: 'm.room.guest_access', content: { guest_access: 'can_join' } },
        { type: 'm.room.history_visibility', content: { history_visibility: 'joined' } },
      ],
    });
    const alias = `#${aliasName}:hs.test`;
    await r.join(bob, old);
    await r.join(carol, old);
    await r.ban(alice, old, carol);
    await r.putState(alice, old, 'm.room.pinned_events', { pinned: [await r.send(alice, old, 'pin me')] });
    const oldLevels = contentOf(await state(s, alice, old), 'm.room.power_levels');
    await r.putState(alice, old, 'm.room.power_levels', { ...oldLevels, users: { ...oldLevels.users, [bob.userId]: 20 }, events: { ...oldLevels.events, 'm.room.topic': 20 } });
    await r.putState(alice, old, 'x.custom', { not: 'copied' });
    const before = await state(s, alice, old);
    const predecessorEvent = await lastEventId(alice, old);

    const replacement = await upgrade(alice, old, '11');

    const after = await state(s, alice, replacement);
    const create = contentOf(after, 'm.room.create');
    assert.deepEqual(create, { room_version: '11', predecessor: { room_id: old, event_id: predecessorEvent } }, 'v11: no creator');
    assert.equal(find(after, 'm.room.create')?.sender, alice.userId);
    for (const type of COPIED) assert.deepEqual(contentOf(after, type), contentOf(before, type), type);
    assert.equal(find(after, 'x.custom'), undefined, 'other state is not copied');
    const oldPl = contentOf(before, 'm.room.power_levels');
    const newPl = contentOf(after, 'm.room.power_levels');
    for (const key of ['users', 'events', 'users_default', 'events_default', 'state_default', 'ban', 'kick', 'redact', 'invite']) {
      assert.deepEqual(newPl[key], oldPl[key], `power levels: ${key}`);
    }
    assert.equal(contentOf(after, 'm.room.member', carol.userId).membership, 'ban', 'the ban is copied');
    assert.deepEqual(await joinedMembers(alice, replacement), [alice.userId], 'nobody else is moved');

    assert.deepEqual(contentOf(after, 'm.room.canonical_alias'), { alias });
    assert.equal((await r.ok('GET', `/directory/room/${enc(alias)}`, bob)).room_id, replacement, 'the alias points to the new room');
    assert.deepEqual(contentOf(await state(s, alice, old), 'm.room.canonical_alias'), {}, 'the old room\'s canonical alias is cleared');
    const listed = (await r.ok('GET', '/publicRooms?limit=1000', bob)).chunk.map((c: Body) => c.room_id);
    assert.ok(listed.includes(replacement), 'the new room is published');
    assert.ok(!listed.includes(old), 'the old room is not');

    const oldAfter = await state(s, alice, old);
    assert.deepEqual(contentOf(oldAfter, 'm.room.tombstone'), { body: 'This room has been replaced', replacement_room: replacement });
    assert.equal(find(oldAfter, 'm.room.tombstone')?.sender, alice.userId);
    const restricted = contentOf(oldAfter, 'm.room.power_levels');
    assert.equal(restricted.events_default, 50);
    assert.equal(restricted.invite, 50);
    assert.deepEqual(restricted.users, oldPl.users, 'only events_default and invite change');

    assert.deepEqual(await joinedMembers(bob, old), [alice.userId, bob.userId].sort(), 'members stay in the old room');
    // A user at users_default can no longer speak in the old room.
    const sendUrl = `${V3}/rooms/${enc(old)}/send/m.room.message/after-upgrade`;
    assertMatrixError(await s.request('PUT', sendUrl, { token: bob.accessToken, body: { msgtype: 'm.text', body: 'hi' } }), 403, 'M_FORBIDDEN', 'PUT', sendUrl);
    await r.join(bob, replacement);
    await r.leave(bob, old);
    assert.deepEqual(await joinedMembers(bob, replacement), [alice.userId, bob.userId].sort());
    assert.deepEqual(await joinedMembers(alice, old), [alice.userId]);
    // The banned user stays banned.
    const joinUrl = `${V3}/rooms/${enc(replacement)}/join`;
    assertMatrixError(await s.request('POST', joinUrl, { token: carol.accessToken, body: {} }), 403, 'M_FORBIDDEN', 'POST', joinUrl);
  });

  it('a user with the tombstone level but not every state level is raised while copying, then given their own level back', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const old = await r.createRoom(alice, {
      preset: 'public_chat', room_version: '9', name: 'Nine',
      power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 60 }, users_default: 55, events: { 'm.room.tombstone': 60, 'm.room.name': 100, 'm.room.power_levels': 100 } },
    });
    await r.join(bob, old);
    const before = await state(s, bob, old);
    const predecessorEvent = await lastEventId(bob, old);

    const replacement = await upgrade(bob, old, '10');

    const after = await state(s, bob, replacement);
    assert.deepEqual(contentOf(after, 'm.room.create'), { room_version: '10', creator: bob.userId, predecessor: { room_id: old, event_id: predecessorEvent } }, 'v10 names the creator');
    assert.deepEqual(contentOf(after, 'm.room.name'), { name: 'Nine' }, 'copied although it needs level 100');
    assert.deepEqual(contentOf(after, 'm.room.power_levels').users, contentOf(before, 'm.room.power_levels').users, 'bob is back at 60');
    const oldAfter = await state(s, bob, old);
    assert.equal(contentOf(oldAfter, 'm.room.tombstone').replacement_room, replacement);
    assert.deepEqual(contentOf(oldAfter, 'm.room.power_levels'), contentOf(before, 'm.room.power_levels'), 'bob may not change the old power levels: they stay');
  });

  it('raises events_default and invite to users_default + 1 when that is above 50', async () => {
    const alice = await user('alice');
    const old = await r.createRoom(alice, { power_level_content_override: { users_default: 70, users: { [alice.userId]: 100 } } });
    await upgrade(alice, old, '10');
    const levels = contentOf(await state(s, alice, old), 'm.room.power_levels');
    assert.equal(levels.events_default, 71);
    assert.equal(levels.invite, 71);
  });

  it('refuses an unserved version (400), a user without the tombstone level or not in the room (403), an unknown room (404), and changes nothing', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const dave = await user('dave');
    const old = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, old);
    const refused = async (u: TestUser, roomId: string, version: unknown, status: number, errcode: string) =>
      assertMatrixError(await upgradeRes(u, roomId, version), status, errcode, 'POST', upgradeUrl(roomId));
    for (const version of ['1', '2', '999', 'x']) await refused(alice, old, version, 400, 'M_UNSUPPORTED_ROOM_VERSION');
    await refused(bob, old, '10', 403, 'M_FORBIDDEN'); // at level 0
    await refused(dave, old, '10', 403, 'M_FORBIDDEN'); // not in the room
    await refused(alice, '!nowhere:hs.test', '10', 404, 'M_NOT_FOUND');
    await refused(alice, old, 10, 400, 'M_BAD_JSON'); // new_version must be a string
    assert.equal(find(await state(s, alice, old), 'm.room.tombstone'), undefined);
    assert.deepEqual((await r.ok('GET', '/joined_rooms', alice)).joined_rooms, [old], 'no room was created');
  });
}, describe);
