import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

type Ev = { event_id: string; sender: string; room_id: string; type: string; content: Record<string, unknown> };
type Result = { rank: number; result: Ev; context?: { events_before: Ev[]; events_after: Ev[]; start: string; end: string; profile_info?: Record<string, { displayname?: string }> } };
type RoomEvents = {
  count: number; highlights: string[]; results: Result[]; next_batch?: string;
  state?: Record<string, Ev[]>; groups?: Record<string, Record<string, { results: string[]; order: number }>>;
};

const URL = `${V3}/search`;

forEachBackend('POST /search (room_events)', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());
  const user = (name: string) => s.createUser(`${name}-${++n}`);

  async function search(u: TestUser, criteria: Record<string, unknown>, nextBatch?: string): Promise<RoomEvents> {
    const url = nextBatch === undefined ? URL : `${URL}?next_batch=${encodeURIComponent(nextBatch)}`;
    const res = await s.request('POST', url, { token: u.accessToken, body: { search_categories: { room_events: criteria } } });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', url);
    return res.json().search_categories.room_events;
  }
  const bodies = (re: RoomEvents) => re.results.map((x) => x.result.content.body ?? x.result.content.name ?? x.result.content.topic);

  /** Every page, following next_batch until it is omitted. */
  async function allPages(u: TestUser, criteria: Record<string, unknown>): Promise<RoomEvents[]> {
    const pages: RoomEvents[] = [];
    let next: string | undefined;
    do {
      const page = await search(u, criteria, next);
      pages.push(page);
      next = page.next_batch;
    } while (next !== undefined && pages.length < 50);
    assert.equal(next, undefined, 'pagination ends');
    return pages;
  }

  it('finds a message by a word of it, with highlights and count; a user never in the room finds nothing', async () => {
    const alice = await user('alice');
    const stranger = await user('stranger');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    const id = await r.send(alice, roomId, 'The Quick brown fox');
    await r.send(alice, roomId, 'a lazy dog');
    const found = await search(alice, { search_term: 'QUICK fox!' });
    assert.deepEqual(found.results.map((x) => x.result.event_id), [id]);
    assert.equal(found.results[0]!.result.room_id, roomId);
    assert.equal(found.count, 1);
    assert.deepEqual(found.highlights, ['quick', 'fox']);
    assert.equal(found.next_batch, undefined);
    const none = await search(stranger, { search_term: 'fox' });
    assert.deepEqual([none.results, none.count], [[], 0]);
  });

  it('a departed user finds what they could read up to their leave, and nothing once they forgot the room', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.send(alice, roomId, 'zebra before the leave');
    await r.leave(bob, roomId);
    await r.send(alice, roomId, 'zebra after the leave');
    assert.deepEqual(bodies(await search(alice, { search_term: 'zebra', order_by: 'recent' })), ['zebra after the leave', 'zebra before the leave']);
    const departed = await search(bob, { search_term: 'zebra' });
    assert.deepEqual([bodies(departed), departed.count], [['zebra before the leave'], 1]);
    await r.forget(bob, roomId);
    const forgotten = await search(bob, { search_term: 'zebra' });
    assert.deepEqual([forgotten.results, forgotten.count], [[], 0]);
  });

  it('history visibility applies per event: under `joined`, nothing from before the join (not even in count)', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }] });
    await r.send(alice, roomId, 'walrus early');
    await r.join(bob, roomId);
    await r.send(alice, roomId, 'walrus late');
    const found = await search(bob, { search_term: 'walrus' });
    assert.deepEqual([bodies(found), found.count], [['walrus late'], 1]);
  });

  it('rank puts the better match first, recent the newest; both paginate through every result exactly once', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice);
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push(await r.send(alice, roomId, i === 2 ? 'otter otter otter otter' : `otter number ${i} in a long sentence about rivers and the sea`));
    const ranked = await search(alice, { search_term: 'otter', order_by: 'rank' });
    assert.equal(ranked.results[0]!.result.event_id, sent[2]);
    assert.ok(ranked.results[0]!.rank > ranked.results[1]!.rank);
    const recent = await search(alice, { search_term: 'otter', order_by: 'recent' });
    assert.deepEqual(recent.results.map((x) => x.result.event_id), [...sent].reverse());
    assert.equal(recent.count, 7);
    for (const order of ['rank', 'recent']) {
      const pages = await allPages(alice, { search_term: 'otter', order_by: order, filter: { limit: 3 } });
      assert.deepEqual(pages.map((p) => p.results.length), [3, 3, 1], order);
      const ids = pages.flatMap((p) => p.results.map((x) => x.result.event_id));
      assert.deepEqual(ids, (order === 'rank' ? ranked : recent).results.map((x) => x.result.event_id), order);
    }
  });

  it('a next_batch of the other order, or not one of ours, is 400 M_INVALID_PARAM', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice);
    for (let i = 0; i < 3; i++) await r.send(alice, roomId, `heron ${i}`);
    const first = await search(alice, { search_term: 'heron', order_by: 'recent', filter: { limit: 1 } });
    assert.ok(first.next_batch);
    for (const [token, order] of [[first.next_batch, 'rank'], ['nonsense', 'recent']] as const) {
      const url = `${URL}?next_batch=${encodeURIComponent(token)}`;
      const res = await s.request('POST', url, { token: alice.accessToken, body: { search_categories: { room_events: { search_term: 'heron', order_by: order } } } });
      assertMatrixError(res, 400, 'M_INVALID_PARAM', 'POST', url);
    }
  });

  it('keys choose the fields; the filter narrows by room, sender and type and sets the page size', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const one = await r.createRoom(alice, { preset: 'public_chat', name: 'badger club', topic: 'all about badger life' });
    const two = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, one);
    await r.send(alice, one, 'badger from alice');
    await r.send(bob, one, 'badger from bob');
    await r.send(alice, two, 'badger in two');
    assert.deepEqual(bodies(await search(alice, { search_term: 'badger', keys: ['content.name', 'content.topic'], order_by: 'recent' })), ['all about badger life', 'badger club']);
    assert.deepEqual(bodies(await search(alice, { search_term: 'badger', keys: ['content.body'], order_by: 'recent' })), ['badger in two', 'badger from bob', 'badger from alice']);
    const q = (filter: Record<string, unknown>) => search(alice, { search_term: 'badger', keys: ['content.body'], order_by: 'recent', filter });
    assert.deepEqual(bodies(await q({ rooms: [two] })), ['badger in two']);
    assert.deepEqual(bodies(await q({ not_rooms: [two] })), ['badger from bob', 'badger from alice']);
    assert.deepEqual(bodies(await q({ senders: [bob.userId] })), ['badger from bob']);
    assert.deepEqual(bodies(await q({ not_senders: [bob.userId] })), ['badger in two', 'badger from alice']);
    assert.deepEqual(bodies(await search(alice, { search_term: 'badger', filter: { types: ['m.room.n*'] } })), ['badger club']);
    assert.deepEqual(bodies(await search(alice, { search_term: 'badger', order_by: 'recent', filter: { not_types: ['m.room.message', 'm.room.name'] } })), ['all about badger life']);
    const limited = await q({ limit: 2 });
    assert.deepEqual([limited.results.length, typeof limited.next_batch], [2, 'string']);
    const none = await q({ limit: 0 });
    assert.deepEqual([bodies(none), typeof none.next_batch], [['badger in two'], 'string'], 'limit 0 is a page of one, so that pagination moves on');
  });

  it('event_context (with historic profiles), include_state and groupings', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'lynx den' });
    await r.join(bob, roomId);
    await r.putState(bob, roomId, 'm.room.member', { membership: 'join', displayname: 'Bobby' }, bob.userId);
    const before = await r.send(alice, roomId, 'just before');
    const hit = await r.send(bob, roomId, 'a lynx appears');
    const afterId = await r.send(alice, roomId, 'just after');
    await r.putState(bob, roomId, 'm.room.member', { membership: 'join', displayname: 'Robert' }, bob.userId);
    const found = await search(alice, {
      search_term: 'lynx', keys: ['content.body'], include_state: true,
      event_context: { before_limit: 1, after_limit: 1, include_profile: true },
      groupings: { group_by: [{ key: 'room_id' }, { key: 'sender' }] },
    });
    const ctx = found.results[0]!.context!;
    assert.equal(found.results[0]!.result.event_id, hit);
    assert.deepEqual([ctx.events_before.map((e) => e.event_id), ctx.events_after.map((e) => e.event_id)], [[before], [afterId]]);
    assert.equal(ctx.profile_info![bob.userId]!.displayname, 'Bobby', 'the profile as at the result, not today\'s');
    assert.ok(ctx.profile_info![alice.userId]);
    const names = found.state![roomId]!.filter((e) => e.type === 'm.room.name').map((e) => e.content.name);
    assert.deepEqual(names, ['lynx den']);
    assert.deepEqual(found.groups, { room_id: { [roomId]: { results: [hit], order: 1 } }, sender: { [bob.userId]: { results: [hit], order: 1 } } });
    const plain = await search(alice, { search_term: 'lynx', keys: ['content.body'] });
    assert.deepEqual([plain.results[0]!.context, plain.state, plain.groups], [undefined, undefined, undefined]);
  });

  it('a redacted event is not found; an ignored user\'s events are withheld', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const gone = await r.send(alice, roomId, 'marmot secret');
    await r.send(alice, roomId, 'marmot public');
    await r.send(bob, roomId, 'marmot from bob');
    assert.equal((await search(alice, { search_term: 'marmot' })).count, 3);
    await r.ok('PUT', `${r.room(roomId)}/redact/${encodeURIComponent(gone)}/red1`, alice, {});
    assert.deepEqual((await search(alice, { search_term: 'secret' })).results, []);
    await r.ok('PUT', `/user/${encodeURIComponent(alice.userId)}/account_data/m.ignored_user_list`, alice, { ignored_users: { [bob.userId]: {} } });
    const found = await search(alice, { search_term: 'marmot' });
    assert.deepEqual([bodies(found), found.count], [['marmot public'], 1]);
  });

  it('refuses a malformed request: no search_term, an unknown key, a bad filter', async () => {
    const alice = await user('alice');
    const missing = await s.request('POST', URL, { token: alice.accessToken, body: { search_categories: { room_events: {} } } });
    assertMatrixError(missing, 400, 'M_MISSING_PARAM', 'POST', URL);
    for (const criteria of [{ search_term: 'x', keys: ['content.msgtype'] }, { search_term: 'x', order_by: 'oldest' }, { search_term: 'x', filter: { limit: 'ten' } }]) {
      const res = await s.request('POST', URL, { token: alice.accessToken, body: { search_categories: { room_events: criteria } } });
      assertMatrixError(res, 400, 'M_BAD_JSON', 'POST', URL);
    }
    const empty = await s.request('POST', URL, { token: alice.accessToken, body: { search_categories: {} } });
    assert.equal(empty.statusCode, 200);
    assert.deepEqual(empty.json(), { search_categories: {} });
  });
}, describe);
