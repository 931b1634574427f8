import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError as assertError, assertSpecResponse, assertSpecSchema } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

type Ev = { type: string; event_id: string; state_key?: string; sender: string; content: Record<string, unknown>; unsigned?: Record<string, unknown>; redacts?: string };

let txnCounter = 0;
const nextTxn = () => `txn-${++txnCounter}`;

forEachBackend('sending events: messages, state and redactions', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  // A larger request limit so that oversized events reach the service (the 64 KiB event limit).
  before(async () => {
    s = await startTestServer({ backend, config: { max_request_bytes: 4 * 1024 * 1024 } });
    r = rest(s);
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
    carol = await s.createUser('carol');
  });
  after(() => s.close());

  const sendUrl = (roomId: string, type: string, txnId: string) => `${V3}${r.room(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnId)}`;
  const send = (user: TestUser, roomId: string, type: string, txnId: string, body: unknown) =>
    s.request('PUT', sendUrl(roomId, type, txnId), { token: user.accessToken, body });
  const timeline = async (user: TestUser, roomId: string): Promise<Ev[]> => (await r.messages(user, roomId, 'dir=f&limit=1000')).chunk;
  const getEvent = (user: TestUser, roomId: string, eventId: string) =>
    s.request('GET', `${V3}${r.room(roomId)}/event/${encodeURIComponent(eventId)}`, { token: user.accessToken });

  async function publicRoom(): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    return roomId;
  }

  describe('PUT /rooms/{roomId}/send/{eventType}/{txnId}', () => {
    it('returns the new event ID; the event reads back with its type, sender and content', async () => {
      const roomId = await publicRoom();
      const url = sendUrl(roomId, 'm.room.message', nextTxn());
      const res = await s.request('PUT', url, { token: bob.accessToken, body: { msgtype: 'm.text', body: 'hi there', 'com.example.extra': [1, 'two', { three: null }] } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'PUT', url);
      const eventId = res.json().event_id as string;
      assert.match(eventId, /^\$[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(Object.keys(res.json()), ['event_id']);

      const got = await getEvent(alice, roomId, eventId);
      assert.equal(got.statusCode, 200, got.body);
      assertSpecResponse(got, 'GET', `${V3}${r.room(roomId)}/event/${encodeURIComponent(eventId)}`);
      const ev = got.json();
      assert.equal(ev.event_id, eventId);
      assert.equal(ev.room_id, roomId);
      assert.equal(ev.type, 'm.room.message');
      assert.equal(ev.sender, bob.userId);
      assert.deepEqual(ev.content, { msgtype: 'm.text', body: 'hi there', 'com.example.extra': [1, 'two', { three: null }] });
      assert.equal(ev.state_key, undefined);
      assert.equal(typeof ev.origin_server_ts, 'number');
    });

    it('custom event types are sent as they are', async () => {
      const roomId = await publicRoom();
      const res = await send(alice, roomId, 'com.example.custom', nextTxn(), { anything: { nested: true } });
      assert.equal(res.statusCode, 200, res.body);
      const ev = (await timeline(bob, roomId)).at(-1)!;
      assert.equal(ev.event_id, res.json().event_id);
      assert.equal(ev.type, 'com.example.custom');
      assert.deepEqual(ev.content, { anything: { nested: true } });
    });

    it('the same transaction ID from the same device returns the same event ID and stores one event', async () => {
      const roomId = await publicRoom();
      const txnId = nextTxn();
      const first = await send(bob, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'once' });
      assert.equal(first.statusCode, 200, first.body);
      const second = await send(bob, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'once' });
      assert.equal(second.statusCode, 200, second.body);
      assertSpecResponse(second, 'PUT', sendUrl(roomId, 'm.room.message', txnId));
      assert.equal(second.json().event_id, first.json().event_id);
      // A retry with a different body is still the same transaction.
      const third = await send(bob, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'changed my mind' });
      assert.equal(third.statusCode, 200, third.body);
      assert.equal(third.json().event_id, first.json().event_id);

      const messages = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message');
      assert.deepEqual(messages.map((e) => [e.event_id, e.content.body]), [[first.json().event_id, 'once']]);
    });

    it('the same transaction ID from another device of the same user creates a new event', async () => {
      const roomId = await publicRoom();
      const login = await s.request('POST', `${V3}/login`, {
        body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'bob' }, password: bob.password },
      });
      assert.equal(login.statusCode, 200, login.body);
      const otherDevice = login.json().access_token as string;
      assert.notEqual(login.json().device_id, bob.deviceId);

      const txnId = nextTxn();
      const first = await send(bob, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'from the laptop' });
      assert.equal(first.statusCode, 200, first.body);
      const url = sendUrl(roomId, 'm.room.message', txnId);
      const second = await s.request('PUT', url, { token: otherDevice, body: { msgtype: 'm.text', body: 'from the phone' } });
      assert.equal(second.statusCode, 200, second.body);
      assert.notEqual(second.json().event_id, first.json().event_id);
      // Another user with the same transaction ID: also a new event.
      const third = await send(alice, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'from alice' });
      assert.equal(third.statusCode, 200, third.body);
      assert.notEqual(third.json().event_id, first.json().event_id);

      const bodies = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message').map((e) => e.content.body);
      assert.deepEqual(bodies, ['from the laptop', 'from the phone', 'from alice']);
    });

    it('a user who is not in the room gets 403 M_FORBIDDEN (never joined, invited only, or left)', async () => {
      const roomId = await r.createRoom(alice, { preset: 'private_chat' });
      const url = sendUrl(roomId, 'm.room.message', nextTxn());
      assertError(await s.request('PUT', url, { token: carol.accessToken, body: { msgtype: 'm.text', body: 'let me in' } }), 403, 'M_FORBIDDEN', 'PUT', url);
      await r.invite(alice, roomId, bob);
      const invited = await send(bob, roomId, 'm.room.message', nextTxn(), { msgtype: 'm.text', body: 'invited only' });
      assertError(invited, 403, 'M_FORBIDDEN', 'PUT', url);
      await r.join(bob, roomId);
      await r.leave(bob, roomId);
      const left = await send(bob, roomId, 'm.room.message', nextTxn(), { msgtype: 'm.text', body: 'after leaving' });
      assertError(left, 403, 'M_FORBIDDEN', 'PUT', url);
      const bodies = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message');
      assert.deepEqual(bodies, []);
    });

    it('a body that is not a JSON object is 400 M_NOT_JSON', async () => {
      const roomId = await publicRoom();
      for (const payload of ['[1,2,3]', '"text"', '42', 'null', '{"unterminated": ', 'not json at all']) {
        const url = sendUrl(roomId, 'm.room.message', nextTxn());
        const res = await s.request('PUT', url, { token: alice.accessToken, payload, headers: { 'content-type': 'application/json' } });
        assertError(res, 400, 'M_NOT_JSON', 'PUT', url);
      }
      assert.deepEqual((await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message'), []);
    });

    it('floats, non-finite numbers and integers outside the canonical JSON range are 400 M_BAD_JSON', async () => {
      const roomId = await publicRoom();
      const payloads = [
        '{"msgtype":"m.text","body":"x","n":1.5}',
        '{"n":9007199254740992}',
        '{"n":-9007199254740992}',
        '{"deep":{"list":[1,2,{"x":0.25}]}}',
        '{"n":1e400}',
      ];
      for (const payload of payloads) {
        const url = sendUrl(roomId, 'm.room.message', nextTxn());
        const res = await s.request('PUT', url, { token: alice.accessToken, payload, headers: { 'content-type': 'application/json' } });
        assertError(res, 400, 'M_BAD_JSON', 'PUT', url);
      }
      // The limits themselves are allowed.
      const ok = await send(alice, roomId, 'com.example.ints', nextTxn(), { max: 9007199254740991, min: -9007199254740991 });
      assert.equal(ok.statusCode, 200, ok.body);
      const ev = (await timeline(alice, roomId)).at(-1)!;
      assert.deepEqual(ev.content, { max: 9007199254740991, min: -9007199254740991 });
      assert.equal((await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message').length, 0);
    });

    it('an event over 64 KiB is 413 M_TOO_LARGE and is not stored; one just under is accepted', async () => {
      const roomId = await publicRoom();
      const url = sendUrl(roomId, 'm.room.message', nextTxn());
      const big = await s.request('PUT', url, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'x'.repeat(70 * 1024) } });
      assertError(big, 413, 'M_TOO_LARGE', 'PUT', url);
      const fits = await send(alice, roomId, 'm.room.message', nextTxn(), { msgtype: 'm.text', body: 'y'.repeat(60 * 1024) });
      assert.equal(fits.statusCode, 200, fits.body);
      const bodies = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message').map((e) => (e.content.body as string).length);
      assert.deepEqual(bodies, [60 * 1024]);
      // The same holds for state events.
      const stateUrl = `${V3}${r.room(roomId)}/state/m.room.topic`;
      const bigState = await s.request('PUT', stateUrl, { token: alice.accessToken, body: { topic: 't'.repeat(70 * 1024) } });
      assertError(bigState, 413, 'M_TOO_LARGE', 'PUT', stateUrl);
    });

    it('events_default raised above a user\'s level: 403 M_FORBIDDEN for them, the creator may still send', async () => {
      const roomId = await publicRoom();
      const levels = (await r.ok('GET', `${r.room(roomId)}/state/m.room.power_levels`, alice)) as Record<string, unknown>;
      await r.putState(alice, roomId, 'm.room.power_levels', { ...levels, events_default: 50 });
      const url = sendUrl(roomId, 'm.room.message', nextTxn());
      assertError(await s.request('PUT', url, { token: bob.accessToken, body: { msgtype: 'm.text', body: 'muted' } }), 403, 'M_FORBIDDEN', 'PUT', url);
      const ok = await send(alice, roomId, 'm.room.message', nextTxn(), { msgtype: 'm.text', body: 'still here' });
      assert.equal(ok.statusCode, 200, ok.body);
      // A per-type level lower than events_default lets bob send that type again.
      await r.putState(alice, roomId, 'm.room.power_levels', { ...levels, events_default: 50, events: { ...(levels.events as object), 'm.reaction': 0 } });
      const reaction = await send(bob, roomId, 'm.reaction', nextTxn(), { 'm.relates_to': { rel_type: 'm.annotation', event_id: ok.json().event_id, key: '+1' } });
      assert.equal(reaction.statusCode, 200, reaction.body);
      const senders = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message' || e.type === 'm.reaction').map((e) => [e.type, e.sender]);
      assert.deepEqual(senders, [['m.room.message', alice.userId], ['m.reaction', bob.userId]]);
    });

    it('concurrent retries of one transaction store one event', async () => {
      const roomId = await publicRoom();
      const txnId = nextTxn();
      const results = await Promise.all([1, 2, 3, 4].map(() => send(bob, roomId, 'm.room.message', txnId, { msgtype: 'm.text', body: 'racing' })));
      for (const res of results) assert.equal(res.statusCode, 200, res.body);
      assert.equal(new Set(results.map((res) => res.json().event_id)).size, 1);
      const messages = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.message');
      assert.equal(messages.length, 1);
    });

    it('the same transaction ID in another room, or for another event type, is another transaction', async () => {
      const roomA = await publicRoom();
      const roomB = await publicRoom();
      const txnId = nextTxn();
      const a = await send(bob, roomA, 'm.room.message', txnId, { msgtype: 'm.text', body: 'a' });
      const b = await send(bob, roomB, 'm.room.message', txnId, { msgtype: 'm.text', body: 'b' });
      const c = await send(bob, roomA, 'com.example.other', txnId, { body: 'c' });
      assert.equal(new Set([a, b, c].map((res) => res.json().event_id)).size, 3);
      assert.deepEqual((await timeline(alice, roomB)).filter((e) => e.type === 'm.room.message').map((e) => e.content.body), ['b']);
    });

    it('an unknown room is 404 M_NOT_FOUND', async () => {
      const url = sendUrl('!nowhere:hs.test', 'm.room.message', nextTxn());
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'x' } }), 404, 'M_NOT_FOUND', 'PUT', url);
    });

    it('without an access token: 401 M_MISSING_TOKEN', async () => {
      const roomId = await publicRoom();
      const url = sendUrl(roomId, 'm.room.message', nextTxn());
      assertError(await s.request('PUT', url, { body: { msgtype: 'm.text', body: 'x' } }), 401, 'M_MISSING_TOKEN', 'PUT', url);
    });
  });

  describe('PUT and GET /rooms/{roomId}/state/{eventType}/{stateKey}', () => {
    it('puts state and reads it back, alone and in /state', async () => {
      const roomId = await publicRoom();
      const url = `${V3}${r.room(roomId)}/state/com.example.setting/the-key`;
      const put = await s.request('PUT', url, { token: alice.accessToken, body: { colour: 'green', size: 3 } });
      assert.equal(put.statusCode, 200, put.body);
      assertSpecResponse(put, 'PUT', url);
      const eventId = put.json().event_id as string;

      const get = await s.request('GET', url, { token: bob.accessToken });
      assert.equal(get.statusCode, 200, get.body);
      assertSpecResponse(get, 'GET', url);
      assert.deepEqual(get.json(), { colour: 'green', size: 3 });

      const all = await s.request('GET', `${V3}${r.room(roomId)}/state`, { token: bob.accessToken });
      assert.equal(all.statusCode, 200);
      const entry = (all.json() as Ev[]).find((e) => e.type === 'com.example.setting');
      assert.ok(entry);
      assert.equal(entry.event_id, eventId);
      assert.equal(entry.state_key, 'the-key');
      assert.equal(entry.sender, alice.userId);

      // Replacing it: the new value reads back, and the event says what it replaced.
      const second = await s.request('PUT', url, { token: alice.accessToken, body: { colour: 'blue' } });
      assert.equal(second.statusCode, 200);
      assert.notEqual(second.json().event_id, eventId);
      assert.deepEqual((await s.request('GET', url, { token: bob.accessToken })).json(), { colour: 'blue' });
      const replaced = await getEvent(bob, roomId, second.json().event_id);
      assert.equal(replaced.json().unsigned.replaces_state, eventId);
      assert.deepEqual(replaced.json().unsigned.prev_content, { colour: 'green', size: 3 });
    });

    it('the empty state key is reachable as /state/{type} and /state/{type}/, for PUT and GET', async () => {
      const roomId = await publicRoom();
      const bare = `${V3}${r.room(roomId)}/state/m.room.topic`;
      const slash = `${bare}/`;

      const put1 = await s.request('PUT', bare, { token: alice.accessToken, body: { topic: 'without slash' } });
      assert.equal(put1.statusCode, 200, put1.body);
      assertSpecResponse(put1, 'PUT', bare);
      for (const url of [bare, slash]) {
        const get = await s.request('GET', url, { token: bob.accessToken });
        assert.equal(get.statusCode, 200, `${url}: ${get.body}`);
        assertSpecResponse(get, 'GET', url);
        assert.deepEqual(get.json(), { topic: 'without slash' });
      }

      const put2 = await s.request('PUT', slash, { token: alice.accessToken, body: { topic: 'with slash' } });
      assert.equal(put2.statusCode, 200, put2.body);
      assertSpecResponse(put2, 'PUT', slash);
      for (const url of [bare, slash]) {
        assert.deepEqual((await s.request('GET', url, { token: bob.accessToken })).json(), { topic: 'with slash' });
      }
      const state = (await r.ok('GET', `${r.room(roomId)}/state`, bob)) as Ev[];
      const topics = state.filter((e) => e.type === 'm.room.topic');
      assert.equal(topics.length, 1);
      assert.equal(topics[0]!.state_key, '');
      assert.equal(topics[0]!.event_id, put2.json().event_id);
    });

    it('?format=event returns the whole client event; ?format=content (the default) only its content', async () => {
      const roomId = await publicRoom();
      const eventId = await r.putState(alice, roomId, 'm.room.topic', { topic: 'formats' });
      const url = `${V3}${r.room(roomId)}/state/m.room.topic/?format=event`;
      const res = await s.request('GET', url, { token: bob.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      // The spec's 200 schema is `oneOf: [object, StateEvent]`, which spec-schema.ts checks as anyOf (a whole
      // event matches both); since any object passes it, the body is also checked as a StateEvent, and the
      // fields one by one.
      assertSpecResponse(res, 'GET', url);
      assertSpecSchema(res.json(), 'event-schemas/schema/core-event-schema/state_event.yaml');
      const ev = res.json();
      assert.equal(ev.event_id, eventId);
      assert.equal(typeof ev.origin_server_ts, 'number');
      assert.equal(typeof ev.unsigned, 'object');
      assert.equal(ev.type, 'm.room.topic');
      assert.equal(ev.state_key, '');
      assert.equal(ev.sender, alice.userId);
      assert.equal(ev.room_id, roomId);
      assert.deepEqual(ev.content, { topic: 'formats' });
      const content = await s.request('GET', `${V3}${r.room(roomId)}/state/m.room.topic?format=content`, { token: bob.accessToken });
      assertSpecResponse(content, 'GET', `${V3}${r.room(roomId)}/state/m.room.topic?format=content`);
      assert.deepEqual(content.json(), { topic: 'formats' });
      const bad = `${V3}${r.room(roomId)}/state/m.room.topic?format=xml`;
      assertError(await s.request('GET', bad, { token: bob.accessToken }), 400, 'M_INVALID_PARAM', 'GET', bad);
    });

    it('missing state is 404 M_NOT_FOUND', async () => {
      const roomId = await publicRoom();
      for (const url of [
        `${V3}${r.room(roomId)}/state/m.room.topic`,
        `${V3}${r.room(roomId)}/state/m.room.topic/`,
        `${V3}${r.room(roomId)}/state/com.example.nothing/some-key`,
        `${V3}${r.room(roomId)}/state/m.room.member/${encodeURIComponent(carol.userId)}`,
      ]) {
        assertError(await s.request('GET', url, { token: bob.accessToken }), 404, 'M_NOT_FOUND', 'GET', url);
      }
    });

    it('a state key containing a slash, percent-encoded in the path', async () => {
      const roomId = await publicRoom();
      const stateKey = 'a/b/c';
      const url = `${V3}${r.room(roomId)}/state/com.example.path/${encodeURIComponent(stateKey)}`;
      const put = await s.request('PUT', url, { token: alice.accessToken, body: { v: 1 } });
      assert.equal(put.statusCode, 200, put.body);
      const get = await s.request('GET', url, { token: bob.accessToken });
      assert.equal(get.statusCode, 200, get.body);
      assert.deepEqual(get.json(), { v: 1 });
      const entry = ((await r.ok('GET', `${r.room(roomId)}/state`, bob)) as Ev[]).find((e) => e.type === 'com.example.path');
      assert.equal(entry?.state_key, stateKey);
      // The unencoded path is another route, not this state key.
      const unencoded = await s.request('GET', `${V3}${r.room(roomId)}/state/com.example.path/a/b/c`, { token: bob.accessToken });
      assert.equal(unencoded.statusCode, 404);
      assert.equal(unencoded.json().errcode, 'M_UNRECOGNIZED');
    });

    it('setting identical state twice returns the same event ID and sends nothing new', async () => {
      const roomId = await publicRoom();
      const first = await r.putState(alice, roomId, 'm.room.topic', { topic: 'same' });
      const second = await r.putState(alice, roomId, 'm.room.topic', { topic: 'same' });
      assert.equal(second, first);
      const topics = (await timeline(bob, roomId)).filter((e) => e.type === 'm.room.topic');
      assert.deepEqual(topics.map((e) => e.event_id), [first]);
      // A different value is a new event.
      const third = await r.putState(alice, roomId, 'm.room.topic', { topic: 'different' });
      assert.notEqual(third, first);
    });

    it('state needs the power level for it (state_default 50): a level-0 member gets 403 M_FORBIDDEN', async () => {
      const roomId = await publicRoom();
      const url = `${V3}${r.room(roomId)}/state/m.room.topic`;
      assertError(await s.request('PUT', url, { token: bob.accessToken, body: { topic: 'mine now' } }), 403, 'M_FORBIDDEN', 'PUT', url);
      const pl = `${V3}${r.room(roomId)}/state/m.room.power_levels`;
      assertError(await s.request('PUT', pl, { token: bob.accessToken, body: { users: { [bob.userId]: 100 } } }), 403, 'M_FORBIDDEN', 'PUT', pl);
      const notMember = await s.request('PUT', url, { token: carol.accessToken, body: { topic: 'outsider' } });
      assertError(notMember, 403, 'M_FORBIDDEN', 'PUT', url);
    });

    it('state content that is not an object is 400 M_NOT_JSON; floats are 400 M_BAD_JSON', async () => {
      const roomId = await publicRoom();
      const url = `${V3}${r.room(roomId)}/state/m.room.topic`;
      assertError(await s.request('PUT', url, { token: alice.accessToken, payload: '["topic"]', headers: { 'content-type': 'application/json' } }), 400, 'M_NOT_JSON', 'PUT', url);
      assertError(await s.request('PUT', url, { token: alice.accessToken, payload: '{"topic":"x","n":0.5}', headers: { 'content-type': 'application/json' } }), 400, 'M_BAD_JSON', 'PUT', url);
    });
  });

  describe('PUT /rooms/{roomId}/redact/{eventId}/{txnId}', () => {
    const redactUrl = (roomId: string, eventId: string, txnId: string) =>
      `${V3}${r.room(roomId)}/redact/${encodeURIComponent(eventId)}/${encodeURIComponent(txnId)}`;

    for (const roomVersion of ['10', '11']) {
      it(`room version ${roomVersion}: redacting one's own message empties its content and records redacted_because`, async () => {
        const roomId = await r.createRoom(alice, { preset: 'public_chat', room_version: roomVersion });
        await r.join(bob, roomId);
        const target = await r.send(bob, roomId, 'oops, my password');
        const url = redactUrl(roomId, target, nextTxn());
        const res = await s.request('PUT', url, { token: bob.accessToken, body: { reason: 'typo' } });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'PUT', url);
        const redactionId = res.json().event_id as string;

        const got = await getEvent(alice, roomId, target);
        assert.equal(got.statusCode, 200, got.body);
        assertSpecResponse(got, 'GET', `${V3}${r.room(roomId)}/event/${encodeURIComponent(target)}`);
        const ev = got.json();
        assert.deepEqual(ev.content, {});
        assert.equal(ev.type, 'm.room.message');
        assert.equal(ev.sender, bob.userId);
        const because = ev.unsigned.redacted_because;
        assert.equal(because.event_id, redactionId);
        assert.equal(because.type, 'm.room.redaction');
        assert.equal(because.sender, bob.userId);
        assert.equal(because.redacts, target);
        assert.equal(because.content.reason, 'typo');
        if (roomVersion === '11') assert.equal(because.content.redacts, target);

        const redaction = await getEvent(alice, roomId, redactionId);
        assert.equal(redaction.statusCode, 200);
        assert.equal(redaction.json().redacts, target);
        if (roomVersion === '11') assert.equal(redaction.json().content.redacts, target);

        // /messages shows the redacted form too.
        const inTimeline = (await timeline(alice, roomId)).find((e) => e.event_id === target)!;
        assert.deepEqual(inTimeline.content, {});
        assert.equal((inTimeline.unsigned!.redacted_because as { event_id: string }).event_id, redactionId);
      });

      it(`room version ${roomVersion}: another user's message needs the redact level: 403 without, 200 for the creator`, async () => {
        const roomId = await r.createRoom(alice, { preset: 'public_chat', room_version: roomVersion });
        await r.join(bob, roomId);
        await r.join(carol, roomId);
        const fromCarol = await r.send(carol, roomId, 'spam');
        const url = redactUrl(roomId, fromCarol, nextTxn());
        assertError(await s.request('PUT', url, { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN', 'PUT', url);
        assert.deepEqual((await getEvent(alice, roomId, fromCarol)).json().content, { msgtype: 'm.text', body: 'spam' });

        const byCreator = await s.request('PUT', redactUrl(roomId, fromCarol, nextTxn()), { token: alice.accessToken, body: {} });
        assert.equal(byCreator.statusCode, 200, byCreator.body);
        const ev = (await getEvent(carol, roomId, fromCarol)).json();
        assert.deepEqual(ev.content, {});
        assert.equal(ev.unsigned.redacted_because.sender, alice.userId);
        assert.equal(ev.unsigned.redacted_because.content.reason, undefined);
      });
    }

    it('a redacted state event reads back with its content stripped', async () => {
      const roomId = await publicRoom();
      const topic = await r.putState(alice, roomId, 'm.room.topic', { topic: 'regrettable' });
      const res = await s.request('PUT', redactUrl(roomId, topic, nextTxn()), { token: alice.accessToken, body: {} });
      assert.equal(res.statusCode, 200, res.body);
      const url = `${V3}${r.room(roomId)}/state/m.room.topic`;
      const get = await s.request('GET', url, { token: bob.accessToken });
      assert.equal(get.statusCode, 200, get.body);
      assert.deepEqual(get.json(), {});
      const state = (await r.ok('GET', `${r.room(roomId)}/state`, bob)) as Ev[];
      const entry = state.find((e) => e.type === 'm.room.topic')!;
      assert.deepEqual(entry.content, {});
      assert.equal((entry.unsigned!.redacted_because as { event_id: string }).event_id, res.json().event_id);
    });

    it('the event replacing a redacted state event does not reveal it in unsigned.prev_content', async () => {
      const roomId = await publicRoom();
      const secret = await r.putState(alice, roomId, 'm.room.topic', { topic: 'my phone number' });
      await r.ok('PUT', `${r.room(roomId)}/redact/${encodeURIComponent(secret)}/${nextTxn()}`, alice, {});
      const next = await r.putState(alice, roomId, 'm.room.topic', { topic: 'nothing to see' });
      const ev = (await getEvent(bob, roomId, next)).json();
      assert.equal(ev.unsigned.replaces_state, secret);
      assert.deepEqual(ev.unsigned.prev_content, {});
      const inTimeline = (await timeline(bob, roomId)).find((e) => e.event_id === next)!;
      assert.deepEqual(inTimeline.unsigned!.prev_content, {});
      // A redacted member event keeps its membership in prev_content.
      const join = ((await r.ok('GET', `${r.room(roomId)}/state/m.room.member/${encodeURIComponent(bob.userId)}?format=event`, alice)) as Ev).event_id;
      await r.ok('PUT', `${r.room(roomId)}/redact/${encodeURIComponent(join)}/${nextTxn()}`, alice, {});
      await r.leave(bob, roomId);
      const leave = (await timeline(alice, roomId)).at(-1)!;
      assert.equal(leave.unsigned!.replaces_state, join);
      assert.deepEqual(leave.unsigned!.prev_content, { membership: 'join' });
    });

    it('after its state event was redacted, the same state can be set again', async () => {
      const roomId = await publicRoom();
      const topic = await r.putState(alice, roomId, 'm.room.topic', { topic: 'again' });
      await r.ok('PUT', `${r.room(roomId)}/redact/${encodeURIComponent(topic)}/${nextTxn()}`, alice, {});
      const again = await r.putState(alice, roomId, 'm.room.topic', { topic: 'again' });
      assert.notEqual(again, topic);
      assert.deepEqual(await r.ok('GET', `${r.room(roomId)}/state/m.room.topic`, bob), { topic: 'again' });
    });

    for (const roomVersion of ['10', '11']) {
      it(`room version ${roomVersion}: an m.room.redaction sent through /send is checked and applied like /redact`, async () => {
        const roomId = await r.createRoom(alice, { preset: 'public_chat', room_version: roomVersion });
        await r.join(bob, roomId);
        await r.join(carol, roomId);
        const fromCarol = await r.send(carol, roomId, 'carol speaks');
        const fromBob = await r.send(bob, roomId, 'bob speaks');

        // Without the redact level, bob may not redact carol's message this way either.
        const denied = sendUrl(roomId, 'm.room.redaction', nextTxn());
        assertError(await s.request('PUT', denied, { token: bob.accessToken, body: { redacts: fromCarol } }), 403, 'M_FORBIDDEN', 'PUT', denied);
        assert.deepEqual((await getEvent(alice, roomId, fromCarol)).json().content, { msgtype: 'm.text', body: 'carol speaks' });

        const own = await send(bob, roomId, 'm.room.redaction', nextTxn(), { redacts: fromBob, reason: 'mine' });
        assert.equal(own.statusCode, 200, own.body);
        const ev = (await getEvent(alice, roomId, fromBob)).json();
        assert.deepEqual(ev.content, {});
        assert.equal(ev.unsigned.redacted_because.event_id, own.json().event_id);
        assert.equal(ev.unsigned.redacted_because.redacts, fromBob);
        assert.equal(ev.unsigned.redacted_because.content.reason, 'mine');

        const malformed = sendUrl(roomId, 'm.room.redaction', nextTxn());
        assertError(await s.request('PUT', malformed, { token: bob.accessToken, body: { reason: 'no target' } }), 400, 'M_BAD_JSON', 'PUT', malformed);
        const redactions = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.redaction');
        assert.deepEqual(redactions.map((e) => e.event_id), [own.json().event_id]);
      });
    }

    it('a redaction cannot be put as state: 400 M_BAD_JSON', async () => {
      const roomId = await publicRoom();
      const target = await r.send(bob, roomId, 'keep me');
      const url = `${V3}${r.room(roomId)}/state/m.room.redaction/`;
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: { redacts: target } }), 400, 'M_BAD_JSON', 'PUT', url);
      assert.deepEqual((await getEvent(alice, roomId, target)).json().content, { msgtype: 'm.text', body: 'keep me' });
    });

    it('an unknown event, or one of another room, is 404 M_NOT_FOUND', async () => {
      const roomId = await publicRoom();
      const missing = `$${'A'.repeat(43)}`;
      const url = redactUrl(roomId, missing, nextTxn());
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: {} }), 404, 'M_NOT_FOUND', 'PUT', url);
      const other = await publicRoom();
      const elsewhere = await r.send(alice, other, 'elsewhere');
      const url2 = redactUrl(roomId, elsewhere, nextTxn());
      assertError(await s.request('PUT', url2, { token: alice.accessToken, body: {} }), 404, 'M_NOT_FOUND', 'PUT', url2);
      assert.deepEqual((await getEvent(alice, other, elsewhere)).json().content, { msgtype: 'm.text', body: 'elsewhere' });
    });

    it('a malformed event ID is 400 M_INVALID_PARAM', async () => {
      const roomId = await publicRoom();
      const url = redactUrl(roomId, 'no-dollar', nextTxn());
      assertError(await s.request('PUT', url, { token: alice.accessToken, body: {} }), 400, 'M_INVALID_PARAM', 'PUT', url);
    });

    it('the same transaction ID returns the same redaction; a body may be absent', async () => {
      const roomId = await publicRoom();
      const target = await r.send(bob, roomId, 'to go');
      const txnId = nextTxn();
      const url = redactUrl(roomId, target, txnId);
      const first = await s.request('PUT', url, { token: bob.accessToken });
      assert.equal(first.statusCode, 200, first.body);
      const second = await s.request('PUT', url, { token: bob.accessToken, body: { reason: 'retry' } });
      assert.equal(second.statusCode, 200, second.body);
      assert.equal(second.json().event_id, first.json().event_id);
      const redactions = (await timeline(alice, roomId)).filter((e) => e.type === 'm.room.redaction');
      assert.deepEqual(redactions.map((e) => e.event_id), [first.json().event_id]);
    });

    it('a user who is not in the room cannot redact, even their own old message', async () => {
      const roomId = await publicRoom();
      const mine = await r.send(bob, roomId, 'before leaving');
      await r.leave(bob, roomId);
      const url = redactUrl(roomId, mine, nextTxn());
      assertError(await s.request('PUT', url, { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN', 'PUT', url);
      assert.deepEqual((await getEvent(alice, roomId, mine)).json().content, { msgtype: 'm.text', body: 'before leaving' });
    });
  });
}, describe);
