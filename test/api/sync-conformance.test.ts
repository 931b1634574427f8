import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * GET /sync where the spec leaves room and Sytest/Complement pin down what Synapse does: the room
 * summary of named rooms, lazy-loaded members in initial, incremental and gapped syncs, and rooms
 * joined since `since`.
 */

const V3 = '/_matrix/client/v3';
const enc = encodeURIComponent;

/** A parsed response body, as `res.json()` returns it. */
type Sync = ReturnType<typeof JSON.parse>;
type Ev = { type: string; state_key?: string; sender: string; event_id: string; content: Record<string, unknown> };

async function sync(s: TestServer, user: TestUser, query = ''): Promise<Sync> {
  const res = await s.request('GET', `${V3}/sync${query ? `?${query}` : ''}`, { token: user.accessToken });
  assert.equal(res.statusCode, 200, res.body);
  assertSpecResponse(res, 'GET', `${V3}/sync`);
  return res.json();
}

const inline = (filter: unknown) => `filter=${enc(JSON.stringify(filter))}`;
const since = (token: string, filter?: unknown) => `since=${enc(token)}${filter === undefined ? '' : `&${inline(filter)}`}`;
const bodies = (events: Ev[]) => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body as string);
/** The member events of a state block as `user=membership`, sorted. */
const members = (events: Ev[]) => events.filter((e) => e.type === 'm.room.member').map((e) => `${e.state_key}=${e.content.membership as string}`).sort();
const joined = (...users: TestUser[]) => users.map((u) => `${u.userId}=join`).sort();

/** Lazy-loaded members, the Sytest filter: the last 10 events. */
const LAZY = { room: { timeline: { limit: 10 }, state: { lazy_load_members: true } } };

forEachBackend('GET /sync: conformance with Synapse where the spec is loose', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let alice: TestUser;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);

  async function sendMany(sender: TestUser, roomId: string, prefix: string, count: number): Promise<void> {
    for (let i = 1; i <= count; i++) await r.send(sender, roomId, `${prefix}${i}`);
  }

  /** A public room named "A room name" (as Sytest's lazy-loading tests make it) that `others` joined. */
  async function namedRoom(...others: TestUser[]): Promise<string> {
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.putState(alice, roomId, 'm.room.name', { name: 'A room name' });
    for (const u of others) await r.join(u, roomId);
    return roomId;
  }

  describe('room summary', () => {
    it('a room with a name has no m.heroes, only the member counts', async () => {
      const bob = await user('bob');
      const roomId = await namedRoom(bob);
      const summary = (await sync(s, alice, inline(LAZY))).rooms.join[roomId].summary;
      assert.deepEqual(summary, { 'm.joined_member_count': 2, 'm.invited_member_count': 0 });
    });

    it('a room with a canonical alias has no m.heroes, only the member counts', async () => {
      const bob = await user('bob');
      const carol = await user('carol');
      const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: `summary${n}` });
      await r.join(bob, roomId);
      await r.invite(alice, roomId, carol);
      const summary = (await sync(s, alice)).rooms.join[roomId].summary;
      assert.deepEqual(summary, { 'm.joined_member_count': 2, 'm.invited_member_count': 1 });
    });

    it('an empty name or an alias-less canonical alias leaves m.heroes in', async () => {
      const bob = await user('bob');
      const roomId = await r.createRoom(alice, { preset: 'public_chat' });
      await r.putState(alice, roomId, 'm.room.name', { name: '' });
      await r.putState(alice, roomId, 'm.room.canonical_alias', {});
      await r.join(bob, roomId);
      const summary = (await sync(s, alice)).rooms.join[roomId].summary;
      assert.deepEqual(summary, { 'm.heroes': [bob.userId], 'm.joined_member_count': 2, 'm.invited_member_count': 0 });
    });
  });

  describe('lazy-loaded members', () => {
    it('initial sync: only the timeline senders\' and the user\'s own member events, not an earlier speaker\'s', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const roomId = await namedRoom(bob, charlie);
      await sendMany(bob, roomId, 'bob', 10);
      await sendMany(charlie, roomId, 'charlie', 10);
      const room = (await sync(s, alice, inline(LAZY))).rooms.join[roomId];
      assert.equal(bodies(room.timeline.events).length, 10);
      assert.ok(room.timeline.events.every((e: Ev) => e.sender === charlie.userId));
      assert.deepEqual(members(room.state.events), joined(alice, charlie));
    });

    it('incremental sync: the member event of a new speaker, then nothing when nothing happened', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const roomId = await namedRoom(bob, charlie);
      await sendMany(bob, roomId, 'bob', 10);
      const first = await sync(s, alice, inline(LAZY));
      assert.deepEqual(members(first.rooms.join[roomId].state.events), joined(alice, bob));
      await r.send(charlie, roomId, 'from charlie');
      const second = await sync(s, alice, since(first.next_batch, LAZY));
      assert.deepEqual(second.rooms.join[roomId].state.events.map((e: Ev) => `${e.type}|${e.state_key}`), [`m.room.member|${charlie.userId}`]);
      const third = await sync(s, alice, `${since(second.next_batch, LAZY)}&timeout=0`);
      assert.equal(third.rooms?.join?.[roomId], undefined);
    });

    it('incremental sync: member events the client already has are not sent again, unless include_redundant_members', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const roomId = await namedRoom(bob, charlie);
      await sendMany(bob, roomId, 'bob', 10);
      await sendMany(charlie, roomId, 'charlie', 5);
      const redundant = { room: { ...LAZY.room, state: { lazy_load_members: true, include_redundant_members: true } } };
      const first = await sync(s, alice, inline(LAZY));
      assert.deepEqual(members(first.rooms.join[roomId].state.events), joined(alice, bob, charlie));
      const firstRedundant = await sync(s, alice, inline(redundant));
      await r.send(bob, roomId, 'bob again');
      await r.send(charlie, roomId, 'charlie again');

      const next = (await sync(s, alice, since(first.next_batch, LAZY))).rooms.join[roomId];
      assert.deepEqual(bodies(next.timeline.events), ['bob again', 'charlie again']);
      assert.deepEqual(members(next.state.events), []);
      const nextRedundant = (await sync(s, alice, since(firstRedundant.next_batch, redundant))).rooms.join[roomId];
      assert.deepEqual(members(nextRedundant.state.events), joined(bob, charlie));
    });

    it('gapped incremental sync: a new speaker\'s member event and the members who joined in the gap', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const dave = await user('dave');
      const roomId = await namedRoom(bob, charlie);
      await sendMany(bob, roomId, 'bob', 10);
      const first = await sync(s, alice, inline(LAZY));
      assert.deepEqual(members(first.rooms.join[roomId].state.events), joined(alice, bob));
      await r.join(dave, roomId);
      await sendMany(charlie, roomId, 'charlie', 20);
      const room = (await sync(s, alice, since(first.next_batch, LAZY))).rooms.join[roomId];
      assert.equal(room.timeline.limited, true);
      assert.deepEqual(members(room.state.events), joined(charlie, dave));
    });

    it('gapped incremental sync whose only membership change is a leave: exactly that leave in state', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const dave = await user('dave');
      const roomId = await namedRoom(bob, charlie, dave);
      await sendMany(charlie, roomId, 'charlie', 20);
      const first = await sync(s, alice, inline(LAZY));
      assert.deepEqual(members(first.rooms.join[roomId].state.events), joined(alice, charlie));
      await r.leave(dave, roomId);
      await sendMany(charlie, roomId, 'more', 20);
      const room = (await sync(s, alice, since(first.next_batch, LAZY))).rooms.join[roomId];
      assert.equal(room.timeline.limited, true);
      assert.deepEqual(members(room.state.events), [`${dave.userId}=leave`]);
    });

    it('non-gapped incremental sync: a leave is in the timeline, not in state', async () => {
      const bob = await user('bob');
      const charlie = await user('charlie');
      const roomId = await namedRoom(bob, charlie);
      await r.send(charlie, roomId, 'hello world');
      await sendMany(bob, roomId, 'bob', 10);
      const first = await sync(s, alice, inline(LAZY));
      assert.deepEqual(members(first.rooms.join[roomId].state.events), joined(alice, bob));
      await r.leave(charlie, roomId);
      await sendMany(bob, roomId, 'after', 5);
      const room = (await sync(s, alice, since(first.next_batch, LAZY))).rooms.join[roomId];
      assert.equal(room.timeline.limited, false);
      const [leave] = room.timeline.events;
      assert.deepEqual([leave.type, leave.state_key, leave.content.membership], ['m.room.member', charlie.userId, 'leave']);
      assert.deepEqual(members(room.state.events), []);
    });
  });
}, describe);
