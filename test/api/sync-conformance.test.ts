import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, type SyncEvent as Ev } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * GET /sync where the spec leaves room and Sytest/Complement pin down what Synapse does: the room
 * summary of named rooms, lazy-loaded members in initial, incremental and gapped syncs, and rooms
 * joined since `since`.
 */

const enc = encodeURIComponent;

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

  /** Fresh users, one per name (numbered: every test makes its own). */
  const users = <T extends string[]>(...names: T) =>
    Promise.all(names.map((name) => s.createUser(`${name}${++n}`))) as Promise<{ [K in keyof T]: TestUser }>;

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
      const [bob] = await users('bob');
      const roomId = await namedRoom(bob);
      const summary = (await sync(s, alice, inline(LAZY))).rooms.join[roomId].summary;
      assert.deepEqual(summary, { 'm.joined_member_count': 2, 'm.invited_member_count': 0 });
    });

    it('a room with a canonical alias has no m.heroes, only the member counts', async () => {
      const [bob, carol] = await users('bob', 'carol');
      const roomId = await r.createRoom(alice, { preset: 'public_chat', room_alias_name: `summary${n}` });
      await r.join(bob, roomId);
      await r.invite(alice, roomId, carol);
      const summary = (await sync(s, alice)).rooms.join[roomId].summary;
      assert.deepEqual(summary, { 'm.joined_member_count': 2, 'm.invited_member_count': 1 });
    });

    it('an empty name or an alias-less canonical alias leaves m.heroes in', async () => {
      const [bob] = await users('bob');
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
      const [bob, charlie] = await users('bob', 'charlie');
      const roomId = await namedRoom(bob, charlie);
      await sendMany(bob, roomId, 'bob', 10);
      await sendMany(charlie, roomId, 'charlie', 10);
      const room = (await sync(s, alice, inline(LAZY))).rooms.join[roomId];
      assert.equal(bodies(room.timeline.events).length, 10);
      assert.ok(room.timeline.events.every((e: Ev) => e.sender === charlie.userId));
      assert.deepEqual(members(room.state.events), joined(alice, charlie));
    });

    it('incremental sync: the member event of a new speaker, then nothing when nothing happened', async () => {
      const [bob, charlie] = await users('bob', 'charlie');
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
      const [bob, charlie] = await users('bob', 'charlie');
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
      const [bob, charlie, dave] = await users('bob', 'charlie', 'dave');
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
      const [bob, charlie, dave] = await users('bob', 'charlie', 'dave');
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
      const [bob, charlie] = await users('bob', 'charlie');
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

  describe('a room joined since `since` is synced as a new room', () => {
    /** The state keys of a state block as `type|state_key`, sorted. */
    const stateKeys = (events: Ev[]) => events.map((e) => `${e.type}|${e.state_key}`).sort();

    it('an accepted invite: the latest events with the history before the join, limited, and the state at the timeline\'s start', async () => {
      const [bob] = await users('bob');
      const roomId = await namedRoom();
      await sendMany(alice, roomId, 'before', 15);
      const beforeInvite = await sync(s, bob);
      await r.invite(alice, roomId, bob);
      const invited = await sync(s, bob, since(beforeInvite.next_batch));
      assert.ok(invited.rooms.invite[roomId]);
      await r.join(bob, roomId);

      const room = (await sync(s, bob, since(invited.next_batch))).rooms.join[roomId];
      const events: Ev[] = room.timeline.events;
      assert.equal(events.length, 10);
      assert.equal(room.timeline.limited, true);
      assert.deepEqual(bodies(events), ['before8', 'before9', 'before10', 'before11', 'before12', 'before13', 'before14', 'before15']);
      assert.deepEqual([events.at(-2)?.state_key, events.at(-2)?.content.membership], [bob.userId, 'invite']);
      assert.deepEqual([events.at(-1)?.state_key, events.at(-1)?.content.membership], [bob.userId, 'join']);
      // The full state before the timeline: the room as it was before before8.
      assert.deepEqual(stateKeys(room.state.events), [
        'm.room.create|', 'm.room.guest_access|', 'm.room.history_visibility|', 'm.room.join_rules|',
        `m.room.member|${alice.userId}`, 'm.room.name|', 'm.room.power_levels|',
      ].sort());
    });

    it('invited and joined within the gap: the same, and limited false when the room has no more', async () => {
      const [bob] = await users('bob');
      const roomId = await namedRoom();
      await sendMany(alice, roomId, 'old', 3);
      const first = await sync(s, bob);
      await r.invite(alice, roomId, bob);
      await r.join(bob, roomId);
      const room = (await sync(s, bob, since(first.next_batch, { room: { timeline: { limit: 50 } } }))).rooms.join[roomId];
      assert.equal(room.timeline.limited, false);
      assert.equal(room.timeline.events[0].type, 'm.room.create');
      assert.deepEqual(bodies(room.timeline.events), ['old1', 'old2', 'old3']);
      assert.equal(room.timeline.events.at(-1).state_key, bob.userId);
      assert.deepEqual(room.state.events, [], 'everything is in the timeline');
    });

    it('a rejoin after a leave counts as newly joined', async () => {
      const [bob] = await users('bob');
      const roomId = await namedRoom(bob);
      await r.leave(bob, roomId);
      const left = await sync(s, bob);
      await sendMany(alice, roomId, 'away', 3);
      await r.join(bob, roomId);
      const room = (await sync(s, bob, since(left.next_batch))).rooms.join[roomId];
      assert.equal(room.timeline.limited, true);
      // `shared`: what was said while bob was away is his to read once he is back.
      assert.equal(room.timeline.events.length, 10);
      assert.deepEqual(room.timeline.events.slice(-5).map((e: Ev) => e.content.membership ?? e.content.body), ['leave', 'away1', 'away2', 'away3', 'join']);
      assert.equal(room.timeline.events.at(-1).state_key, bob.userId);
    });

    it('joined and left within the gap: rooms.leave holds the latest events up to the leave, none after', async () => {
      const [bob] = await users('bob');
      const roomId = await namedRoom();
      await sendMany(alice, roomId, 'old', 2);
      const first = await sync(s, bob);
      await r.join(bob, roomId);
      await r.send(alice, roomId, 'during');
      await r.leave(bob, roomId);
      await r.send(alice, roomId, 'after');
      const body = await sync(s, bob, since(first.next_batch));
      assert.equal(body.rooms.join?.[roomId], undefined);
      const room = body.rooms.leave[roomId];
      assert.deepEqual(bodies(room.timeline.events), ['old1', 'old2', 'during']);
      const last = room.timeline.events.at(-1);
      assert.deepEqual([last.state_key, last.content.membership], [bob.userId, 'leave']);
    });

    it('history visibility applies: under `joined`, nothing from before the join', async () => {
      const [bob] = await users('bob');
      const roomId = await namedRoom();
      await r.putState(alice, roomId, 'm.room.history_visibility', { history_visibility: 'joined' });
      await sendMany(alice, roomId, 'secret', 3);
      const first = await sync(s, bob);
      await r.join(bob, roomId);
      await r.send(alice, roomId, 'welcome');
      const room = (await sync(s, bob, since(first.next_batch))).rooms.join[roomId];
      assert.deepEqual(bodies(room.timeline.events), ['welcome'], 'no secret');
      assert.deepEqual([room.timeline.events.at(-2).state_key, room.timeline.events.at(-2).content.membership], [bob.userId, 'join']);
      // What `shared` showed before the change (the room's creation, up to the change itself) is still visible.
      assert.equal(room.timeline.events.at(-3).type, 'm.room.history_visibility');
      const seen = stateKeys([...room.state.events, ...room.timeline.events]);
      for (const key of ['m.room.create|', 'm.room.name|', `m.room.member|${alice.userId}`]) assert.ok(seen.includes(key), key);
    });

    it('with lazy-loaded members: the state holds the timeline senders\' member events only', async () => {
      const [bob, charlie, dan] = await users('bob', 'charlie', 'dan');
      const roomId = await namedRoom(charlie, dan);
      await sendMany(charlie, roomId, 'charlie', 12);
      const first = await sync(s, bob, inline(LAZY));
      await r.join(bob, roomId);
      const room = (await sync(s, bob, since(first.next_batch, LAZY))).rooms.join[roomId];
      assert.equal(room.timeline.limited, true);
      assert.equal(room.timeline.events.at(-1).state_key, bob.userId);
      assert.deepEqual(members(room.state.events), joined(charlie));
      assert.ok(stateKeys(room.state.events).includes('m.room.create|'));
    });
  });
}, describe);
