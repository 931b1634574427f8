import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend, type BackendName } from '../helpers/backends.js';
import { rest, sync as syncAs, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * `PUT /rooms/{roomId}/state/m.room.member/{userId}` is the spec's state endpoint for membership:
 * per-room display names and avatars, joins with extra content, and every membership change, each
 * through the same code, auth rules, rate limiter and LEAVING.md semantics as the membership endpoints.
 */

type Ev = { type: string; event_id: string; state_key?: string; sender: string; content: Record<string, unknown> };
type RoomSection = { timeline: { events: Ev[] }; state: { events: Ev[] } };
type Sync = { next_batch: string; rooms?: { join?: Record<string, RoomSection>; leave?: Record<string, RoomSection> } };

const INCLUDE_LEAVE = `filter=${encodeURIComponent(JSON.stringify({ room: { include_leave: true } }))}`;

function suite(backend: BackendName, config: Record<string, unknown> = {}) {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend, config });
    r = rest(s);
  });
  after(() => s.close());
  const user = (name: string) => s.createUser(`${name}-${++n}`);
  const memberUrl = (roomId: string, target: TestUser) => `${V3}${r.room(roomId)}/state/m.room.member/${encodeURIComponent(target.userId)}`;
  const putMember = (roomId: string, sender: TestUser, target: TestUser, content: unknown) =>
    s.request('PUT', memberUrl(roomId, target), { token: sender.accessToken, body: content });
  async function putMemberOk(roomId: string, sender: TestUser, target: TestUser, content: Record<string, unknown>): Promise<string> {
    const res = await putMember(roomId, sender, target, content);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'PUT', memberUrl(roomId, target));
    return res.json().event_id;
  }
  const sync = async (u: TestUser, query = ''): Promise<Sync> => syncAs(s, u, query);
  const memberEvent = async (roomId: string, reader: TestUser, target: TestUser) =>
    (await r.ok('GET', `${r.room(roomId)}/state/m.room.member/${encodeURIComponent(target.userId)}?format=event`, reader)) as Ev;
  return { s: () => s, r: () => r, user, memberUrl, putMember, putMemberOk, sync, memberEvent };
}

forEachBackend('PUT /rooms/{roomId}/state/m.room.member/{userId}', (backend) => {
  const t = suite(backend);

  it('a per-room display name and avatar: the user stays `join`, and /members, /joined_members and /sync show the new content', async () => {
    const [alice, bob] = [await t.user('alice'), await t.user('bob')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.r().join(bob, roomId);
    const { next_batch } = await t.sync(bob);
    const content = { membership: 'join', displayname: 'Bob in here', avatar_url: 'mxc://hs.test/bob-here', 'org.example.extra': 1 };
    const eventId = await t.putMemberOk(roomId, bob, bob, content);

    const ev = await t.memberEvent(roomId, alice, bob);
    assert.equal(ev.event_id, eventId);
    assert.deepEqual(ev.content, content);
    const members = (await t.r().ok('GET', `${t.r().room(roomId)}/members`, alice)).chunk as Ev[];
    assert.deepEqual(members.find((e) => e.state_key === bob.userId)!.content, content);
    const joined = await t.r().ok('GET', `${t.r().room(roomId)}/joined_members`, alice);
    assert.deepEqual(joined.joined[bob.userId], { display_name: 'Bob in here', avatar_url: 'mxc://hs.test/bob-here' });
    const later = await t.sync(bob, `since=${encodeURIComponent(next_batch)}`);
    const timeline = later.rooms!.join![roomId]!.timeline.events;
    assert.deepEqual(timeline.map((e) => [e.event_id, e.content.membership, e.content.displayname]), [[eventId, 'join', 'Bob in here']]);
    assert.deepEqual((await t.r().ok('GET', '/joined_rooms', bob)).joined_rooms, [roomId]);

    // The same content again sends nothing new, as for any state event.
    assert.equal(await t.putMemberOk(roomId, bob, bob, content), eventId);
    // A redacted member event no longer holds its content: setting it again is a real change.
    await t.r().ok('PUT', `${t.r().room(roomId)}/redact/${encodeURIComponent(eventId)}/r-${eventId.slice(1, 8)}`, alice, {});
    assert.notEqual(await t.putMemberOk(roomId, bob, bob, content), eventId);
  });

  it('a join with extra content fields joins the room; the profile fills in what the content leaves out', async () => {
    const [alice, carol] = [await t.user('alice'), await t.user('carol')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    const eventId = await t.putMemberOk(roomId, carol, carol, { membership: 'join', 'org.example.reason_code': 'conformance' });
    const ev = await t.memberEvent(roomId, alice, carol);
    assert.equal(ev.event_id, eventId);
    assert.deepEqual(ev.content, { membership: 'join', 'org.example.reason_code': 'conformance', displayname: carol.userId.slice(1, carol.userId.indexOf(':')) });
    assert.deepEqual((await t.r().ok('GET', '/joined_rooms', carol)).joined_rooms, [roomId]);
  });

  it('a leave is a leave: the room moves to /sync\'s leave section, forget works, and it is gone from /sync as after POST /leave', async () => {
    const [alice, bob] = [await t.user('alice'), await t.user('bob')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.r().join(bob, roomId);
    const { next_batch } = await t.sync(bob);
    // A forget while joined is refused, as LEAVING.md says...
    assertMatrixError(await t.s().request('POST', `${V3}${t.r().room(roomId)}/forget`, { token: bob.accessToken, body: {} }), 400, 'M_UNKNOWN', 'POST', `${V3}${t.r().room(roomId)}/forget`);
    const leaveId = await t.putMemberOk(roomId, bob, bob, { membership: 'leave', reason: 'via state' });
    assert.deepEqual((await t.memberEvent(roomId, alice, bob)).content, { membership: 'leave', reason: 'via state' });

    const later = await t.sync(bob, `since=${encodeURIComponent(next_batch)}`);
    assert.equal(later.rooms?.join?.[roomId], undefined);
    assert.deepEqual(later.rooms!.leave![roomId]!.timeline.events.map((e) => e.event_id), [leaveId]);
    assert.deepEqual((await t.r().ok('GET', '/joined_rooms', bob)).joined_rooms, []);
    // ...and once out, it is accepted; the room then never comes back in an initial sync.
    assert.ok(Object.keys((await t.sync(bob, INCLUDE_LEAVE)).rooms?.leave ?? {}).includes(roomId));
    await t.r().forget(bob, roomId);
    assert.equal((await t.sync(bob, INCLUDE_LEAVE)).rooms?.leave?.[roomId], undefined);
    const messages = `${V3}${t.r().room(roomId)}/messages?dir=b`;
    assertMatrixError(await t.s().request('GET', messages, { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', messages);
    // Leaving again changes nothing: the current leave is the answer.
    assert.equal(await t.putMemberOk(roomId, bob, bob, { membership: 'leave' }), leaveId);
  });

  it('invite, kick, ban and unban through PUT state, judged by the auth rules like the membership endpoints', async () => {
    const [alice, bob, dave] = [await t.user('alice'), await t.user('bob'), await t.user('dave')];
    const roomId = await t.r().createRoom(alice, { preset: 'private_chat' });
    await t.putMemberOk(roomId, alice, bob, { membership: 'invite' });
    await t.r().join(bob, roomId);
    await t.putMemberOk(roomId, alice, dave, { membership: 'invite' });
    assert.equal((await t.memberEvent(roomId, alice, dave)).content.membership, 'invite');
    // bob has power level 0: he may not kick (leave for another) or ban.
    for (const membership of ['leave', 'ban']) {
      const res = await t.putMember(roomId, bob, dave, { membership });
      assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', t.memberUrl(roomId, dave));
    }
    const kick = await t.putMemberOk(roomId, alice, dave, { membership: 'leave', reason: 'rescinded' });
    assert.deepEqual((await t.memberEvent(roomId, alice, dave)).content, { membership: 'leave', reason: 'rescinded' });
    assert.equal((await t.memberEvent(roomId, alice, dave)).event_id, kick);
    await t.putMemberOk(roomId, alice, bob, { membership: 'ban', reason: 'spam' });
    assert.deepEqual((await t.memberEvent(roomId, alice, bob)).content, { membership: 'ban', reason: 'spam' });
    // A banned user cannot lift the ban by leaving (LEAVING.md: 403), nor by joining.
    for (const membership of ['leave', 'join']) {
      assertMatrixError(await t.putMember(roomId, bob, bob, { membership }), 403, 'M_FORBIDDEN', 'PUT', t.memberUrl(roomId, bob));
    }
    // A leave for a banned user is an unban.
    await t.putMemberOk(roomId, alice, bob, { membership: 'leave' });
    assert.equal((await t.memberEvent(roomId, alice, bob)).content.membership, 'leave');
  });

  it('a non-member cannot set anyone\'s membership, nor anyone join for someone else: 403 M_FORBIDDEN', async () => {
    const [alice, bob, eve, frank] = [await t.user('alice'), await t.user('bob'), await t.user('eve'), await t.user('frank')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.r().join(bob, roomId);
    const cases: Array<[TestUser, TestUser, string]> = [
      [eve, frank, 'invite'], [eve, bob, 'leave'], [eve, bob, 'ban'], [eve, frank, 'join'], [alice, frank, 'join'], [alice, frank, 'knock'],
    ];
    for (const [sender, target, membership] of cases) {
      const res = await t.putMember(roomId, sender, target, { membership });
      assertMatrixError(res, 403, 'M_FORBIDDEN', 'PUT', t.memberUrl(roomId, target));
      assert.equal(res.body.includes(alice.userId), false, 'the refusal names no one the request did not');
    }
    const members = (await t.r().ok('GET', `${t.r().room(roomId)}/members`, alice)).chunk as Ev[];
    assert.deepEqual(Object.fromEntries(members.map((e) => [e.state_key, e.content.membership])), { [alice.userId]: 'join', [bob.userId]: 'join' });
  });

  it('content without a valid membership is 400 M_BAD_JSON, and a state key that is not a user ID 400 M_INVALID_PARAM; nothing is sent', async () => {
    const [alice, bob] = [await t.user('alice'), await t.user('bob')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.r().join(bob, roomId);
    const before = await t.memberEvent(roomId, alice, bob);
    for (const content of [{}, { displayname: 'no membership' }, { membership: 5 }, { membership: null }, { membership: 'joined' }, { membership: ['join'] }]) {
      assertMatrixError(await t.putMember(roomId, bob, bob, content), 400, 'M_BAD_JSON', 'PUT', t.memberUrl(roomId, bob));
    }
    for (const key of ['', 'not-a-user-id']) {
      const url = `${V3}${t.r().room(roomId)}/state/m.room.member/${key}`;
      assertMatrixError(await t.s().request('PUT', url, { token: bob.accessToken, body: { membership: 'join' } }), 400, 'M_INVALID_PARAM', 'PUT', url);
    }
    assert.equal((await t.memberEvent(roomId, alice, bob)).event_id, before.event_id);
  });
}, describe);

forEachBackend('PUT state m.room.member with forget_rooms_on_leave', (backend) => {
  const t = suite(backend, { forget_rooms_on_leave: true });

  it('a leave and a kick through PUT state forget the room, and the next incremental /sync still delivers them', async () => {
    const [alice, bob, carol] = [await t.user('alice'), await t.user('bob'), await t.user('carol')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.r().join(bob, roomId);
    await t.r().join(carol, roomId);
    const bobSince = (await t.sync(bob)).next_batch;
    const carolSince = (await t.sync(carol)).next_batch;
    const leaveId = await t.putMemberOk(roomId, bob, bob, { membership: 'leave' });
    const kickId = await t.putMemberOk(roomId, alice, carol, { membership: 'leave' });
    for (const [u, since, eventId] of [[bob, bobSince, leaveId], [carol, carolSince, kickId]] as const) {
      const later = await t.sync(u, `since=${encodeURIComponent(since)}`);
      assert.ok(later.rooms!.leave![roomId]!.timeline.events.some((e) => e.event_id === eventId));
      // Forgotten: closed to reads, and absent from an initial sync even with include_leave.
      const state = `${V3}${t.r().room(roomId)}/state`;
      assertMatrixError(await t.s().request('GET', state, { token: u.accessToken }), 403, 'M_FORBIDDEN', 'GET', state);
      assert.equal((await t.sync(u, INCLUDE_LEAVE)).rooms?.leave?.[roomId], undefined);
    }
  });
}, describe);

describe('PUT state m.room.member goes through the membership rate limiter', () => {
  const t = suite('sqlite', { rate_limits: { enabled: true, membership: { per_second: 0.001, burst: 2 }, message: { per_second: 1000, burst: 1000 } } });

  it('the membership bucket, not the message one: 429 M_LIMIT_EXCEEDED once it is empty', async () => {
    const [alice, bob] = [await t.user('alice'), await t.user('bob')];
    const roomId = await t.r().createRoom(alice, { preset: 'public_chat' });
    await t.putMemberOk(roomId, bob, bob, { membership: 'join' });
    await t.putMemberOk(roomId, bob, bob, { membership: 'join', displayname: 'one' });
    const limited = await t.putMember(roomId, bob, bob, { membership: 'join', displayname: 'two' });
    assertMatrixError(limited, 429, 'M_LIMIT_EXCEEDED', 'PUT', t.memberUrl(roomId, bob));
    // Other state still goes through the message bucket.
    await t.r().putState(alice, roomId, 'm.room.topic', { topic: 'unaffected' });
  });
});
