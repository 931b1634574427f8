import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { receiptContent } from '../../src/core/ephemeral/receipts.js';
import type { EventId, RoomId } from '../../src/core/ids.js';
import { Typing } from '../../src/services/ephemeral/typing.js';
import type { Change } from '../../src/services/notifier.js';
import type { Requester } from '../../src/services/requester.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3, type Body, type SyncEvent } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const enc = encodeURIComponent;

forEachBackend('typing, receipts, read markers and presence API', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let roomId: RoomId;
  let first: EventId;
  let second: EventId;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
    carol = await s.createUser('carol');
    const r = rest(s);
    roomId = (await r.createRoom(alice, { preset: 'public_chat' })) as RoomId;
    await r.join(bob, roomId);
    first = (await r.send(alice, roomId, 'first')) as EventId;
    second = (await r.send(bob, roomId, 'second')) as EventId;
  });
  after(() => s.close());

  /** Collects announcements made while `fn` runs, as a waiting /sync would hear them. */
  async function announced(fn: () => Promise<unknown>): Promise<Change[]> {
    const seen: Change[] = [];
    const stop = new AbortController();
    const listening = s.app.services.notifier.wait((change) => {
      seen.push(change);
      return false;
    }, 60_000, stop.signal);
    try {
      await fn();
    } finally {
      stop.abort();
      await listening;
    }
    return seen;
  }

  describe('typing', () => {
    const typingUrl = (user: TestUser, room = roomId as string) => `${V3}/rooms/${enc(room)}/typing/${enc(user.userId)}`;

    it('PUT typing: true shows the user typing until told otherwise, announced to the room', async () => {
      const typing = s.app.services.typing;
      const before = typing.position;
      let res!: Awaited<ReturnType<TestServer['request']>>;
      const changes = await announced(async () => {
        res = await s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { typing: true, timeout: 30000 } });
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {});
      assertSpecResponse(res, 'PUT', typingUrl(alice));
      assert.deepEqual(typing.forRoom(roomId), [alice.userId]);
      assert.equal(typing.position, before + 1);
      assert.deepEqual(changes, [{ pos: before + 1, roomId }]);
      assert.deepEqual(typing.changedSince([roomId], before), new Map([[roomId, [alice.userId]]]));
      assert.equal(typing.changedSince([roomId], before + 1).size, 0);

      // Extending is not news; stopping is.
      const extend = await announced(() => s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { typing: true, timeout: 30000 } }));
      assert.deepEqual(extend, []);
      const stop = await s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { typing: false } });
      assert.equal(stop.statusCode, 200);
      assert.deepEqual(typing.forRoom(roomId), []);
      assert.deepEqual(typing.changedSince([roomId], before + 1), new Map([[roomId, []]]));
    });

    it('typing expires after its timeout, capped at two minutes', async () => {
      const typing = s.app.services.typing;
      await s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { typing: true, timeout: 10_000 } });
      await s.request('PUT', typingUrl(bob), { token: bob.accessToken, body: { typing: true, timeout: 3_600_000 } });
      assert.deepEqual(typing.forRoom(roomId).sort(), [alice.userId, bob.userId].sort());
      s.clock.advance(10_001);
      assert.deepEqual(typing.forRoom(roomId), [bob.userId]);
      s.clock.advance(120_000);
      const pos = typing.position;
      assert.deepEqual(typing.forRoom(roomId), []);
      assert.equal(typing.position, pos);
    });

    it('a user who leaves, is kicked or is banned stops typing at once, as /sync shows the room', async () => {
      const r = rest(s);
      const room = (await r.createRoom(alice, { preset: 'public_chat' })) as RoomId;
      const [dan, erin, fay] = [await s.createUser('dan'), await s.createUser('erin'), await s.createUser('fay')];
      for (const u of [dan, erin, fay]) {
        await r.join(u, room);
        const res = await s.request('PUT', typingUrl(u, room), { token: u.accessToken, body: { typing: true, timeout: 60_000 } });
        assert.equal(res.statusCode, 200, res.body);
      }
      const typingIn = (body: Body) => body.rooms?.join?.[room]?.ephemeral.events.find((e: SyncEvent) => e.type === 'm.typing')?.content.user_ids;
      const initial = await sync(s, alice);
      assert.deepEqual([...typingIn(initial)].sort(), [dan.userId, erin.userId, fay.userId].sort());
      await r.leave(dan, room);
      await r.kick(alice, room, erin);
      await r.ban(alice, room, fay);
      // No time has passed (the clock is the test's): only the membership changes ended the typing.
      assert.deepEqual(s.app.services.typing.forRoom(room), []);
      assert.deepEqual(typingIn(await sync(s, alice, { since: initial.next_batch })), []);
    });

    it('an expiry wakes waiting /sync requests by itself (one timer, for the earliest expiry)', async () => {
      const timers: Array<{ fn: () => void; ms: number }> = [];
      const typing = new Typing({
        store: s.app.store, clock: s.clock, notifier: s.app.services.notifier,
        schedule: (fn, ms) => {
          const entry = { fn, ms };
          timers.push(entry);
          return () => timers.splice(timers.indexOf(entry), 1);
        },
      });
      const requester = { userId: alice.userId, deviceId: alice.deviceId, isAdmin: false, tokenHash: '' } as Requester;
      await typing.set(requester, roomId, alice.userId, true, 5000);
      assert.deepEqual(timers.map((t) => t.ms), [5000]);
      s.clock.advance(5000);
      const changes = await announced(async () => timers.shift()?.fn());
      assert.deepEqual(changes, [{ pos: typing.position, roomId }]);
      assert.deepEqual(typing.forRoom(roomId), []);
      assert.equal(timers.length, 0, 'nothing left to expire, no timer');
    });

    it("another user's typing is 403 M_FORBIDDEN; so is typing in a room you are not in", async () => {
      const other = await s.request('PUT', typingUrl(bob), { token: alice.accessToken, body: { typing: true } });
      assert.equal(other.statusCode, 403);
      assert.equal(other.json().errcode, 'M_FORBIDDEN');
      const outsider = await s.request('PUT', typingUrl(carol), { token: carol.accessToken, body: { typing: true } });
      assert.equal(outsider.statusCode, 403);
      assert.equal(outsider.json().errcode, 'M_FORBIDDEN');
      assert.deepEqual(s.app.services.typing.forRoom(roomId), []);
    });

    it('a missing or mistyped `typing` is 400', async () => {
      const missing = await s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { timeout: 5 } });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
      const wrong = await s.request('PUT', typingUrl(alice), { token: alice.accessToken, body: { typing: 'yes' } });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().errcode, 'M_BAD_JSON');
      const badRoom = await s.request('PUT', typingUrl(alice, 'nope'), { token: alice.accessToken, body: { typing: true } });
      assert.equal(badRoom.statusCode, 400);
      assert.equal(badRoom.json().errcode, 'M_INVALID_PARAM');
    });
  });

  describe('receipts', () => {
    const receiptUrl = (type: string, eventId: string) => `${V3}/rooms/${enc(roomId)}/receipt/${enc(type)}/${enc(eventId)}`;

    it('POST m.read stores the receipt and announces it to the room', async () => {
      const url = receiptUrl('m.read', first);
      let res!: Awaited<ReturnType<TestServer['request']>>;
      const changes = await announced(async () => {
        res = await s.request('POST', url, { token: bob.accessToken, body: {} });
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {});
      assertSpecResponse(res, 'POST', url);
      const pos = await s.app.store.counters.current('receipts');
      assert.deepEqual(changes, [{ pos, roomId }]);
      const [receipt] = await s.app.store.receipts.latestFor(roomId, bob.userId);
      assert.deepEqual(receipt, { roomId, userId: bob.userId, receiptType: 'm.read', threadId: null, eventId: first, ts: s.clock.now(), pos });
    });

    it('receipts only move forward; an older event changes nothing', async () => {
      assert.equal((await s.request('POST', receiptUrl('m.read', second), { token: bob.accessToken, body: {} })).statusCode, 200);
      const pos = await s.app.store.counters.current('receipts');
      const changes = await announced(() => s.request('POST', receiptUrl('m.read', first), { token: bob.accessToken, body: {} }));
      assert.deepEqual(changes, []);
      const receipt = await s.app.store.receipts.get(roomId, bob.userId, 'm.read', null);
      assert.equal(receipt?.eventId, second);
      assert.equal(receipt?.pos, pos);
    });

    it('a body-less POST (older clients) is accepted', async () => {
      const res = await s.request('POST', receiptUrl('m.read', second), { token: alice.accessToken });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('private receipts are announced to their owner only and shown to nobody else', async () => {
      const url = receiptUrl('m.read.private', second);
      let res!: Awaited<ReturnType<TestServer['request']>>;
      const changes = await announced(async () => {
        res = await s.request('POST', url, { token: alice.accessToken, body: {} });
      });
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'POST', url);
      assert.deepEqual(changes.map((c) => c.userIds), [[alice.userId]]);
      const feed = (await s.app.store.receipts.changedSince([roomId], 0)).get(roomId) ?? [];
      assert.ok(feed.some((r) => r.receiptType === 'm.read.private'));
      const forBob = receiptContent(feed, bob.userId);
      const forAlice = receiptContent(feed, alice.userId);
      assert.equal(forBob?.[second]?.['m.read.private'], undefined);
      assert.deepEqual(Object.keys(forAlice?.[second]?.['m.read.private'] ?? {}), [alice.userId]);
      assert.ok(forBob?.[second]?.['m.read']?.[bob.userId]);
    });

    it('threaded receipts are kept per thread', async () => {
      const url = receiptUrl('m.read', first);
      const res = await s.request('POST', url, { token: bob.accessToken, body: { thread_id: 'main' } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', url);
      const threaded = await s.app.store.receipts.get(roomId, bob.userId, 'm.read', 'main');
      assert.equal(threaded?.eventId, first);
      assert.equal((await s.app.store.receipts.get(roomId, bob.userId, 'm.read', null))?.eventId, second);
      const feed = (await s.app.store.receipts.changedSince([roomId], (threaded?.pos ?? 1) - 1)).get(roomId) ?? [];
      assert.deepEqual(receiptContent(feed, bob.userId), { [first]: { 'm.read': { [bob.userId]: { ts: s.clock.now(), thread_id: 'main' } } } });
    });

    it('a bad thread_id or receipt type is 400 M_INVALID_PARAM', async () => {
      for (const body of [{ thread_id: '' }, { thread_id: 5 }, { thread_id: 'not-an-event' }]) {
        const url = receiptUrl('m.read', first);
        const res = await s.request('POST', url, { token: bob.accessToken, body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().errcode, 'M_INVALID_PARAM');
        assertSpecResponse(res, 'POST', url);
      }
      const fully = await s.request('POST', receiptUrl('m.fully_read', first), { token: bob.accessToken, body: { thread_id: 'main' } });
      assert.equal(fully.statusCode, 400);
      assert.equal(fully.json().errcode, 'M_INVALID_PARAM');
      const type = await s.request('POST', receiptUrl('m.unknown', first), { token: bob.accessToken, body: {} });
      assert.equal(type.statusCode, 400);
      assert.equal(type.json().errcode, 'M_INVALID_PARAM');
      const badId = await s.request('POST', receiptUrl('m.read', 'noteventid'), { token: bob.accessToken, body: {} });
      assert.equal(badId.statusCode, 400);
      assert.equal(badId.json().errcode, 'M_INVALID_PARAM');
    });

    it('an unknown event, or one of another room, is 404 M_NOT_FOUND', async () => {
      const unknown = await s.request('POST', receiptUrl('m.read', '$nosuchevent'), { token: bob.accessToken, body: {} });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().errcode, 'M_NOT_FOUND');
      const otherRoom = await rest(s).createRoom(bob);
      const elsewhere = await rest(s).send(bob, otherRoom, 'elsewhere');
      const wrongRoom = await s.request('POST', receiptUrl('m.read', elsewhere), { token: bob.accessToken, body: {} });
      assert.equal(wrongRoom.statusCode, 404);
      assert.equal(wrongRoom.json().errcode, 'M_NOT_FOUND');
    });

    it('a user not in the room is 403 M_FORBIDDEN', async () => {
      const res = await s.request('POST', receiptUrl('m.read', first), { token: carol.accessToken, body: {} });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().errcode, 'M_FORBIDDEN');
    });

    it('m.fully_read through the receipt endpoint sets the read marker (room account data), not a receipt', async () => {
      const before = await s.app.store.counters.current('receipts');
      const url = receiptUrl('m.fully_read', first);
      const res = await s.request('POST', url, { token: carol.accessToken, body: {} });
      assert.equal(res.statusCode, 403);
      const ok = await s.request('POST', url, { token: alice.accessToken, body: {} });
      assert.equal(ok.statusCode, 200, ok.body);
      assertSpecResponse(ok, 'POST', url);
      assert.deepEqual(await s.app.store.accountData.get(alice.userId, roomId, 'm.fully_read'), { event_id: first });
      assert.equal(await s.app.store.counters.current('receipts'), before);
      const read = await s.request('GET', `${V3}/user/${enc(alice.userId)}/rooms/${enc(roomId)}/account_data/m.fully_read`, { token: alice.accessToken });
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), { event_id: first });
    });
  });

  describe('read markers', () => {
    const url = () => `${V3}/rooms/${enc(roomId)}/read_markers`;

    it('sets the fully-read marker and both read receipts in one call', async () => {
      let res!: Awaited<ReturnType<TestServer['request']>>;
      const changes = await announced(async () => {
        res = await s.request('POST', url(), { token: bob.accessToken, body: { 'm.fully_read': second, 'm.read': second, 'm.read.private': second } });
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {});
      assertSpecResponse(res, 'POST', url());
      assert.deepEqual(await s.app.store.accountData.get(bob.userId, roomId, 'm.fully_read'), { event_id: second });
      assert.equal((await s.app.store.receipts.get(roomId, bob.userId, 'm.read.private', null))?.eventId, second);
      const accountDataPos = await s.app.store.counters.current('account_data');
      assert.deepEqual(changes[0], { pos: accountDataPos, userIds: [bob.userId] });
      // m.read already pointed at `second`: only the marker and the private receipt changed.
      assert.equal(changes.length, 2);
    });

    it('the marker only moves forward', async () => {
      assert.equal((await s.request('POST', url(), { token: bob.accessToken, body: { 'm.fully_read': first } })).statusCode, 200);
      assert.deepEqual(await s.app.store.accountData.get(bob.userId, roomId, 'm.fully_read'), { event_id: second });
    });

    it('an unknown event changes nothing and is 404; a bad ID is 400; outsiders get 403', async () => {
      const third = (await rest(s).send(alice, roomId, 'third')) as EventId;
      const bad = await s.request('POST', url(), { token: bob.accessToken, body: { 'm.fully_read': third, 'm.read': '$nosuchevent' } });
      assert.equal(bad.statusCode, 404);
      assert.equal(bad.json().errcode, 'M_NOT_FOUND');
      assert.deepEqual(await s.app.store.accountData.get(bob.userId, roomId, 'm.fully_read'), { event_id: second });
      const malformed = await s.request('POST', url(), { token: bob.accessToken, body: { 'm.fully_read': 'nope' } });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().errcode, 'M_INVALID_PARAM');
      const outsider = await s.request('POST', url(), { token: carol.accessToken, body: { 'm.fully_read': third } });
      assert.equal(outsider.statusCode, 403);
      assert.equal(outsider.json().errcode, 'M_FORBIDDEN');
      const empty = await s.request('POST', url(), { token: bob.accessToken, body: {} });
      assert.equal(empty.statusCode, 200);
    });
  });

  describe('presence', () => {
    const statusUrl = (user: TestUser | string) => `${V3}/presence/${enc(typeof user === 'string' ? user : user.userId)}/status`;

    it('a user with no presence yet is offline', async () => {
      const res = await s.request('GET', statusUrl(bob), { token: bob.accessToken });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { presence: 'offline' });
      assertSpecResponse(res, 'GET', statusUrl(bob));
    });

    it('PUT then GET: state, status message, activity', async () => {
      let res!: Awaited<ReturnType<TestServer['request']>>;
      const changes = await announced(async () => {
        res = await s.request('PUT', statusUrl(alice), { token: alice.accessToken, body: { presence: 'online', status_msg: 'I am here.' } });
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {});
      assertSpecResponse(res, 'PUT', statusUrl(alice));
      // For alice and bob, who shares a room with her; not for carol, nor for every waiter.
      assert.deepEqual(changes, [{ pos: await s.app.store.counters.current('presence'), userIds: [alice.userId, bob.userId] }]);

      const get = await s.request('GET', statusUrl(alice), { token: alice.accessToken });
      assert.equal(get.statusCode, 200);
      assertSpecResponse(get, 'GET', statusUrl(alice));
      assert.deepEqual(get.json(), { presence: 'online', last_active_ago: 0, status_msg: 'I am here.', currently_active: true });

      s.clock.advance(6 * 60_000);
      const later = (await s.request('GET', statusUrl(alice), { token: bob.accessToken })).json();
      assert.deepEqual(later, { presence: 'online', last_active_ago: 6 * 60_000, status_msg: 'I am here.', currently_active: false });
    });

    it('the same state again records activity without waking anyone; a new state does', async () => {
      const put = (body: Record<string, unknown>) => s.request('PUT', statusUrl(alice), { token: alice.accessToken, body });
      await put({ presence: 'online', status_msg: 'I am here.' });
      const pos = await s.app.store.counters.current('presence');
      s.clock.advance(1000);
      const same = await announced(() => put({ presence: 'online', status_msg: 'I am here.' }));
      assert.deepEqual(same, []);
      assert.equal(await s.app.store.counters.current('presence'), pos);
      assert.equal((await s.request('GET', statusUrl(alice), { token: alice.accessToken })).json().last_active_ago, 0);

      const away = await announced(() => put({ presence: 'unavailable' }));
      assert.equal(away.length, 1);
      const got = (await s.request('GET', statusUrl(alice), { token: alice.accessToken })).json();
      // No status_msg in the request clears it.
      assert.deepEqual(got, { presence: 'unavailable', last_active_ago: 0, currently_active: false });
      const feed = await s.app.store.presence.changedSince([alice.userId, bob.userId], pos);
      assert.deepEqual(feed.map((p) => [p.userId, p.presence]), [[alice.userId, 'unavailable']]);
    });

    it('a /sync records activity to the minute; an explicit PUT records it at once', async () => {
      const carol = await s.createUser('carol-active');
      const syncNow = () => s.request('GET', '/_matrix/client/v3/sync?timeout=0', { token: carol.accessToken });
      const ago = async () => (await s.request('GET', statusUrl(carol), { token: carol.accessToken })).json().last_active_ago;
      assert.equal((await syncNow()).statusCode, 200);
      assert.equal(await ago(), 0);
      s.clock.advance(30_000);
      await syncNow();
      assert.equal(await ago(), 30_000, 'a sync within the minute writes nothing');
      s.clock.advance(31_000);
      await syncNow();
      assert.equal(await ago(), 0, 'a sync a minute after the last recorded activity records it');
      s.clock.advance(5_000);
      await s.request('PUT', statusUrl(carol), { token: carol.accessToken, body: { presence: 'online' } });
      assert.equal(await ago(), 0);
    });

    it("setting another user's presence is 403 M_FORBIDDEN", async () => {
      const res = await s.request('PUT', statusUrl(bob), { token: alice.accessToken, body: { presence: 'online' } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().errcode, 'M_FORBIDDEN');
    });

    it('only users sharing a room may see each other: 403 otherwise, 404 for unknown users', async () => {
      const hidden = await s.request('GET', statusUrl(alice), { token: carol.accessToken });
      assert.equal(hidden.statusCode, 403);
      assert.equal(hidden.json().errcode, 'M_FORBIDDEN');
      assertSpecResponse(hidden, 'GET', statusUrl(alice));
      const unknown = await s.request('GET', statusUrl('@nobody:hs.test'), { token: alice.accessToken });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().errcode, 'M_NOT_FOUND');
      assertSpecResponse(unknown, 'GET', statusUrl('@nobody:hs.test'));
      const own = await s.request('GET', statusUrl(carol), { token: carol.accessToken });
      assert.equal(own.statusCode, 200);
    });

    it('bad bodies are 400', async () => {
      const bad = await s.request('PUT', statusUrl(alice), { token: alice.accessToken, body: { presence: 'busy' } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errcode, 'M_BAD_JSON');
      const missing = await s.request('PUT', statusUrl(alice), { token: alice.accessToken, body: { status_msg: 'x' } });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
      const badUser = await s.request('GET', statusUrl('nobody'), { token: alice.accessToken });
      assert.equal(badUser.statusCode, 400);
      assert.equal(badUser.json().errcode, 'M_INVALID_PARAM');
    });
  });
}, describe);
