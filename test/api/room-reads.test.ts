import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError as assertError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

type Ev = { type: string; event_id: string; state_key?: string; sender: string; content: Record<string, unknown>; unsigned?: Record<string, unknown> };
type Page = { chunk: Ev[]; start: string; end?: string };

const localpart = (u: TestUser) => u.userId.slice(1, u.userId.indexOf(':'));
const bodies = (chunk: Ev[]) => chunk.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);
const ids = (chunk: Ev[]) => chunk.map((e) => e.event_id);

forEachBackend('room reads: events, context, messages, state, members, and who may read what', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  /** A fresh user per test, so that /joined_rooms and memberships never leak between tests. */
  const user = (name: string) => s.createUser(`${name}-${++n}`);
  const path = (roomId: string, rest: string) => `${V3}${r.room(roomId)}${rest}`;

  /** GET that must succeed and conform to the spec; returns the body. */
  async function read<T = unknown>(u: TestUser, url: string): Promise<T> {
    const res = await s.request('GET', url, { token: u.accessToken });
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
    assertSpecResponse(res, 'GET', url);
    return res.json() as T;
  }
  const messages = (u: TestUser, roomId: string, query: string) => read<Page>(u, path(roomId, `/messages?${query}`));
  /** The current position, as a token: the `start` of a backwards /messages without `from`. */
  const now = async (u: TestUser, roomId: string) => (await messages(u, roomId, 'dir=b&limit=1')).start;
  const q = encodeURIComponent;

  /** Follows `end` tokens until the server omits one; returns every page. */
  async function paginate(u: TestUser, roomId: string, dir: 'b' | 'f', limit: number, extra = ''): Promise<Page[]> {
    const pages: Page[] = [];
    let from: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await messages(u, roomId, `dir=${dir}&limit=${limit}${from ? `&from=${q(from)}` : ''}${extra}`);
      if (from !== undefined) assert.equal(page.start, from, 'start is the given from');
      pages.push(page);
      if (page.end === undefined) return pages;
      from = page.end;
    }
    throw new Error('pagination did not end');
  }

  /** A public room with `count` messages m1..mN from its creator; returns their event IDs. */
  async function roomWithMessages(owner: TestUser, count: number, options: Record<string, unknown> = {}) {
    const roomId = await r.createRoom(owner, { preset: 'public_chat', ...options });
    const sent: string[] = [];
    for (let i = 1; i <= count; i++) sent.push(await r.send(owner, roomId, `m${i}`));
    return { roomId, sent };
  }

  describe('GET /rooms/{roomId}/event/{eventId}', () => {
    it('returns the event in the client format', async () => {
      const alice = await user('alice');
      const { roomId, sent } = await roomWithMessages(alice, 2);
      const url = path(roomId, `/event/${q(sent[0]!)}`);
      const ev = await read<Ev & { room_id: string }>(alice, url);
      assert.equal(ev.event_id, sent[0]);
      assert.equal(ev.room_id, roomId);
      assert.equal(ev.type, 'm.room.message');
      assert.equal(ev.sender, alice.userId);
      assert.deepEqual(ev.content, { msgtype: 'm.text', body: 'm1' });
      assert.equal(typeof ev.unsigned?.age, 'number');
    });

    it('an unknown event, or an event of another room, is 404 M_NOT_FOUND', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 1);
      const other = await roomWithMessages(alice, 1);
      for (const eventId of [`$${'x'.repeat(43)}`, other.sent[0]!]) {
        const url = path(roomId, `/event/${q(eventId)}`);
        assertError(await s.request('GET', url, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      }
    });

    it('a malformed event ID is 400 M_INVALID_PARAM, on /event and /context', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 1);
      for (const rest of ['/event/not-an-event-id', '/context/not-an-event-id', `/event/${q('$has space')}`]) {
        const url = path(roomId, rest);
        assertError(await s.request('GET', url, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', url);
      }
    });

    it('an unknown room is 404 M_NOT_FOUND too (the same answer as an event one may not see)', async () => {
      const alice = await user('alice');
      const url = path('!unknown:hs.test', `/event/${q(`$${'x'.repeat(43)}`)}`);
      assertError(await s.request('GET', url, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
    });
  });

  describe('GET /rooms/{roomId}/messages', () => {
    it('backwards: newest first, `limit` per page, `end` leads on, and is omitted at the start of the room', async () => {
      const alice = await user('alice');
      const { roomId, sent } = await roomWithMessages(alice, 10);
      const first = await messages(alice, roomId, 'dir=b&limit=3');
      assert.deepEqual(ids(first.chunk), [sent[9], sent[8], sent[7]]);
      assert.equal(typeof first.start, 'string');
      assert.equal(typeof first.end, 'string');
      const second = await messages(alice, roomId, `dir=b&limit=3&from=${q(first.end!)}`);
      assert.deepEqual(bodies(second.chunk), ['m7', 'm6', 'm5']);
      assert.equal(second.start, first.end);

      // createRoom wrote 6 events (create, member, power levels, join rules, history visibility, guest access).
      const pages = await paginate(alice, roomId, 'b', 4);
      const all = pages.flatMap((p) => p.chunk);
      assert.equal(all.length, 16);
      assert.deepEqual(bodies(all), ['m10', 'm9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1']);
      assert.equal(all.at(-1)!.type, 'm.room.create');
      assert.equal(new Set(ids(all)).size, 16);
      assert.equal(pages.at(-1)!.end, undefined);

      // One page holding everything: no `end` at all.
      const whole = await messages(alice, roomId, 'dir=b&limit=100');
      assert.equal(whole.chunk.length, 16);
      assert.equal(whole.end, undefined);
    });

    it('forwards: oldest first from the start of the room; an empty page at the newest event has no `end`', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 10);
      const first = await messages(alice, roomId, 'dir=f&limit=4');
      assert.deepEqual(first.chunk.map((e) => e.type), ['m.room.create', 'm.room.member', 'm.room.power_levels', 'm.room.join_rules']);
      assert.equal(typeof first.end, 'string');

      const pages = await paginate(alice, roomId, 'f', 4);
      const all = pages.flatMap((p) => p.chunk);
      assert.equal(all.length, 16);
      assert.deepEqual(bodies(all), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
      const last = pages.at(-1)!;
      assert.deepEqual(last.chunk, []);
      assert.equal(last.end, undefined);

      // Backwards and forwards agree.
      const backwards = (await paginate(alice, roomId, 'b', 5)).flatMap((p) => p.chunk);
      assert.deepEqual(ids(backwards), ids(all).reverse());
    });

    it('a forward `end` taken at the newest event picks up events sent later', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 2);
      const page = await messages(alice, roomId, 'dir=f&limit=100');
      assert.deepEqual(bodies(page.chunk), ['m1', 'm2']);
      assert.equal(typeof page.end, 'string');
      await r.send(alice, roomId, 'm3');
      const next = await messages(alice, roomId, `dir=f&limit=100&from=${q(page.end!)}`);
      assert.deepEqual(bodies(next.chunk), ['m3']);
    });

    it('without `limit` a page holds 10 events; without `dir` it goes backwards', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 12);
      const page = await messages(alice, roomId, 'dir=b');
      assert.equal(page.chunk.length, 10);
      assert.deepEqual(bodies(page.chunk).slice(0, 2), ['m12', 'm11']);
      const noDir = await messages(alice, roomId, 'limit=2');
      assert.deepEqual(bodies(noDir.chunk), ['m12', 'm11']);
    });

    it('tokens: `from` and `to` bound the range in both directions', async () => {
      const alice = await user('alice');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const tokens: string[] = [];
      for (let i = 1; i <= 6; i++) {
        await r.send(alice, roomId, `m${i}`);
        tokens.push(await now(alice, roomId)); // tokens[i-1]: just after m{i}
      }
      // Backwards from just after m5 down to (not including) m2.
      const back = await messages(alice, roomId, `dir=b&limit=100&from=${q(tokens[4]!)}&to=${q(tokens[1]!)}`);
      assert.deepEqual(bodies(back.chunk), ['m5', 'm4', 'm3']);
      assert.equal(back.chunk.length, 3);
      // Forwards from just after m2 up to and including m5.
      const fwd = await messages(alice, roomId, `dir=f&limit=100&from=${q(tokens[1]!)}&to=${q(tokens[4]!)}`);
      assert.deepEqual(bodies(fwd.chunk), ['m3', 'm4', 'm5']);
      assert.equal(fwd.chunk.length, 3);
      // A backwards `end` works as a forward `from` and the other way round.
      const b2 = await messages(alice, roomId, 'dir=b&limit=2');
      assert.deepEqual(bodies(b2.chunk), ['m6', 'm5']);
      const f2 = await messages(alice, roomId, `dir=f&limit=2&from=${q(b2.end!)}`);
      assert.deepEqual(bodies(f2.chunk), ['m5', 'm6']);
    });

    it('invalid tokens are 400 M_INVALID_PARAM', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 1);
      for (const query of ['dir=b&from=garbage', 'dir=f&from=t', 'dir=b&to=s-1', 'dir=b&from=t99999999999999999999']) {
        const url = path(roomId, `/messages?${query}`);
        assertError(await s.request('GET', url, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', url);
      }
      const badDir = path(roomId, '/messages?dir=x');
      assertError(await s.request('GET', badDir, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', badDir);
      const badLimit = path(roomId, '/messages?dir=b&limit=lots');
      assertError(await s.request('GET', badLimit, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', badLimit);
    });

    it('`filter`: types, not_types, senders and not_senders, with `limit` counting the events that pass', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      for (let i = 1; i <= 4; i++) {
        await r.send(alice, roomId, `a${i}`);
        await r.send(bob, roomId, `b${i}`);
      }
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'filtered' });
      const withFilter = (filter: unknown, extra = 'dir=b&limit=100') => messages(alice, roomId, `${extra}&filter=${q(JSON.stringify(filter))}`);

      const onlyMessages = await withFilter({ types: ['m.room.message'] });
      assert.deepEqual(bodies(onlyMessages.chunk), ['b4', 'a4', 'b3', 'a3', 'b2', 'a2', 'b1', 'a1']);
      assert.equal(onlyMessages.chunk.length, 8);

      const noMessages = await withFilter({ not_types: ['m.room.message'] });
      assert.equal(noMessages.chunk.some((e) => e.type === 'm.room.message'), false);
      assert.equal(noMessages.chunk[0]!.type, 'm.room.topic');

      const wildcard = await withFilter({ types: ['m.room.t*'] });
      assert.deepEqual(wildcard.chunk.map((e) => e.type), ['m.room.topic']);

      const fromBob = await withFilter({ senders: [bob.userId] });
      assert.ok(fromBob.chunk.every((e) => e.sender === bob.userId));
      assert.deepEqual(bodies(fromBob.chunk), ['b4', 'b3', 'b2', 'b1']);
      assert.equal(fromBob.chunk.filter((e) => e.type === 'm.room.member').length, 1);

      const notAlice = await withFilter({ types: ['m.room.message'], not_senders: [alice.userId] });
      assert.deepEqual(bodies(notAlice.chunk), ['b4', 'b3', 'b2', 'b1']);

      // Paged: two of bob's messages a page, across the interleaved events.
      const page1 = await withFilter({ types: ['m.room.message'], senders: [bob.userId] }, 'dir=b&limit=2');
      assert.deepEqual(bodies(page1.chunk), ['b4', 'b3']);
      assert.equal(typeof page1.end, 'string');
      const page2 = await withFilter({ types: ['m.room.message'], senders: [bob.userId] }, `dir=b&limit=2&from=${q(page1.end!)}`);
      assert.deepEqual(bodies(page2.chunk), ['b2', 'b1']);
      const forward = await withFilter({ types: ['m.room.message'], senders: [alice.userId] }, 'dir=f&limit=3');
      assert.deepEqual(bodies(forward.chunk), ['a1', 'a2', 'a3']);
    });

    it('a filter that skips most events still finds the few that match, page after page', async () => {
      const alice = await user('alice');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.send(alice, roomId, 'needle 1');
      for (let i = 0; i < 45; i++) await r.send(alice, roomId, `hay ${i}`);
      const filter = q(JSON.stringify({ types: ['com.example.needle'] }));
      const res = await s.request('PUT', path(roomId, '/send/com.example.needle/n1'), { token: alice.accessToken, body: { body: 'needle 2' } });
      assert.equal(res.statusCode, 200);
      for (let i = 0; i < 45; i++) await r.send(alice, roomId, `hay2 ${i}`);
      // With limit 2, a scan of 2 events per round would give up long before reaching any needle.
      const found: Ev[] = [];
      let from: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await messages(alice, roomId, `dir=b&limit=2&filter=${filter}${from ? `&from=${q(from)}` : ''}`);
        found.push(...page.chunk);
        if (page.end === undefined) break;
        from = page.end;
      }
      assert.deepEqual(found.map((e) => e.content.body), ['needle 2']);
    });

    it('`filter` contains_url: events with a string content.url, and redacted events have none', async () => {
      const alice = await user('alice');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.send(alice, roomId, 'plain');
      const image = async (body: string) => (await r.ok('PUT', `${r.room(roomId)}/send/m.room.message/${body}`, alice, { msgtype: 'm.image', body, url: `mxc://hs.test/${body}` })).event_id as string;
      await image('kept');
      const gone = await image('gone');
      await r.ok('PUT', `${r.room(roomId)}/redact/${q(gone)}/redact-gone`, alice, {});
      const withUrl = await messages(alice, roomId, `dir=b&limit=100&filter=${q('{"contains_url":true}')}`);
      assert.deepEqual(withUrl.chunk.map((e) => e.content.body), ['kept']);
      const withoutUrl = await messages(alice, roomId, `dir=b&limit=100&filter=${q('{"contains_url":false,"types":["m.room.message"]}')}`);
      assert.deepEqual(withoutUrl.chunk.map((e) => e.event_id === gone ? 'gone (redacted)' : e.content.body), ['gone (redacted)', 'plain']);
    });

    it('an invalid filter is 400 M_BAD_JSON; a filter that is not JSON is 400 M_NOT_JSON', async () => {
      const alice = await user('alice');
      const { roomId } = await roomWithMessages(alice, 1);
      for (const filter of ['{"types":"m.room.message"}', '[]', '{"senders":[1]}', '{"contains_url":"yes"}', '{"limit":-1}']) {
        const url = path(roomId, `/messages?dir=b&filter=${q(filter)}`);
        assertError(await s.request('GET', url, { token: alice.accessToken }), 400, 'M_BAD_JSON', 'GET', url);
      }
      const url = path(roomId, `/messages?dir=b&filter=${q('{not json')}`);
      assertError(await s.request('GET', url, { token: alice.accessToken }), 400, 'M_NOT_JSON', 'GET', url);
    });

    it('a user who was never in the room gets 403 M_FORBIDDEN; so does an unknown room', async () => {
      const alice = await user('alice');
      const eve = await user('eve');
      const { roomId } = await roomWithMessages(alice, 1);
      for (const url of [path(roomId, '/messages?dir=b'), path('!nope:hs.test', '/messages?dir=b')]) {
        assertError(await s.request('GET', url, { token: eve.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      }
    });
  });

  describe('GET /rooms/{roomId}/context/{eventId}', () => {
    it('events before (newest first) and after, the event itself, the state at it, and tokens that paginate on', async () => {
      const alice = await user('alice');
      const { roomId, sent } = await roomWithMessages(alice, 10);
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'later' });
      const url = path(roomId, `/context/${q(sent[4]!)}?limit=4`);
      const ctx = await read<{ event: Ev; events_before: Ev[]; events_after: Ev[]; state: Ev[]; start: string; end: string }>(alice, url);
      assert.equal(ctx.event.event_id, sent[4]);
      assert.deepEqual(ctx.event.content, { msgtype: 'm.text', body: 'm5' });
      assert.deepEqual(bodies(ctx.events_before), ['m4', 'm3']);
      assert.deepEqual(bodies(ctx.events_after), ['m6', 'm7']);
      assert.equal(ctx.events_before.length + ctx.events_after.length, 4);
      // The state at the event, not today's (the topic came later).
      const types = ctx.state.map((e) => e.type);
      for (const t of ['m.room.create', 'm.room.member', 'm.room.power_levels', 'm.room.join_rules']) assert.ok(types.includes(t), t);
      assert.equal(types.includes('m.room.topic'), false);

      const before = await messages(alice, roomId, `dir=b&limit=3&from=${q(ctx.start)}`);
      assert.deepEqual(bodies(before.chunk), ['m2', 'm1']);
      const after = await messages(alice, roomId, `dir=f&limit=3&from=${q(ctx.end)}`);
      assert.deepEqual(bodies(after.chunk), ['m8', 'm9', 'm10']);
    });

    it('limit 0 returns only the event; the default limit is 10', async () => {
      const alice = await user('alice');
      const { roomId, sent } = await roomWithMessages(alice, 14);
      const zero = await read<{ event: Ev; events_before: Ev[]; events_after: Ev[] }>(alice, path(roomId, `/context/${q(sent[6]!)}?limit=0`));
      assert.equal(zero.event.event_id, sent[6]);
      assert.deepEqual(zero.events_before, []);
      assert.deepEqual(zero.events_after, []);
      const dflt = await read<{ events_before: Ev[]; events_after: Ev[] }>(alice, path(roomId, `/context/${q(sent[6]!)}`));
      assert.equal(dflt.events_before.length + dflt.events_after.length, 10);
      assert.deepEqual(bodies(dflt.events_after), ['m8', 'm9', 'm10', 'm11', 'm12']);
    });

    it('at the newest event: nothing after, and `end` picks up what is sent later', async () => {
      const alice = await user('alice');
      const { roomId, sent } = await roomWithMessages(alice, 3);
      const ctx = await read<{ events_before: Ev[]; events_after: Ev[]; end: string }>(alice, path(roomId, `/context/${q(sent[2]!)}?limit=4`));
      assert.deepEqual(ctx.events_after, []);
      assert.deepEqual(bodies(ctx.events_before), ['m2', 'm1']);
      await r.send(alice, roomId, 'm4');
      const later = await messages(alice, roomId, `dir=f&limit=10&from=${q(ctx.end)}`);
      assert.deepEqual(bodies(later.chunk), ['m4']);
    });

    it('`filter` applies to the events around the event and to the state, not to the event itself', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const a1 = await r.send(alice, roomId, 'a1');
      await r.send(bob, roomId, 'b1');
      const a2 = await r.send(alice, roomId, 'a2');
      await r.send(bob, roomId, 'b2');
      await r.send(alice, roomId, 'a3');
      const filter = q(JSON.stringify({ senders: [bob.userId] }));
      const ctx = await read<{ event: Ev; events_before: Ev[]; events_after: Ev[]; state: Ev[] }>(alice, path(roomId, `/context/${q(a2)}?limit=10&filter=${filter}`));
      assert.equal(ctx.event.event_id, a2);
      assert.deepEqual(bodies(ctx.events_before), ['b1']);
      assert.ok(ctx.events_before.every((e) => e.sender === bob.userId));
      assert.deepEqual(bodies(ctx.events_after), ['b2']);
      assert.ok(ctx.state.length > 0);
      assert.ok(ctx.state.every((e) => e.sender === bob.userId), JSON.stringify(ctx.state.map((e) => [e.type, e.sender])));
      assert.ok(ctx.state.some((e) => e.type === 'm.room.member' && e.state_key === bob.userId));
      const invalid = path(roomId, `/context/${q(a1)}?filter=${q('{"types":7}')}`);
      assertError(await s.request('GET', invalid, { token: alice.accessToken }), 400, 'M_BAD_JSON', 'GET', invalid);
    });

    it('an unknown event, or one of another room, is 404 M_NOT_FOUND; a non-member gets 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const eve = await user('eve');
      const { roomId, sent } = await roomWithMessages(alice, 1);
      const other = await roomWithMessages(alice, 1);
      for (const eventId of [`$${'y'.repeat(43)}`, other.sent[0]!]) {
        const url = path(roomId, `/context/${q(eventId)}`);
        assertError(await s.request('GET', url, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      }
      const url = path(roomId, `/context/${q(sent[0]!)}`);
      assertError(await s.request('GET', url, { token: eve.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
    });
  });

  describe('state and members', () => {
    it('GET /state is the current state, one event per (type, state key)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'The room', topic: 'first' });
      await r.join(bob, roomId);
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'second' });
      await r.putState(alice, roomId, 'com.example.thing', { n: 1 }, 'k1');
      await r.putState(alice, roomId, 'com.example.thing', { n: 2 }, 'k2');
      const state = await read<Ev[]>(bob, path(roomId, '/state'));
      const keys = state.map((e) => `${e.type}|${e.state_key}`);
      assert.equal(new Set(keys).size, keys.length);
      for (const key of ['m.room.create|', `m.room.member|${alice.userId}`, `m.room.member|${bob.userId}`, 'm.room.power_levels|', 'm.room.join_rules|',
        'm.room.history_visibility|', 'm.room.guest_access|', 'm.room.name|', 'm.room.topic|', 'com.example.thing|k1', 'com.example.thing|k2']) {
        assert.ok(keys.includes(key), key);
      }
      assert.equal(keys.length, 11);
      assert.deepEqual(state.find((e) => e.type === 'm.room.topic')!.content, { topic: 'second' });
      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.name')), { name: 'The room' });
      // New accounts start with their localpart as display name; joins carry it.
      assert.deepEqual(await read(bob, path(roomId, `/state/m.room.member/${q(bob.userId)}`)), { membership: 'join', displayname: localpart(bob) });
      assert.deepEqual(await read(bob, path(roomId, '/state/com.example.thing/k2')), { n: 2 });
    });

    it('GET /members: every membership, or filtered with `membership` / `not_membership`', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const dave = await user('dave');
      const eve = await user('eve');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      await r.invite(alice, roomId, carol);
      await r.join(dave, roomId);
      await r.leave(dave, roomId);
      await r.ban(alice, roomId, eve);

      const all = await read<{ chunk: Ev[] }>(bob, path(roomId, '/members'));
      const byUser = Object.fromEntries(all.chunk.map((e) => [e.state_key, e.content.membership]));
      assert.deepEqual(byUser, { [alice.userId]: 'join', [bob.userId]: 'join', [carol.userId]: 'invite', [dave.userId]: 'leave', [eve.userId]: 'ban' });
      assert.ok(all.chunk.every((e) => e.type === 'm.room.member'));

      const cases: Array<[string, string[]]> = [
        ['membership=join', [alice.userId, bob.userId]],
        ['membership=invite', [carol.userId]],
        ['membership=leave', [dave.userId]],
        ['membership=ban', [eve.userId]],
        ['membership=knock', []],
        ['not_membership=leave', [alice.userId, bob.userId, carol.userId, eve.userId]],
        ['not_membership=join', [carol.userId, dave.userId, eve.userId]],
      ];
      for (const [query, expected] of cases) {
        const res = await read<{ chunk: Ev[] }>(bob, path(roomId, `/members?${query}`));
        assert.deepEqual(res.chunk.map((e) => e.state_key).sort(), [...expected].sort(), query);
      }
      const bad = path(roomId, '/members?membership=lurking');
      assertError(await s.request('GET', bad, { token: bob.accessToken }), 400, 'M_INVALID_PARAM', 'GET', bad);
    });

    it('GET /members?at=<token>: the members at that point', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const beforeCarol = await now(alice, roomId);
      await r.join(carol, roomId);
      await r.leave(bob, roomId);

      const then = await read<{ chunk: Ev[] }>(alice, path(roomId, `/members?at=${q(beforeCarol)}`));
      assert.deepEqual(Object.fromEntries(then.chunk.map((e) => [e.state_key, e.content.membership])), { [alice.userId]: 'join', [bob.userId]: 'join' });
      const joinedThen = await read<{ chunk: Ev[] }>(alice, path(roomId, `/members?at=${q(beforeCarol)}&membership=join`));
      assert.equal(joinedThen.chunk.length, 2);
      const current = await read<{ chunk: Ev[] }>(alice, path(roomId, '/members'));
      assert.deepEqual(Object.fromEntries(current.chunk.map((e) => [e.state_key, e.content.membership])),
        { [alice.userId]: 'join', [bob.userId]: 'leave', [carol.userId]: 'join' });
      const bad = path(roomId, '/members?at=yesterday');
      assertError(await s.request('GET', bad, { token: alice.accessToken }), 400, 'M_INVALID_PARAM', 'GET', bad);
    });

    it('GET /joined_members: the joined users with display name and avatar', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      for (const [field, value] of [['displayname', 'Alice A.'], ['avatar_url', 'mxc://hs.test/alice']] as const) {
        const res = await s.request('PUT', `${V3}/profile/${q(alice.userId)}/${field}`, { token: alice.accessToken, body: { [field]: value } });
        assert.equal(res.statusCode, 200, res.body);
      }
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      await r.invite(alice, roomId, carol);
      const res = await read<{ joined: Record<string, { display_name?: string; avatar_url?: string }> }>(bob, path(roomId, '/joined_members'));
      assert.deepEqual(res, { joined: { [alice.userId]: { display_name: 'Alice A.', avatar_url: 'mxc://hs.test/alice' }, [bob.userId]: { display_name: localpart(bob) } } });
    });

    it('GET /joined_members: a redacted join shows no profile', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const join = ((await r.ok('GET', `${r.room(roomId)}/state/m.room.member/${q(bob.userId)}?format=event`, alice)) as Ev).event_id;
      await r.ok('PUT', `${r.room(roomId)}/redact/${q(join)}/redact-join`, alice, {});
      const res = await read<{ joined: Record<string, object> }>(alice, path(roomId, '/joined_members'));
      assert.deepEqual(res.joined[bob.userId], {});
      assert.deepEqual(await read(alice, path(roomId, `/state/m.room.member/${q(bob.userId)}`)), { membership: 'join' });
    });

    it('GET /joined_members by a user who is not joined now (left, kicked, banned, invited, rejected invite, never): 403 M_FORBIDDEN', async () => {
      const alice = await user('alice');
      const carol = await user('carol');
      const roomId = await r.createRoom(alice, { preset: 'private_chat' });
      await r.invite(alice, roomId, carol);
      await r.join(carol, roomId);
      const url = path(roomId, '/joined_members');
      // carol stays joined throughout: the member list is never empty, so a 200 would have something to show.
      const expected = { joined: { [alice.userId]: { display_name: localpart(alice) }, [carol.userId]: { display_name: localpart(carol) } } };
      const outsiders: Record<string, TestUser> = {};
      for (const how of ['left', 'kicked', 'banned', 'invited', 'rejected', 'never'] as const) {
        const u = await user(how);
        outsiders[how] = u;
        if (how === 'never') continue;
        await r.invite(alice, roomId, u);
        if (how === 'rejected') await r.leave(u, roomId);
        if (how === 'invited' || how === 'rejected') continue;
        await r.join(u, roomId);
        assert.deepEqual(Object.keys((await read<{ joined: object }>(u, url)).joined).sort(), [alice.userId, carol.userId, u.userId].sort());
        if (how === 'left') await r.leave(u, roomId);
        else if (how === 'kicked') await r.kick(alice, roomId, u);
        else await r.ban(alice, roomId, u);
      }
      for (const [how, u] of Object.entries(outsiders)) {
        const res = await s.request('GET', url, { token: u.accessToken });
        assertError(res, 403, 'M_FORBIDDEN', 'GET', url);
        assert.equal(res.body.includes(carol.userId), false, `${how}: the refusal names no member`);
      }
      assert.deepEqual(await read(carol, url), expected);
      // A world-readable room is readable by anyone, its joined members included (as its /members).
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      for (const u of Object.values(outsiders)) assert.deepEqual(await read(u, url), expected);
    });

    it('GET /joined_rooms: rooms joined now, not those invited to or left', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const a = await r.createRoom(alice, { preset: 'public_chat' });
      const b = await r.createRoom(alice, { preset: 'public_chat' });
      const c = await r.createRoom(alice, { preset: 'private_chat' });
      await r.join(bob, a);
      await r.join(bob, b);
      await r.leave(bob, b);
      await r.invite(alice, c, bob);
      const res = await read<{ joined_rooms: string[] }>(bob, `${V3}/joined_rooms`);
      assert.deepEqual(res, { joined_rooms: [a] });
      const mine = await read<{ joined_rooms: string[] }>(alice, `${V3}/joined_rooms`);
      assert.deepEqual([...mine.joined_rooms].sort(), [a, b, c].sort());
      const nobody = await user('nobody');
      assert.deepEqual(await read(nobody, `${V3}/joined_rooms`), { joined_rooms: [] });
      const anon = await s.request('GET', `${V3}/joined_rooms`);
      assertError(anon, 401, 'M_MISSING_TOKEN', 'GET', `${V3}/joined_rooms`);
    });

    it('a user who was never in the room: 403 M_FORBIDDEN on /state, /state/{type}/{key}, /members, /joined_members', async () => {
      const alice = await user('alice');
      const eve = await user('eve');
      const roomId = await r.createRoom(alice, { preset: 'public_chat', topic: 'secret-ish' });
      for (const rest of ['/state', '/state/m.room.topic', '/state/m.room.topic/', '/members', '/joined_members']) {
        const url = path(roomId, rest);
        assertError(await s.request('GET', url, { token: eve.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      }
    });

    it('only a user who joined is a departed member: after a rejected invite, a rescinded knock or a ban without a join, 403 M_FORBIDDEN on state, members and aliases, and only their own membership events', async () => {
      const alice = await user('alice');
      const roomId = await r.createRoom(alice, { preset: 'private_chat', room_version: '10' });
      await r.putState(alice, roomId, 'm.room.join_rules', { join_rule: 'knock' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'shared' });
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'members only' });
      await r.putState(alice, roomId, 'org.example.custom', { secret: 1 }, 'k');
      const message = await r.send(alice, roomId, 'for members');
      const rejected = await user('rejected');
      await r.invite(alice, roomId, rejected);
      await r.leave(rejected, roomId);
      const rescinded = await user('rescinded');
      await r.ok('POST', `/knock/${q(roomId)}`, rescinded, {});
      await r.leave(rescinded, roomId);
      const banned = await user('banned');
      await r.ban(alice, roomId, banned);
      for (const u of [rejected, rescinded, banned]) {
        for (const rest of ['/state', '/state/m.room.topic', '/state/org.example.custom/k', '/members', '/joined_members', '/aliases']) {
          const url = path(roomId, rest);
          assertError(await s.request('GET', url, { token: u.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
        }
        for (const rest of [`/event/${q(message)}`, `/context/${q(message)}`]) {
          const url = path(roomId, rest);
          assertError(await s.request('GET', url, { token: u.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
        }
        // Their own membership events, and nothing else: not the room's messages, state or other members.
        const own = (await messages(u, roomId, 'dir=b&limit=100')).chunk;
        assert.ok(own.length > 0);
        assert.deepEqual(own.filter((e) => e.type !== 'm.room.member' || e.state_key !== u.userId), []);
        const ownLast = own[0]!;
        const context = await read<{ event: Ev; state: Ev[]; events_before: Ev[] }>(u, path(roomId, `/context/${q(ownLast.event_id)}`));
        assert.equal(context.event.event_id, ownLast.event_id);
        assert.deepEqual(context.state.map((e) => [e.type, e.state_key]), [['m.room.member', u.userId]]);
        assert.deepEqual(context.events_before.filter((e) => e.state_key !== u.userId), []);
      }
      // A world-readable room is readable by anyone, these users included.
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      for (const u of [rejected, rescinded, banned]) {
        assert.deepEqual(await read(u, path(roomId, '/state/m.room.topic')), { topic: 'members only' });
      }
    });

  });

  describe('history visibility on every read path', () => {
    /**
     * alice's room with the given history visibility: "before invite", bob invited, "after invite",
     * bob joins, "after join".
     */
    async function scene(visibility: string) {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'private_chat' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: visibility });
      const beforeInvite = await r.send(alice, roomId, 'before invite');
      await r.invite(alice, roomId, bob);
      const afterInvite = await r.send(alice, roomId, 'after invite');
      await r.join(bob, roomId);
      const afterJoin = await r.send(alice, roomId, 'after join');
      return { alice, bob, roomId, events: { 'before invite': beforeInvite, 'after invite': afterInvite, 'after join': afterJoin } };
    }

    async function expectVisible(u: TestUser, roomId: string, events: Record<string, string>, visible: string[]) {
      const chunk = (await messages(u, roomId, 'dir=b&limit=100')).chunk;
      assert.deepEqual(bodies(chunk).reverse(), visible, '/messages backwards');
      const forward = (await messages(u, roomId, 'dir=f&limit=100')).chunk;
      assert.deepEqual(bodies(forward), visible, '/messages forwards');
      for (const [name, eventId] of Object.entries(events)) {
        const eventUrl = path(roomId, `/event/${q(eventId)}`);
        const contextUrl = path(roomId, `/context/${q(eventId)}`);
        const ev = await s.request('GET', eventUrl, { token: u.accessToken });
        const ctx = await s.request('GET', contextUrl, { token: u.accessToken });
        if (visible.includes(name)) {
          assert.equal(ev.statusCode, 200, `/event ${name}: ${ev.body}`);
          assert.equal(ev.json().content.body, name);
          assert.equal(ctx.statusCode, 200, `/context ${name}: ${ctx.body}`);
          assertSpecResponse(ctx, 'GET', contextUrl);
          const around = [...ctx.json().events_before, ...ctx.json().events_after] as Ev[];
          assert.ok(bodies(around).every((b) => visible.includes(b)), `/context ${name} shows only visible events: ${bodies(around)}`);
        } else {
          assertError(ev, 404, 'M_NOT_FOUND', 'GET', eventUrl);
          assertError(ctx, 404, 'M_NOT_FOUND', 'GET', contextUrl);
        }
      }
    }

    it('shared: a user who joins later sees everything, including what was sent before their invite', async () => {
      const { alice, bob, roomId, events } = await scene('shared');
      await expectVisible(bob, roomId, events, ['before invite', 'after invite', 'after join']);
      await expectVisible(alice, roomId, events, ['before invite', 'after invite', 'after join']);
      const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      assert.equal(chunk.at(-1)!.type, 'm.room.create');
    });

    it('invited: from the invite on', async () => {
      const { bob, roomId, events } = await scene('invited');
      await expectVisible(bob, roomId, events, ['after invite', 'after join']);
    });

    it('joined: from the join on; the user\'s own invite is still visible to them', async () => {
      const { bob, roomId, events } = await scene('joined');
      await expectVisible(bob, roomId, events, ['after join']);
      const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      const own = chunk.filter((e) => e.type === 'm.room.member' && e.state_key === bob.userId).map((e) => e.content.membership);
      assert.deepEqual(own, ['join', 'invite']);
      // What was sent before the setting became `joined` (the room's creation, under `shared`) stays visible.
      assert.ok(chunk.some((e) => e.type === 'm.room.create'));
      const setting = chunk.filter((e) => e.type === 'm.room.history_visibility').map((e) => e.content.history_visibility);
      assert.deepEqual(setting, ['joined', 'shared']);
      // The state itself is readable whatever the history visibility.
      const state = await read<Ev[]>(bob, path(roomId, '/state'));
      assert.ok(state.some((e) => e.type === 'm.room.create'));
    });

    it('joined: a user who leaves and rejoins does not see what was sent while they were away', async () => {
      const { alice, bob, roomId } = await scene('joined');
      await r.leave(bob, roomId);
      await r.send(alice, roomId, 'while away');
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      await r.send(alice, roomId, 'back again');
      const seen = bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk).reverse();
      assert.deepEqual(seen, ['after join', 'back again']);
    });

    it('shared: a user who leaves and rejoins sees what was sent while they were away', async () => {
      const { alice, bob, roomId } = await scene('shared');
      await r.leave(bob, roomId);
      await r.send(alice, roomId, 'while away');
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      const seen = bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk).reverse();
      assert.deepEqual(seen, ['before invite', 'after invite', 'after join', 'while away']);
    });

    it('visibility is judged with the setting at each event', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'joined' });
      await r.send(alice, roomId, 'under joined');
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'shared' });
      await r.send(alice, roomId, 'under shared');
      await r.join(bob, roomId);
      assert.deepEqual(bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk).reverse(), ['under shared']);
    });

    it('a change of the setting is visible when either the old or the new setting allows it', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'private_chat' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'invited' });
      await r.invite(alice, roomId, bob);
      await r.send(alice, roomId, 'while invited');
      // `invited` -> `joined` while bob is invited: the old setting lets him see this change...
      const change = await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'joined' });
      // ...but under `joined` an invited user sees nothing new until he joins.
      await r.send(alice, roomId, 'after the change');
      await r.join(bob, roomId);
      await r.leave(bob, roomId);
      const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      assert.deepEqual(bodies(chunk), ['while invited']);
      // The change is the newest setting he sees (the earlier ones, under `shared`, he sees as a joiner).
      assert.equal(chunk.find((e) => e.type === 'm.room.history_visibility')!.event_id, change);
      assert.equal(chunk[0]!.content.membership, 'leave');
      assert.equal((await read<Ev>(bob, path(roomId, `/event/${q(change)}`))).content.history_visibility, 'joined');
    });

    it('world_readable: a user who never joined reads /messages, /context, /event, /state, /members', async () => {
      const alice = await user('alice');
      const eve = await user('eve');
      const roomId = await r.createRoom(alice, { preset: 'private_chat', topic: 'open book' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      const m1 = await r.send(alice, roomId, 'for everyone');

      const chunk = (await messages(eve, roomId, 'dir=b&limit=100')).chunk;
      assert.deepEqual(bodies(chunk), ['for everyone']);
      const ev = await read<Ev>(eve, path(roomId, `/event/${q(m1)}`));
      assert.equal(ev.content.body, 'for everyone');
      const ctx = await read<{ event: Ev }>(eve, path(roomId, `/context/${q(m1)}`));
      assert.equal(ctx.event.event_id, m1);
      const state = await read<Ev[]>(eve, path(roomId, '/state'));
      assert.deepEqual(state.find((e) => e.type === 'm.room.topic')!.content, { topic: 'open book' });
      assert.deepEqual(await read(eve, path(roomId, '/state/m.room.topic')), { topic: 'open book' });
      const members = await read<{ chunk: Ev[] }>(eve, path(roomId, '/members'));
      assert.deepEqual(members.chunk.map((e) => e.state_key), [alice.userId]);
      assert.deepEqual(Object.keys((await read<{ joined: object }>(eve, path(roomId, '/joined_members'))).joined), [alice.userId]);

      // Closing the room again: what was sent while it was world-readable stays readable only to members.
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'joined' });
      const closed = path(roomId, '/messages?dir=b');
      assertError(await s.request('GET', closed, { token: eve.accessToken }), 403, 'M_FORBIDDEN', 'GET', closed);
      const closedEvent = path(roomId, `/event/${q(m1)}`);
      assertError(await s.request('GET', closedEvent, { token: eve.accessToken }), 404, 'M_NOT_FOUND', 'GET', closedEvent);
    });

    it('invited or knocking is not joined: 403 M_FORBIDDEN (404 for /event) until the user joins, unless world_readable', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const kate = await user('kate');
      const roomId = await r.createRoom(alice, { preset: 'private_chat', topic: 'members only' });
      await r.putState(alice, roomId, 'm.room.join_rules', { join_rule: 'knock' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'invited' });
      await r.invite(alice, roomId, bob);
      const knock = await s.request('POST', `${V3}/knock/${q(roomId)}`, { token: kate.accessToken, body: {} });
      assert.equal(knock.statusCode, 200, knock.body);
      const m1 = await r.send(alice, roomId, 'after the invite');
      for (const u of [bob, kate]) {
        for (const rest of ['/messages?dir=b', `/context/${q(m1)}`, '/state', '/state/m.room.topic', '/members', '/joined_members']) {
          const url = path(roomId, rest);
          assertError(await s.request('GET', url, { token: u.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
        }
        const url = path(roomId, `/event/${q(m1)}`);
        assertError(await s.request('GET', url, { token: u.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      }
      // Once joined, the invited user sees history from the invite on (history visibility `invited`).
      await r.join(bob, roomId);
      assert.deepEqual(bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk), ['after the invite']);
      // A world-readable room is readable to them as to anyone.
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      assert.deepEqual(await read(kate, path(roomId, '/state/m.room.topic')), { topic: 'members only' });
      assert.deepEqual(bodies((await messages(kate, roomId, 'dir=b&limit=100')).chunk), []);
    });

    it('without world_readable, a user who never joined gets 403 M_FORBIDDEN (and 404 for /event)', async () => {
      const alice = await user('alice');
      const eve = await user('eve');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      const m1 = await r.send(alice, roomId, 'members only');
      for (const rest of ['/messages?dir=b', `/context/${q(m1)}`, '/state', '/state/m.room.create', '/members', '/joined_members']) {
        const url = path(roomId, rest);
        assertError(await s.request('GET', url, { token: eve.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
      }
      const url = path(roomId, `/event/${q(m1)}`);
      assertError(await s.request('GET', url, { token: eve.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
    });
  });

  describe('reading a room after leaving (LEAVING.md)', () => {
    /**
     * alice's public room: "before bob" and topic "old", bob joins, "while bob", bob says "bob says",
     * bob leaves; then "after bob", topic "new", carol joins.
     */
    async function departed(visibility = 'shared', how: 'leave' | 'kick' | 'ban' = 'leave') {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: visibility });
      const beforeBob = await r.send(alice, roomId, 'before bob');
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'old' });
      await r.join(bob, roomId);
      const whileBob = await r.send(alice, roomId, 'while bob');
      const bobSays = await r.send(bob, roomId, 'bob says');
      if (how === 'leave') await r.leave(bob, roomId, { reason: 'bye' });
      else if (how === 'kick') await r.kick(alice, roomId, bob, 'out');
      else await r.ban(alice, roomId, bob);
      const leaveId = ((await r.ok('GET', `${r.room(roomId)}/state/m.room.member/${q(bob.userId)}?format=event`, alice)) as Ev).event_id;
      const afterBob = await r.send(alice, roomId, 'after bob');
      await r.putState(alice, roomId, 'm.room.topic', { topic: 'new' });
      await r.join(carol, roomId);
      return { alice, bob, carol, roomId, beforeBob, whileBob, bobSays, leaveId, afterBob };
    }

    it('/messages backwards, from now or from a later token: the leave first, then what came before it', async () => {
      const { alice, bob, roomId, leaveId } = await departed();
      const plain = await messages(bob, roomId, 'dir=b&limit=100');
      assert.equal(plain.chunk[0]!.event_id, leaveId);
      assert.equal(plain.chunk[0]!.content.membership, 'leave');
      assert.equal(plain.chunk[0]!.content.reason, 'bye');
      assert.deepEqual(bodies(plain.chunk), ['bob says', 'while bob', 'before bob']);
      assert.equal(plain.chunk.some((e) => e.type === 'm.room.topic' && e.content.topic === 'new'), false);
      assert.equal(plain.chunk.at(-1)!.type, 'm.room.create');
      assert.equal(plain.end, undefined);

      const later = await now(alice, roomId);
      const fromLater = await messages(bob, roomId, `dir=b&limit=100&from=${q(later)}`);
      assert.deepEqual(ids(fromLater.chunk), ids(plain.chunk));
      const paged = await messages(bob, roomId, `dir=b&limit=2&from=${q(later)}`);
      assert.equal(paged.chunk[0]!.event_id, leaveId);
      assert.equal(paged.chunk.length, 2);
    });

    it('/messages forwards: up to the leave; from the leave or later, an empty chunk', async () => {
      const { alice, bob, roomId, leaveId } = await departed();
      const fwd = await messages(bob, roomId, 'dir=f&limit=100');
      assert.equal(fwd.chunk.at(-1)!.event_id, leaveId);
      assert.deepEqual(bodies(fwd.chunk), ['before bob', 'while bob', 'bob says']);

      const atLeave = (await messages(bob, roomId, 'dir=b&limit=1')).start;
      for (const from of [atLeave, await now(alice, roomId), fwd.end!]) {
        const page = await messages(bob, roomId, `dir=f&limit=100&from=${q(from)}`);
        assert.deepEqual(page.chunk, [], `from ${from}`);
        assert.equal(page.end, undefined);
      }
    });

    it('/state, /state/{type}/{key} and /members are as at the leave; /joined_members is refused (403)', async () => {
      const { alice, bob, carol, roomId } = await departed();
      const state = await read<Ev[]>(bob, path(roomId, '/state'));
      assert.deepEqual(state.find((e) => e.type === 'm.room.topic')!.content, { topic: 'old' });
      assert.equal(state.some((e) => e.state_key === carol.userId), false);
      assert.equal(state.find((e) => e.type === 'm.room.member' && e.state_key === bob.userId)!.content.membership, 'leave');

      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic')), { topic: 'old' });
      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic/')), { topic: 'old' });
      const carolState = path(roomId, `/state/m.room.member/${q(carol.userId)}`);
      assertError(await s.request('GET', carolState, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', carolState);

      const members = await read<{ chunk: Ev[] }>(bob, path(roomId, '/members'));
      assert.deepEqual(Object.fromEntries(members.chunk.map((e) => [e.state_key, e.content.membership])), { [alice.userId]: 'join', [bob.userId]: 'leave' });
      // Even an `at` token from after the leave gives no more than the state at the leave.
      const atNow = await read<{ chunk: Ev[] }>(bob, path(roomId, `/members?at=${q(await now(alice, roomId))}`));
      assert.equal(atNow.chunk.some((e) => e.state_key === carol.userId), false);
      // The current members only, and only to a current member (spec).
      const joinedMembers = path(roomId, '/joined_members');
      assertError(await s.request('GET', joinedMembers, { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', joinedMembers);

      // alice sees today's state.
      assert.deepEqual(await read(alice, path(roomId, '/state/m.room.topic')), { topic: 'new' });
    });

    it('/messages with an empty `from` (and an empty `to`) means no token: a departed user reads up to the leave', async () => {
      const { bob, roomId, leaveId } = await departed();
      const plain = await messages(bob, roomId, 'dir=b&limit=100');
      for (const query of ['dir=b&limit=100&from=', 'dir=b&limit=100&from=&to=', 'dir=b&limit=100&to=']) {
        const page = await messages(bob, roomId, query);
        assert.equal(page.chunk[0]!.event_id, leaveId, query);
        assert.deepEqual(ids(page.chunk), ids(plain.chunk), query);
        assert.equal(page.start, plain.start, query);
      }
      const forwards = await messages(bob, roomId, 'dir=f&limit=100&from=&to=');
      assert.deepEqual(bodies(forwards.chunk), ['before bob', 'while bob', 'bob says']);
      assert.equal(forwards.chunk.at(-1)!.event_id, leaveId);
    });

    it('/event and /context: events before the leave and the leave itself, but 404 for events after it', async () => {
      const { bob, roomId, beforeBob, bobSays, leaveId, afterBob } = await departed();
      for (const eventId of [beforeBob, bobSays, leaveId]) {
        const ev = await read<Ev>(bob, path(roomId, `/event/${q(eventId)}`));
        assert.equal(ev.event_id, eventId);
      }
      const own = await read<Ev>(bob, path(roomId, `/event/${q(leaveId)}`));
      assert.equal(own.content.membership, 'leave');
      for (const rest of [`/event/${q(afterBob)}`, `/context/${q(afterBob)}`]) {
        const url = path(roomId, rest);
        assertError(await s.request('GET', url, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      }
      const ctx = await read<{ events_after: Ev[]; events_before: Ev[] }>(bob, path(roomId, `/context/${q(bobSays)}?limit=10`));
      assert.deepEqual(ids(ctx.events_after), [leaveId]);
      assert.deepEqual(bodies(ctx.events_before), ['while bob', 'before bob']);
    });

    it('joined visibility: from the join up to the leave only', async () => {
      const { bob, roomId, beforeBob } = await departed('joined');
      const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      assert.equal(chunk[0]!.content.membership, 'leave');
      assert.deepEqual(bodies(chunk), ['bob says', 'while bob']);
      const url = path(roomId, `/event/${q(beforeBob)}`);
      assertError(await s.request('GET', url, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
    });

    for (const how of ['kick', 'ban'] as const) {
      it(`after a ${how}: reads up to the ${how}, which comes first`, async () => {
        const { bob, roomId, afterBob } = await departed('shared', how);
        const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
        assert.equal(chunk[0]!.type, 'm.room.member');
        assert.equal(chunk[0]!.state_key, bob.userId);
        assert.equal(chunk[0]!.content.membership, how === 'kick' ? 'leave' : 'ban');
        assert.deepEqual(bodies(chunk), ['bob says', 'while bob', 'before bob']);
        assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic')), { topic: 'old' });
        const url = path(roomId, `/event/${q(afterBob)}`);
        assertError(await s.request('GET', url, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      });
    }

    it('world_readable: a departed user reads on past the leave, as anyone may', async () => {
      const { alice, bob, roomId, afterBob } = await departed('world_readable');
      const chunk = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      assert.deepEqual(bodies(chunk), ['after bob', 'bob says', 'while bob', 'before bob']);
      assert.equal((await read<Ev>(bob, path(roomId, `/event/${q(afterBob)}`))).content.body, 'after bob');
      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic')), { topic: 'new' });
      // Once the room closes, the departed user is back to what they could see up to their leave.
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'joined' });
      await r.send(alice, roomId, 'closed now');
      const closed = (await messages(bob, roomId, 'dir=b&limit=100')).chunk;
      assert.equal(closed[0]!.content.membership, 'leave');
      assert.deepEqual(bodies(closed), ['bob says', 'while bob', 'before bob']);
      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic')), { topic: 'old' });
    });

    it('the room is no longer in /joined_rooms', async () => {
      const { bob } = await departed();
      assert.deepEqual(await read(bob, `${V3}/joined_rooms`), { joined_rooms: [] });
    });
  });

  describe('after forgetting a room', () => {
    const closedPaths = (roomId: string, eventId: string) => [
      path(roomId, '/messages?dir=b'),
      path(roomId, '/messages?dir=f'),
      path(roomId, `/context/${q(eventId)}`),
      path(roomId, '/state'),
      path(roomId, '/state/m.room.create'),
      path(roomId, '/state/m.room.topic/'),
      path(roomId, '/members'),
      path(roomId, '/joined_members'),
    ];

    for (const how of ['leave', 'kick', 'ban'] as const) {
      it(`after a ${how} and a forget: 403 M_FORBIDDEN on every read, 404 M_NOT_FOUND on /event`, async () => {
        const alice = await user('alice');
        const bob = await user('bob');
        const roomId = await r.createRoom(alice, { preset: 'public_chat', topic: 'forgettable' });
        await r.join(bob, roomId);
        const m1 = await r.send(bob, roomId, 'remember me');
        if (how === 'leave') await r.leave(bob, roomId);
        else if (how === 'kick') await r.kick(alice, roomId, bob);
        else await r.ban(alice, roomId, bob);
        await r.forget(bob, roomId);
        for (const url of closedPaths(roomId, m1)) {
          assertError(await s.request('GET', url, { token: bob.accessToken }), 403, 'M_FORBIDDEN', 'GET', url);
        }
        const url = path(roomId, `/event/${q(m1)}`);
        assertError(await s.request('GET', url, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
        // The room itself is untouched for the others.
        assert.deepEqual(bodies((await messages(alice, roomId, 'dir=b&limit=100')).chunk), ['remember me']);
      });
    }

    it('a world_readable room stays readable after forgetting, as it is to anyone', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat', topic: 'open' });
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'world_readable' });
      await r.join(bob, roomId);
      const m1 = await r.send(bob, roomId, 'public words');
      await r.leave(bob, roomId);
      await r.forget(bob, roomId);
      const m2 = await r.send(alice, roomId, 'still public');
      for (const url of closedPaths(roomId, m1)) {
        if (url.endsWith('/state/m.room.topic/')) continue;
        const res = await s.request('GET', url, { token: bob.accessToken });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assertSpecResponse(res, 'GET', url);
      }
      assert.deepEqual(await read(bob, path(roomId, '/state/m.room.topic/')), { topic: 'open' });
      assert.deepEqual(bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk), ['still public', 'public words']);
      const ev = await read<Ev>(bob, path(roomId, `/event/${q(m2)}`));
      assert.equal(ev.content.body, 'still public');
    });

    it('rejoining un-forgets: the history the room allows is readable again', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, roomId);
      const old = await r.send(bob, roomId, 'old words');
      await r.leave(bob, roomId);
      await r.forget(bob, roomId);
      await r.send(alice, roomId, 'meanwhile');
      await r.join(bob, roomId);
      assert.deepEqual(bodies((await messages(bob, roomId, 'dir=b&limit=100')).chunk), ['meanwhile', 'old words']);
      assert.equal((await read<Ev>(bob, path(roomId, `/event/${q(old)}`))).content.body, 'old words');
      assert.deepEqual(await read(bob, `${V3}/joined_rooms`), { joined_rooms: [roomId] });
    });
  });
}, describe);
