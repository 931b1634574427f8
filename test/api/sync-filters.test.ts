import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3, type Body as Sync, type SyncEvent as Ev } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * GET /sync with filters (stored and inline, room selection, every sub-filter /sync honours), and
 * /sync's tokens and errors. The other sections are in sync-sections.test.ts.
 */

const enc = encodeURIComponent;

const inline = (filter: unknown) => `filter=${enc(JSON.stringify(filter))}`;
const bodies = (events: Ev[]) => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);
const since = (token: string) => `since=${enc(token)}`;
const members = (events: Ev[]) => events.filter((e) => e.type === 'm.room.member').map((e) => e.state_key).sort();

forEachBackend('GET /sync: filters', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  async function roomWith(...others: TestUser[]): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Filtered' });
    for (const u of others) await r.join(u, roomId);
    return roomId;
  }

  async function upload(user: TestUser, filter: unknown): Promise<string> {
    const url = `${V3}/user/${enc(user.userId)}/filter`;
    const res = await s.request('POST', url, { token: user.accessToken, body: filter });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', url);
    return res.json().filter_id;
  }

  async function syncError(user: TestUser, query: string, status: number, errcode: string): Promise<void> {
    const res = await s.request('GET', `${V3}/sync?${query}`, { token: user.accessToken });
    assert.equal(res.statusCode, status, `${query}: ${res.body}`);
    assert.equal(res.json().errcode, errcode, query);
  }

  it('a stored filter by ID and the same filter inline give the same result', async () => {
    const bob = await s.createUser('bob1');
    const roomId = await roomWith(bob);
    for (let i = 1; i <= 5; i++) await r.send(alice, roomId, `s${i}`);
    const filter = { room: { timeline: { limit: 2 } } };
    const filterId = await upload(bob, filter);
    const stored = (await sync(s, bob, `filter=${enc(filterId)}`)).rooms.join[roomId];
    assert.deepEqual(bodies(stored.timeline.events), ['s4', 's5']);
    assert.equal(stored.timeline.events.length, 2);
    assert.equal(stored.timeline.limited, true);
    const byValue = (await sync(s, bob, inline(filter))).rooms.join[roomId];
    assert.deepEqual(byValue.timeline, stored.timeline);
    assert.deepEqual(byValue.state, stored.state);
  });

  it('an unknown filter ID, or another user\'s, is 404 M_NOT_FOUND', async () => {
    const bob = await s.createUser('bob2');
    await syncError(bob, 'filter=987654', 404, 'M_NOT_FOUND');
    const alices = await upload(alice, {});
    await syncError(bob, `filter=${enc(alices)}`, 404, 'M_NOT_FOUND');
    await sync(s, alice, `filter=${enc(alices)}`);
  });

  it('invalid filters are 400 M_BAD_JSON', async () => {
    const bob = await s.createUser('bob3');
    const bad = [
      '{not json',
      '{"room":{"timeline":{"limit":"x"}}}',
      '{"room":{"timeline":{"limit":-1}}}',
      '{"room":{"rooms":"!a:hs.test"}}',
      '{"room":{"state":{"types":[1]}}}',
      '{"room":{"include_leave":"yes"}}',
      '{"presence":{"not_senders":{}}}',
      '{"room":null}',
      '{"event_format":"xml"}',
    ];
    for (const filter of bad) await syncError(bob, `filter=${enc(filter)}`, 400, 'M_BAD_JSON');
  });

  it('room.rooms and room.not_rooms choose the rooms; not_rooms wins; ephemeral and account data follow', async () => {
    const bob = await s.createUser('bob4');
    const a = await roomWith(bob);
    const b = await roomWith(bob);
    const c = await roomWith(bob);
    const invited = await r.createRoom(alice, { preset: 'private_chat' });
    await r.invite(alice, invited, bob);
    for (const roomId of [a, b, c]) {
      await r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/org.example.tag`, bob, { roomId });
      await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: true });
    }
    const only = await sync(s, bob, inline({ room: { rooms: [a, b], not_rooms: [b] } }));
    assert.deepEqual(Object.keys(only.rooms.join), [a]);
    assert.deepEqual(only.rooms.invite, {});
    const notC = await sync(s, bob, inline({ room: { not_rooms: [c] } }));
    assert.deepEqual(Object.keys(notC.rooms.join).sort(), [a, b].sort());
    assert.deepEqual(Object.keys(notC.rooms.invite), [invited]);
    const none = await sync(s, bob, inline({ room: { rooms: [] } }));
    assert.deepEqual(none.rooms.join, {});
    assert.deepEqual(none.rooms.invite, {});

    // Incremental: account data and typing of an excluded room bring nothing.
    const first = await sync(s, bob, inline({ room: { rooms: [a] } }));
    await r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(c)}/account_data/org.example.tag`, bob, { changed: true });
    await r.ok('PUT', `${r.room(c)}/typing/${enc(alice.userId)}`, alice, { typing: false });
    const next = await sync(s, bob, `since=${enc(first.next_batch)}&${inline({ room: { rooms: [a] } })}`);
    assert.deepEqual(next.rooms.join, {});
    for (const roomId of [a, b]) await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: false });
  });

  it('room.timeline.limit: the newest N events; 0 gives an empty, limited timeline and the current state', async () => {
    const bob = await s.createUser('bob5');
    const roomId = await roomWith(bob);
    for (let i = 1; i <= 4; i++) await r.send(alice, roomId, `l${i}`);
    const three = (await sync(s, bob, inline({ room: { timeline: { limit: 3 } } }))).rooms.join[roomId];
    assert.deepEqual(bodies(three.timeline.events), ['l2', 'l3', 'l4']);
    assert.equal(three.timeline.limited, true);
    const earlier = await r.messages(bob, roomId, `dir=b&limit=1&from=${enc(three.timeline.prev_batch)}`);
    assert.deepEqual(bodies(earlier.chunk), ['l1']);

    const zero = (await sync(s, bob, inline({ room: { timeline: { limit: 0 } } }))).rooms.join[roomId];
    assert.deepEqual(zero.timeline.events, []);
    assert.equal(zero.timeline.limited, true);
    const stateTypes = zero.state.events.map((e: Ev) => e.type);
    for (const type of ['m.room.create', 'm.room.name', 'm.room.member', 'm.room.power_levels']) assert.ok(stateTypes.includes(type), type);
    const latest = await r.messages(bob, roomId, `dir=b&limit=1&from=${enc(zero.timeline.prev_batch)}`);
    assert.deepEqual(bodies(latest.chunk), ['l4'], 'prev_batch of an empty timeline is "now"');
  });

  it('room.timeline.types and not_types: matching events only, up to the limit, even behind many others', async () => {
    const bob = await s.createUser('bob6');
    const roomId = await roomWith(bob);
    await r.send(alice, roomId, 't1');
    await r.send(alice, roomId, 't2');
    // More non-matching events than the limit, after the messages.
    for (let i = 0; i < 6; i++) await r.putState(alice, roomId, 'm.room.topic', { topic: `topic ${i}` });
    const onlyMessages = (await sync(s, bob, inline({ room: { timeline: { limit: 5, types: ['m.room.message'] } } }))).rooms.join[roomId];
    assert.deepEqual(onlyMessages.timeline.events.map((e: Ev) => e.type), ['m.room.message', 'm.room.message']);
    assert.deepEqual(bodies(onlyMessages.timeline.events), ['t1', 't2']);

    const wildcard = (await sync(s, bob, inline({ room: { timeline: { limit: 50, types: ['m.room.*'], not_types: ['m.room.topic', 'm.room.member'] } } }))).rooms.join[roomId];
    const types = new Set(wildcard.timeline.events.map((e: Ev) => e.type));
    assert.ok(types.has('m.room.message') && types.has('m.room.create'));
    assert.ok(!types.has('m.room.topic') && !types.has('m.room.member'));
  });

  it('room.timeline.senders and not_senders', async () => {
    const bob = await s.createUser('bob7');
    const carol = await s.createUser('carol7');
    const roomId = await roomWith(bob, carol);
    await r.send(alice, roomId, 'from alice');
    await r.send(carol, roomId, 'from carol');
    await r.send(bob, roomId, 'from bob');
    const onlyCarol = (await sync(s, bob, inline({ room: { timeline: { senders: [carol.userId] } } }))).rooms.join[roomId];
    assert.ok(onlyCarol.timeline.events.every((e: Ev) => e.sender === carol.userId));
    assert.deepEqual(bodies(onlyCarol.timeline.events), ['from carol']);
    const notAlice = (await sync(s, bob, inline({ room: { timeline: { senders: [alice.userId, carol.userId], not_senders: [alice.userId] } } }))).rooms.join[roomId];
    assert.ok(notAlice.timeline.events.every((e: Ev) => e.sender === carol.userId));
    const first = await sync(s, bob);
    await r.send(alice, roomId, 'late alice');
    await r.send(carol, roomId, 'late carol');
    const next = (await sync(s, bob, `since=${enc(first.next_batch)}&${inline({ room: { timeline: { not_senders: [alice.userId] } } })}`)).rooms.join[roomId];
    assert.deepEqual(bodies(next.timeline.events), ['late carol']);
  });

  it('room.state.types: only the listed state', async () => {
    const bob = await s.createUser('bob8');
    const roomId = await roomWith(bob);
    for (let i = 0; i < 12; i++) await r.send(alice, roomId, `x${i}`);
    const room = (await sync(s, bob, inline({ room: { state: { types: ['m.room.name', 'm.room.create'] } } }))).rooms.join[roomId];
    assert.deepEqual(room.state.events.map((e: Ev) => e.type).sort(), ['m.room.create', 'm.room.name']);
    const none = (await sync(s, bob, inline({ room: { state: { types: [] } } }))).rooms.join[roomId];
    assert.deepEqual(none.state.events, []);
    const notMembers = (await sync(s, bob, inline({ room: { state: { not_types: ['m.room.member'] } } }))).rooms.join[roomId];
    assert.ok(notMembers.state.events.length > 0);
    assert.ok(notMembers.state.events.every((e: Ev) => e.type !== 'm.room.member'));
  });

  it('room.state.lazy_load_members: only the members of timeline senders (and the user), also in later syncs', async () => {
    const bob = await s.createUser('bob9');
    const carol = await s.createUser('carol9');
    const dan = await s.createUser('dan9');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Big room' });
    for (const u of [bob, carol, dan]) await r.join(u, roomId);
    for (let i = 0; i < 3; i++) await r.send(alice, roomId, `lazy${i}`);
    const lazy = { room: { timeline: { limit: 3 }, state: { lazy_load_members: true } } };
    const first = await sync(s, bob, inline(lazy));
    const room = first.rooms.join[roomId];
    assert.deepEqual(bodies(room.timeline.events), ['lazy0', 'lazy1', 'lazy2']);
    const shown = members(room.state.events);
    assert.ok(shown.includes(alice.userId) && shown.includes(bob.userId), shown.join(', '));
    assert.ok(room.state.events.some((e: Ev) => e.type === 'm.room.name'), 'other state is kept');
    // Without lazy loading, every member.
    assert.deepEqual(members((await sync(s, bob, inline({ room: { timeline: { limit: 3 } } }))).rooms.join[roomId].state.events),
      [alice.userId, bob.userId, carol.userId, dan.userId].sort());

    // carol joined long before: her first message brings her membership, which bob's client never got.
    await r.send(carol, roomId, 'hello from carol');
    const next = (await sync(s, bob, `since=${enc(first.next_batch)}&${inline(lazy)}`)).rooms.join[roomId];
    assert.deepEqual(bodies(next.timeline.events), ['hello from carol']);
    const carolMember = next.state.events.find((e: Ev) => e.type === 'm.room.member' && e.state_key === carol.userId);
    assert.ok(carolMember, 'the membership of a new timeline sender is in state');
    assert.equal(carolMember.content.membership, 'join');
  });

  it('room.state.lazy_load_members, incremental: finding that a sender already spoke reads back only until it is found', async () => {
    const bob = await s.createUser('bob-ll');
    const carol = await s.createUser('carol-ll');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    for (const u of [bob, carol]) await r.join(u, roomId);
    await r.send(carol, roomId, 'carol, long ago');
    for (let i = 0; i < 60; i++) await r.send(alice, roomId, `chatter${i}`);
    const lazy = { room: { timeline: { limit: 100 }, state: { lazy_load_members: true } } };
    const first = await sync(s, bob, inline(lazy));
    const events = s.app.store.events;
    const page = events.page.bind(events);
    let rowsRead = 0;
    events.page = async (...args) => {
      const rows = await page(...args);
      rowsRead += rows.length;
      return rows;
    };
    try {
      // Alice spoke just before `since`: her membership was sent then, and is not sent again.
      await r.send(alice, roomId, 'alice again');
      const second = await sync(s, bob, `since=${enc(first.next_batch)}&${inline(lazy)}`);
      const room = second.rooms.join[roomId];
      assert.deepEqual(bodies(room.timeline.events), ['alice again']);
      assert.deepEqual(members(room.state.events), []);
      // The new timeline and the unread count (1 event each) plus one small page back (11), not
      // the whole previous window (71 rows here before).
      assert.ok(rowsRead <= 13, `rows read: ${rowsRead}`);
      // Carol spoke 61 events before, within the previous window of 100: still not sent again,
      // found by reading further back.
      await r.send(carol, roomId, 'carol again');
      const third = await sync(s, bob, `since=${enc(second.next_batch)}&${inline(lazy)}`);
      assert.deepEqual(members(third.rooms.join[roomId].state.events), []);
    } finally {
      events.page = page;
    }
  });

  it('room.state.lazy_load_members: the heroes\' memberships are in state (sync.yaml, m.heroes)', async () => {
    const bob = await s.createUser('bob10');
    const carol = await s.createUser('carol10');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.join(carol, roomId);
    for (let i = 0; i < 3; i++) await r.send(bob, roomId, `quiet${i}`);
    const room = (await sync(s, bob, inline({ room: { timeline: { limit: 3 }, state: { lazy_load_members: true } } }))).rooms.join[roomId];
    assert.deepEqual(room.summary['m.heroes'], [alice.userId, carol.userId]);
    const shown = members(room.state.events);
    for (const hero of room.summary['m.heroes']) assert.ok(shown.includes(hero), `${hero} in ${shown.join(', ')}`);
  });

  it('room.ephemeral: types filter, and rooms / not_rooms inside it', async () => {
    const bob = await s.createUser('bob11');
    const a = await roomWith(bob);
    const b = await roomWith(bob);
    const eventId = await r.send(bob, a, 'read me');
    await r.ok('POST', `${r.room(a)}/receipt/m.read/${enc(eventId)}`, alice, {});
    await r.ok('PUT', `${r.room(a)}/typing/${enc(alice.userId)}`, alice, { typing: true });
    await r.ok('PUT', `${r.room(b)}/typing/${enc(alice.userId)}`, alice, { typing: true });
    const ephemeralTypes = (body: Sync, roomId: string) => (body.rooms.join[roomId]?.ephemeral?.events ?? []).map((e: Ev) => e.type).sort();

    const all = await sync(s, bob);
    assert.deepEqual(ephemeralTypes(all, a), ['m.receipt', 'm.typing']);
    const typingOnly = await sync(s, bob, inline({ room: { ephemeral: { types: ['m.typing'] } } }));
    assert.deepEqual(ephemeralTypes(typingOnly, a), ['m.typing']);
    const noTyping = await sync(s, bob, inline({ room: { ephemeral: { not_types: ['m.typing'] } } }));
    assert.deepEqual(ephemeralTypes(noTyping, a), ['m.receipt']);
    assert.deepEqual(ephemeralTypes(noTyping, b), []);
    const none = await sync(s, bob, inline({ room: { ephemeral: { types: [] } } }));
    assert.deepEqual(ephemeralTypes(none, a), []);

    const onlyA = await sync(s, bob, inline({ room: { ephemeral: { rooms: [a] } } }));
    assert.deepEqual(ephemeralTypes(onlyA, a), ['m.receipt', 'm.typing'], 'room.ephemeral.rooms keeps the listed room\'s ephemeral events');
    assert.deepEqual(ephemeralTypes(onlyA, b), []);
    const notA = await sync(s, bob, inline({ room: { ephemeral: { not_rooms: [a] } } }));
    assert.deepEqual(ephemeralTypes(notA, a), []);
    assert.deepEqual(ephemeralTypes(notA, b), ['m.typing']);
    for (const roomId of [a, b]) await r.ok('PUT', `${r.room(roomId)}/typing/${enc(alice.userId)}`, alice, { typing: false });
  });

  it('room.account_data: types and rooms filters', async () => {
    const bob = await s.createUser('bob12');
    const a = await roomWith(bob);
    const b = await roomWith(bob);
    for (const roomId of [a, b]) {
      await r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/org.example.keep`, bob, { k: 1 });
      await r.ok('PUT', `/user/${enc(bob.userId)}/rooms/${enc(roomId)}/account_data/org.example.drop`, bob, { d: 1 });
    }
    const dataTypes = (body: Sync, roomId: string) => (body.rooms.join[roomId]?.account_data?.events ?? []).map((e: Ev) => e.type).sort();
    const kept = await sync(s, bob, inline({ room: { account_data: { types: ['org.example.keep'] } } }));
    assert.deepEqual(dataTypes(kept, a), ['org.example.keep']);
    const onlyB = await sync(s, bob, inline({ room: { account_data: { rooms: [b] } } }));
    assert.deepEqual(dataTypes(onlyB, a), []);
    assert.deepEqual(dataTypes(onlyB, b), ['org.example.drop', 'org.example.keep'], 'room.account_data.rooms keeps the listed room\'s data');
  });

  it('account_data filter: types, not_types, and [] to receive none', async () => {
    const bob = await s.createUser('bob13');
    await r.ok('PUT', `/user/${enc(bob.userId)}/account_data/org.example.one`, bob, { one: 1 });
    await r.ok('PUT', `/user/${enc(bob.userId)}/account_data/org.example.two`, bob, { two: 2 });
    const typesOf = (body: Sync) => body.account_data.events.map((e: Ev) => e.type).sort();
    assert.deepEqual(typesOf(await sync(s, bob)), ['m.push_rules', 'org.example.one', 'org.example.two']);
    assert.deepEqual(typesOf(await sync(s, bob, inline({ account_data: { types: ['org.example.*'] } }))), ['org.example.one', 'org.example.two']);
    assert.deepEqual(typesOf(await sync(s, bob, inline({ account_data: { not_types: ['org.example.one'] } }))), ['m.push_rules', 'org.example.two']);
    assert.deepEqual(typesOf(await sync(s, bob, inline({ account_data: { types: [] } }))), []);
  });

  it('presence filter: {"types": []} removes presence; senders / not_senders select users', async () => {
    const bob = await s.createUser('bob14');
    const carol = await s.createUser('carol14');
    const dan = await s.createUser('dan14');
    await roomWith(bob, carol, dan);
    await r.ok('PUT', `/presence/${enc(carol.userId)}/status`, carol, { presence: 'online' });
    await r.ok('PUT', `/presence/${enc(dan.userId)}/status`, dan, { presence: 'unavailable' });
    const senders = (body: Sync) => body.presence.events.map((e: Ev) => e.sender);
    const all = senders(await sync(s, bob));
    assert.ok(all.includes(carol.userId) && all.includes(dan.userId));
    assert.deepEqual(senders(await sync(s, bob, inline({ presence: { types: [] } }))), []);
    assert.deepEqual(senders(await sync(s, bob, inline({ presence: { senders: [dan.userId] } }))), [dan.userId]);
    const notCarol = senders(await sync(s, bob, inline({ presence: { not_senders: [carol.userId] } })));
    assert.ok(notCarol.includes(dan.userId) && !notCarol.includes(carol.userId));

    // A filtered-out presence change does not count as news: the incremental sync is empty.
    const first = await sync(s, bob, inline({ presence: { types: [] } }));
    await r.ok('PUT', `/presence/${enc(carol.userId)}/status`, carol, { presence: 'unavailable' });
    const started = Date.now();
    const res = await s.request('GET', `${V3}/sync?since=${enc(first.next_batch)}&timeout=200&${inline({ presence: { types: [] } })}`, { token: bob.accessToken });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().presence.events, []);
    assert.ok(Date.now() - started >= 150, 'waited for the timeout');
  });
}, describe);

forEachBackend('GET /sync: tokens and errors', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  it('next_batch is accepted by /messages as `from`: backwards it returns what the sync already showed', async () => {
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.send(alice, roomId, 'before the token');
    const first = await sync(s, alice);
    assert.equal(typeof first.next_batch, 'string');
    assert.ok(first.next_batch.length > 0);
    await r.send(alice, roomId, 'after the token');
    const back = await r.messages(alice, roomId, `dir=b&limit=1&from=${enc(first.next_batch)}`);
    assert.deepEqual(bodies(back.chunk), ['before the token']);
    const forward = await r.messages(alice, roomId, `dir=f&limit=10&from=${enc(first.next_batch)}`);
    assert.deepEqual(bodies(forward.chunk), ['after the token']);
  });

  it("tokens are valid for any user: bob's incremental sync from alice's token", async () => {
    const bob = await s.createUser('bob2');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const aliceToken = (await sync(s, alice)).next_batch;
    await r.send(alice, roomId, 'for both');
    const bobView = await sync(s, bob, since(aliceToken));
    assert.deepEqual(bodies(bobView.rooms.join[roomId].timeline.events), ['for both']);
  });

  it('next_batch moves forward with each stream', async () => {
    const bob = await s.createUser('bob3');
    const first = await sync(s, bob);
    const idle = await sync(s, bob, since(first.next_batch));
    await r.ok('PUT', `/user/${enc(bob.userId)}/account_data/org.example.x`, bob, { x: 1 });
    const next = await sync(s, bob, since(idle.next_batch));
    assert.notEqual(next.next_batch, idle.next_batch);
    assert.equal(next.account_data.events.length, 1);
  });

  it('no access token -> 401 M_MISSING_TOKEN; an unknown one -> 401 M_UNKNOWN_TOKEN', async () => {
    const missing = await s.request('GET', `${V3}/sync`);
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().errcode, 'M_MISSING_TOKEN');
    const unknown = await s.request('GET', `${V3}/sync`, { token: 'not-a-token' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().errcode, 'M_UNKNOWN_TOKEN');
  });

  it('an invalid since token -> 400 M_INVALID_PARAM', async () => {
    for (const bad of ['garbage', 's', 'sabc', 's1_2', `s${'9'.repeat(20)}`]) {
      const res = await s.request('GET', `${V3}/sync?since=${enc(bad)}`, { token: alice.accessToken });
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().errcode, 'M_INVALID_PARAM', bad);
    }
  });

  it('bad query parameters -> 400', async () => {
    for (const query of ['timeout=soon', 'timeout=-1', 'full_state=maybe', 'set_presence=busy']) {
      const res = await s.request('GET', `${V3}/sync?${query}`, { token: alice.accessToken });
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().errcode, 'M_INVALID_PARAM', `${query}: ${res.body}`);
    }
  });
}, describe);
