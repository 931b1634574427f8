import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { settlePush } from '../helpers/push.js';
import { rest, sync, V3, type Body, type SyncEvent as Ev } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/** `m.ignored_user_list` (spec client-server "Ignoring Users"): what an ignoring user is sent. */

const enc = encodeURIComponent;
const bodies = (events: Ev[]) => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);
const timelineOf = (body: Body, roomId: string): Ev[] => body.rooms?.join?.[roomId]?.timeline?.events ?? [];

forEachBackend('ignoring users (m.ignored_user_list)', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  // Mostly: alice ignores, bob is ignored, carol is a third member whose messages still arrive.
  let alice: TestUser, bob: TestUser, carol: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
    carol = await s.createUser('carol');
  });
  after(() => s.close());

  const listUrl = (user: TestUser) => `${V3}/user/${enc(user.userId)}/account_data/m.ignored_user_list`;
  async function ignore(user: TestUser, ...ignored: TestUser[]): Promise<void> {
    const res = await s.request('PUT', listUrl(user), { token: user.accessToken, body: { ignored_users: Object.fromEntries(ignored.map((u) => [u.userId, {}])) } });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'PUT', listUrl(user));
  }

  /** A public room of alice's that bob and carol joined. */
  async function room(): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await r.join(carol, roomId);
    return roomId;
  }

  it('an invite from an ignored user is not in /sync rooms.invite, one from anyone else is', async () => {
    const dave = await s.createUser('dave');
    await ignore(dave, bob);
    const initial = await sync(s, dave);
    const fromBob = await r.createRoom(bob);
    const fromCarol = await r.createRoom(carol);
    await r.invite(bob, fromBob, dave);
    await r.invite(carol, fromCarol, dave);
    const incremental = await sync(s, dave, { since: initial.next_batch });
    assert.deepEqual(Object.keys(incremental.rooms?.invite ?? {}), [fromCarol]);
    const fresh = await sync(s, dave);
    assert.deepEqual(Object.keys(fresh.rooms?.invite ?? {}), [fromCarol]);
  });

  it('messages from an ignored user are absent from /sync, /messages, /context and /event', async () => {
    const roomId = await room();
    await ignore(alice, bob);
    const initial = await sync(s, alice);
    await r.send(carol, roomId, 'carol 1');
    const bobEvent = await r.send(bob, roomId, 'bob 1');
    const carolEvent = await r.send(carol, roomId, 'carol 2');

    const incremental = await sync(s, alice, { since: initial.next_batch });
    assert.deepEqual(bodies(timelineOf(incremental, roomId)), ['carol 1', 'carol 2']);
    assert.deepEqual(bodies(timelineOf(await sync(s, alice), roomId)), ['carol 1', 'carol 2']);

    assert.deepEqual(bodies((await r.messages(alice, roomId)).chunk).reverse(), ['carol 1', 'carol 2']);
    // carol is not ignoring anyone: she sees everything.
    assert.deepEqual(bodies((await r.messages(carol, roomId)).chunk).reverse(), ['carol 1', 'bob 1', 'carol 2']);

    const contextUrl = `${V3}${r.room(roomId)}/context/${enc(carolEvent)}?limit=10`;
    const context = await s.request('GET', contextUrl, { token: alice.accessToken });
    assert.equal(context.statusCode, 200, context.body);
    assertSpecResponse(context, 'GET', contextUrl);
    assert.deepEqual(bodies(context.json().events_before).reverse(), ['carol 1']);

    const ignoredContextUrl = `${V3}${r.room(roomId)}/context/${enc(bobEvent)}`;
    assertMatrixError(await s.request('GET', ignoredContextUrl, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', ignoredContextUrl);
    const eventUrl = `${V3}${r.room(roomId)}/event/${enc(bobEvent)}`;
    assertMatrixError(await s.request('GET', eventUrl, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', eventUrl);
    assert.equal((await s.request('GET', eventUrl, { token: carol.accessToken })).statusCode, 200);
    await ignore(alice);
  });

  it('state events from an ignored user still apply and are sent', async () => {
    const roomId = await room();
    await r.ok('PUT', `${r.room(roomId)}/state/m.room.power_levels/`, alice, { users: { [alice.userId]: 100, [bob.userId]: 50 } });
    await ignore(alice, bob);
    const initial = await sync(s, alice);
    const nameEvent = await r.putState(bob, roomId, 'm.room.name', { name: 'Named by bob' });
    const incremental = await sync(s, alice, { since: initial.next_batch });
    assert.ok(timelineOf(incremental, roomId).some((e) => e.event_id === nameEvent), 'the name event is in the timeline');
    const fresh = await sync(s, alice);
    const state: Ev[] = [...fresh.rooms.join[roomId].state.events, ...timelineOf(fresh, roomId)];
    assert.equal(state.find((e) => e.type === 'm.room.name')?.content.name, 'Named by bob');
    assert.ok((await r.messages(alice, roomId)).chunk.some((e: Ev) => e.event_id === nameEvent), '/messages keeps the state event');
    await ignore(alice);
  });

  it('un-ignoring resumes delivery of new messages without resending those missed', async () => {
    const roomId = await room();
    await ignore(alice, bob);
    const first = await sync(s, alice);
    await r.send(bob, roomId, 'while ignored');
    const second = await sync(s, alice, { since: first.next_batch });
    assert.deepEqual(bodies(timelineOf(second, roomId)), []);
    await ignore(alice);
    const afterUnignore = await sync(s, alice, { since: second.next_batch });
    assert.deepEqual(bodies(timelineOf(afterUnignore, roomId)), [], 'the missed message is not resent');
    assert.ok(afterUnignore.account_data.events.some((e: Ev) => e.type === 'm.ignored_user_list'), 'the new list is synced');
    await r.send(bob, roomId, 'after unignore');
    const third = await sync(s, alice, { since: afterUnignore.next_batch });
    assert.deepEqual(bodies(timelineOf(third, roomId)), ['after unignore']);
    // A fresh sync (what the spec tells the client to do) shows both.
    assert.deepEqual(bodies(timelineOf(await sync(s, alice), roomId)), ['while ignored', 'after unignore']);
  });

  it('the ignore list is read once per /sync, /messages and /context, however many rooms and events', async () => {
    const rooms = [await room(), await room(), await room()];
    await ignore(alice, bob);
    for (const roomId of rooms) for (let i = 0; i < 5; i++) await r.send(i % 2 === 0 ? bob : carol, roomId, `m${i}`);
    const accountData = s.app.store.accountData;
    const get = accountData.get.bind(accountData);
    let reads = 0;
    accountData.get = (userId, roomId, type) => {
      if (type === 'm.ignored_user_list') reads++;
      return get(userId, roomId, type);
    };
    try {
      const body = await sync(s, alice);
      for (const roomId of rooms) assert.deepEqual(bodies(timelineOf(body, roomId)), ['m1', 'm3']);
      assert.equal(reads, 1, 'one read for the whole /sync');
      reads = 0;
      const chunk = (await r.messages(alice, rooms[0]!)).chunk;
      assert.deepEqual(bodies(chunk).reverse(), ['m1', 'm3']);
      const contextUrl = `${V3}${r.room(rooms[0]!)}/context/${enc(chunk[0].event_id)}?limit=10`;
      assert.equal((await s.request('GET', contextUrl, { token: alice.accessToken })).statusCode, 200);
      assert.equal(reads, 2, 'one read for /messages, one for /context');
    } finally {
      accountData.get = get;
      await ignore(alice);
    }
  });

  it('messages and invites from an ignored user count in no unread_notifications and are no notification', async () => {
    const [erin, frank, gina] = [await s.createUser('erin'), await s.createUser('frank'), await s.createUser('gina')];
    const roomId = await r.createRoom(erin, { preset: 'public_chat' });
    await r.join(frank, roomId);
    await r.join(gina, roomId);
    await ignore(erin, frank);
    await r.send(frank, roomId, 'ignored one');
    await r.send(gina, roomId, 'counted');
    await r.send(frank, roomId, 'ignored two');
    const elsewhere = await r.createRoom(frank);
    await r.invite(frank, elsewhere, erin);
    // Three members: every message notifies by the default rules, but frank's are withheld.
    const body = await sync(s, erin);
    assert.deepEqual(body.rooms?.join?.[roomId]?.unread_notifications, { notification_count: 1, highlight_count: 0 });
    await settlePush(s);
    const res = await s.request('GET', `${V3}/notifications`, { token: erin.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', `${V3}/notifications`);
    const listed = (res.json() as { notifications: Array<{ event: Ev }> }).notifications;
    assert.deepEqual(listed.map((n) => [n.event.sender, n.event.content.body]), [[gina.userId, 'counted']]);
    // Un-ignored, frank's next message counts again (the kept count is redone for the new list).
    await ignore(erin);
    await r.send(frank, roomId, 'heard');
    const after = await sync(s, erin);
    assert.equal(after.rooms?.join?.[roomId]?.unread_notifications?.notification_count, 4);
  });

  it('a malformed ignore list is 400 M_BAD_JSON and leaves the stored list unchanged', async () => {
    const url = listUrl(carol);
    await ignore(carol, bob);
    for (const body of [
      {},
      { ignored_users: [] },
      { ignored_users: 'bob' },
      { ignored_users: null },
      { ignored_users: { 'not-a-user-id': {} } },
      { ignored_users: { '@bob': {} } },
      { ignored_users: { [bob.userId]: true } },
      { ignored_users: { [carol.userId]: {} } },
    ]) {
      const res = await s.request('PUT', url, { token: carol.accessToken, body });
      assertMatrixError(res, 400, 'M_BAD_JSON', 'PUT', url);
    }
    const stored = await s.request('GET', url, { token: carol.accessToken });
    assert.equal(stored.statusCode, 200);
    assert.deepEqual(stored.json(), { ignored_users: { [bob.userId]: {} } });
    // Room account data of that type is the client's own business: not checked.
    const roomId = await r.createRoom(carol);
    const roomUrl = `${V3}/user/${enc(carol.userId)}/rooms/${enc(roomId)}/account_data/m.ignored_user_list`;
    assert.equal((await s.request('PUT', roomUrl, { token: carol.accessToken, body: { anything: 1 } })).statusCode, 200);
    await ignore(carol);
  });
}, describe);
