import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeEventId } from '../../src/core/events/hashes.js';
import type { Pdu } from '../../src/core/events/types.js';
import type { EventId } from '../../src/core/ids.js';
import { getRoomVersion, type RoomVersion } from '../../src/core/room-versions.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, state, sync, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const CREATE = `${V3}/createRoom`;
const SERVED = ['3', '4', '5', '6', '7', '8', '9', '10', '11'];
/** v3 event IDs: standard Base64 of the reference hash; v4+: URL-safe. */
const STANDARD_ID = /^\$[A-Za-z0-9+/]{43}$/;
const URL_SAFE_ID = /^\$[A-Za-z0-9_-]{43}$/;

forEachBackend('room versions 3 to 11 through the client API', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  const user = (name: string) => s.createUser(`${name}${++n}`);

  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  /** The stored PDU of an event, as other servers would receive it. */
  async function pdu(eventId: string): Promise<Pdu> {
    const stored = await s.app.store.events.get(eventId as EventId);
    assert.ok(stored, `event ${eventId} is stored`);
    const { event_id: _id, ...federationForm } = stored.event;
    return federationForm;
  }

  it('createRoom with each room_version: the create event names it and every event ID is its reference hash, in the version\'s alphabet', async () => {
    const alice = await user('alice');
    for (const id of SERVED) {
      const roomId = await r.createRoom(alice, { room_version: id, preset: 'public_chat', name: `v${id}` });
      const events = await state(s, alice, roomId);
      const create = events.find((e) => e.type === 'm.room.create');
      assert.deepEqual(create?.content, id === '11' ? { room_version: id } : { room_version: id, creator: alice.userId }, id);
      assert.ok(events.length >= 6, id);
      const version = getRoomVersion(id) as RoomVersion;
      for (const e of events) {
        assert.match(e.event_id, id === '3' ? STANDARD_ID : URL_SAFE_ID, `v${id} ${e.type}`);
        assert.equal(computeEventId(await pdu(e.event_id), version), e.event_id, `v${id} ${e.type}`);
      }
    }
  });

  it('v3: an event ID holding "/" or "+" is reached through the URL (GET event, redact) when encoded', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice, { room_version: '3' });
    let eventId = '';
    // About three IDs in four hold one of the two characters.
    for (let i = 0; i < 40 && !/[+/]/.test(eventId); i++) eventId = await r.send(alice, roomId, `message ${i}`);
    assert.match(eventId, /[+/]/);
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`;
    const got = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(got.statusCode, 200, got.body);
    assertSpecResponse(got, 'GET', url);
    assert.equal(got.json().event_id, eventId);
    const redact = `${V3}/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(eventId)}/r1`;
    const res = await s.request('PUT', redact, { token: alice.accessToken, body: { reason: 'test' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.json().event_id, STANDARD_ID);
    const redacted = await s.request('GET', url, { token: alice.accessToken });
    assert.deepEqual(redacted.json().content, {});
    // The redaction names its target at the top level (v3 to v10).
    assert.equal((await pdu(res.json().event_id)).redacts, eventId);
  });

  /** A room of `version` whose join rule is `joinRule` (set through initial_state). */
  async function roomWithJoinRule(creator: TestUser, version: string, joinRule: Record<string, unknown>): Promise<string> {
    return r.createRoom(creator, { room_version: version, initial_state: [{ type: 'm.room.join_rules', content: joinRule }] });
  }

  /** POST `url` (a join or a knock) is 403 M_FORBIDDEN, and leaves `who` without a membership. */
  async function refusedWithoutMembership(who: TestUser, roomId: string, url: string): Promise<void> {
    const res = await s.request('POST', url, { token: who.accessToken, body: {} });
    assertMatrixError(res, 403, 'M_FORBIDDEN', 'POST', url);
    assert.equal((await s.app.store.memberships.get(roomId as never, who.userId))?.membership, undefined);
  }

  it('knocking: v7 lets a user knock on a knock room; v6 has no knocking: 403 M_FORBIDDEN, no membership', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const v7 = await roomWithJoinRule(alice, '7', { join_rule: 'knock' });
    const ok = await s.request('POST', `${V3}/knock/${encodeURIComponent(v7)}`, { token: bob.accessToken, body: {} });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { room_id: v7 });

    const v6 = await roomWithJoinRule(alice, '6', { join_rule: 'knock' });
    await refusedWithoutMembership(bob, v6, `${V3}/knock/${encodeURIComponent(v6)}`);
  });

  it('restricted joins: v8 lets a member of the allowed room join; v7 does not know the rule: 403 M_FORBIDDEN', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const space = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, space);
    const rule = { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: space }] };
    const v8 = await roomWithJoinRule(alice, '8', rule);
    await r.join(bob, v8);
    const joined = (await state(s, bob, v8)).find((e) => e.type === 'm.room.member' && e.state_key === bob.userId);
    assert.deepEqual(joined?.content.join_authorised_via_users_server, alice.userId);

    const v7 = await roomWithJoinRule(alice, '7', rule);
    await refusedWithoutMembership(bob, v7, `${V3}/rooms/${encodeURIComponent(v7)}/join`);
  });

  it('string power levels: accepted in v9 and read by value (bob at "50" may then set the name); refused in v10: 403 M_FORBIDDEN', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const levels = { users: { [alice.userId]: '100', [bob.userId]: '50' }, state_default: ' 50 ', events: { 'm.room.power_levels': '100' } };
    const v9 = await r.createRoom(alice, { room_version: '9', preset: 'public_chat' });
    await r.join(bob, v9);
    await r.putState(alice, v9, 'm.room.power_levels', levels);
    await r.putState(bob, v9, 'm.room.name', { name: 'named by bob' });
    const stored = (await state(s, alice, v9)).find((e) => e.type === 'm.room.power_levels');
    assert.deepEqual(stored?.content, levels);

    const v10 = await r.createRoom(alice, { room_version: '10', preset: 'public_chat' });
    const url = `${V3}/rooms/${encodeURIComponent(v10)}/state/m.room.power_levels/`;
    const res = await s.request('PUT', url, { token: alice.accessToken, body: levels });
    assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', url);
    assert.deepEqual((await state(s, alice, v10)).find((e) => e.type === 'm.room.power_levels')?.content.users, { [alice.userId]: 100 });
  });

  it('string power levels count for push rules: an @room from a user at "100" in a v9 room highlights, as 100 does in v10', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    for (const [id, level] of [['9', '100'], ['10', 100]] as const) {
      const roomId = await r.createRoom(alice, { room_version: id, preset: 'public_chat' });
      await r.join(bob, roomId);
      await r.putState(alice, roomId, 'm.room.power_levels', { users: { [alice.userId]: level } });
      await r.ok('PUT', `${r.room(roomId)}/send/m.room.message/mention${id}`, alice, { msgtype: 'm.text', body: '@room look', 'm.mentions': { room: true } });
      const room = (await sync(s, bob)).rooms.join[roomId];
      assert.deepEqual(room.unread_notifications, { notification_count: 1, highlight_count: 1 }, `v${id}`);
    }
  });

  it('m.room.aliases from a client: 403 M_FORBIDDEN in v3 to v5, where its auth rule would let a non-member set it; an ordinary state event from v6', async () => {
    const alice = await user('alice');
    const carol = await user('carol');
    for (const id of ['3', '5']) {
      const roomId = await r.createRoom(alice, { room_version: id });
      for (const who of [carol, alice]) {
        const url = `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.aliases/hs.test`;
        const res = await s.request('PUT', url, { token: who.accessToken, body: { aliases: ['#spam:hs.test'] } });
        assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', url);
      }
      const initial = await s.request('POST', CREATE, { token: alice.accessToken, body: { room_version: id, initial_state: [{ type: 'm.room.aliases', state_key: 'hs.test', content: { aliases: [] } }] } });
      assertMatrixError(initial, 403, 'M_FORBIDDEN', 'POST', CREATE);
      assert.equal((await state(s, alice, roomId)).some((e) => e.type === 'm.room.aliases'), false);
    }
    const v6 = await r.createRoom(alice, { room_version: '6' });
    const refused = await s.request('PUT', `${V3}/rooms/${encodeURIComponent(v6)}/state/m.room.aliases/hs.test`, { token: carol.accessToken, body: { aliases: [] } });
    assert.equal(refused.statusCode, 403, 'a non-member is refused by the auth rules');
    await r.putState(alice, v6, 'm.room.aliases', { aliases: ['#a:hs.test'] }, 'hs.test');
  });

  it('floats: refused in every version (v5 as v6): 400 M_BAD_JSON, nothing stored, since only canonical JSON can be hashed alike by every server', async () => {
    const alice = await user('alice');
    for (const id of ['5', '6']) {
      const roomId = await r.createRoom(alice, { room_version: id });
      const count = (await r.messages(alice, roomId)).chunk.length;
      const url = `${V3}/rooms/${encodeURIComponent(roomId)}/send/org.example.float/f${id}`;
      const res = await s.request('PUT', url, { token: alice.accessToken, body: { value: 1.5 } });
      assertMatrixError(res, 400, 'M_BAD_JSON', 'PUT', url);
      assert.equal((await r.messages(alice, roomId)).chunk.length, count, id);
    }
  });
}, describe);

forEachBackend('default_room_version', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, config: { default_room_version: '9' } });
  });
  after(() => s.close());

  it('/capabilities names it as the default among every served version, all stable; createRoom without room_version uses it', async () => {
    const alice = await s.createUser('alice');
    const res = await s.request('GET', `${V3}/capabilities`, { token: alice.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/capabilities`);
    assert.deepEqual(res.json().capabilities['m.room_versions'], {
      default: '9',
      available: Object.fromEntries(SERVED.map((v) => [v, 'stable'])),
    });
    const created = await s.request('POST', CREATE, { token: alice.accessToken, body: {} });
    assert.equal(created.statusCode, 200, created.body);
    const create = (await state(s, alice, created.json().room_id)).find((e) => e.type === 'm.room.create');
    assert.deepEqual(create?.content, { room_version: '9', creator: alice.userId });
  });
}, describe);
