// The Store contract of room events and room state, on both backends: what the services rely on
// today (RoomWriter, sync, messages, state, visibility), so that a new room storage must keep it.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, EventId, RoomAlias, RoomId, UserId } from '../../src/core/ids.js';
import { ConflictError } from '../../src/storage/errors.js';
import type { Store, StoredEvent } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { latch, ROOM_CREATOR, roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const dev = 'DEV' as DeviceId;
const ids = (events: StoredEvent[]) => events.map((e) => e.event.event_id);

forEachBackend('Store contract: room events', (backend) => {
  const storeOf = useFreshStore(backend);
  const roomA = '!a:hs' as RoomId;
  const roomB = '!b:hs' as RoomId;
  const r = roomEvents(storeOf, [roomA, roomB]);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('an appended event reads back by ID exactly as it was stored, with its position', async () => {
    const built = await r.build(store, roomA, { type: 'm.room.create', sender: alice, stateKey: '', content: { creator: alice, room_version: '10' } });
    const stored = await store.events.append(built);
    assert.deepEqual(stored, { event: built, pos: stored.pos, prevState: null, redactedBy: null });
    assert.ok(stored.pos > 0);
    assert.deepEqual(await store.events.get(built.event_id), stored);
    assert.equal(await store.events.get('$nothing:hs' as EventId), undefined);
    assert.deepEqual(await store.rooms.get(roomA), { roomId: roomA, version: '10', creator: ROOM_CREATOR, isPublic: false, createdTs: 1 });
  });

  it('a room ID is created once; the directory lists public rooms in creation order; aliases point at rooms', async () => {
    const record = { roomId: roomA, version: '11', creator: bob, isPublic: true, createdTs: 9 };
    await assert.rejects(store.rooms.create(record), ConflictError);
    await store.rooms.create({ ...record, roomId: '!pub2:hs' as RoomId, createdTs: 3 });
    await store.rooms.create({ ...record, roomId: '!pub1:hs' as RoomId, createdTs: 2 });
    await store.rooms.setPublic(roomB, true);
    assert.deepEqual(await store.rooms.listPublic(), [roomB, '!pub1:hs', '!pub2:hs']);
    await store.rooms.setPublic('!pub1:hs' as RoomId, false);
    assert.deepEqual(await store.rooms.listPublic(), [roomB, '!pub2:hs']);
    const [alias1, alias2] = ['#one:hs', '#two:hs'] as RoomAlias[];
    await store.aliases.create(alias2!, roomA, alice, 1);
    await store.aliases.create(alias1!, roomA, alice, 1);
    await assert.rejects(store.aliases.create(alias1!, roomB, bob, 2), ConflictError);
    assert.deepEqual(await store.aliases.get(alias1!), { roomId: roomA, creator: alice });
    assert.deepEqual(await store.aliases.forRoom(roomA), [alias1, alias2]);
    assert.equal(await store.aliases.delete(alias1!), true);
    assert.equal(await store.aliases.delete(alias1!), false);
    assert.deepEqual(await store.aliases.forRoom(roomA), [alias2]);
  });

  it('positions grow in append order across rooms; head, maxPos and prev_events/depth follow the line', async () => {
    const first = await store.events.head(roomA);
    const a1 = await r.message(roomA, alice, 'a1');
    const b1 = await r.message(roomB, bob, 'b1');
    const a2 = await r.message(roomA, alice, 'a2');
    assert.ok(first!.pos < a1.pos && a1.pos < b1.pos && b1.pos < a2.pos);
    assert.equal(await store.events.maxPos(), a2.pos);
    // Each event points at the room's previous head and is one deeper, as stored.
    assert.deepEqual((await store.events.get(a1.event.event_id))!.event.prev_events, [first!.eventId]);
    assert.equal((await store.events.get(a1.event.event_id))!.event.depth, first!.depth + 1);
    assert.deepEqual((await store.events.get(a2.event.event_id))!.event.prev_events, [a1.event.event_id]);
    assert.deepEqual(await store.events.head(roomA), { eventId: a2.event.event_id, depth: a2.event.depth, pos: a2.pos });
    assert.deepEqual(await store.events.head(roomB), { eventId: b1.event.event_id, depth: 1, pos: b1.pos });
    assert.equal(await store.events.head('!empty:hs' as RoomId), undefined);
  });

  it('page reads one room between positions, forwards or backwards, up to the limit; getMany in position order', async () => {
    const all = await store.events.page(roomA, { dir: 'f', limit: 100 });
    assert.equal(all.length, 3);
    assert.ok(all.every((e) => e.event.room_id === roomA));
    assert.deepEqual(all.map((e) => e.pos), [...all.map((e) => e.pos)].sort((x, y) => x - y));
    const [create, a1, a2] = all as [StoredEvent, StoredEvent, StoredEvent];
    assert.deepEqual(ids(await store.events.page(roomA, { dir: 'b', limit: 2 })), [a2.event.event_id, a1.event.event_id]);
    assert.deepEqual(ids(await store.events.page(roomA, { after: create.pos, dir: 'f', limit: 1 })), [a1.event.event_id]);
    assert.deepEqual(ids(await store.events.page(roomA, { before: a2.pos, dir: 'b', limit: 10 })), [a1.event.event_id, create.event.event_id]);
    assert.deepEqual(await store.events.page(roomA, { after: create.pos, before: a1.pos, dir: 'f', limit: 10 }), []);
    assert.deepEqual(ids(await store.events.getMany([a2.event.event_id, '$unknown:hs' as EventId, create.event.event_id])),
      [create.event.event_id, a2.event.event_id]);
    assert.deepEqual(await store.events.getMany([]), []);
  });

  it('a rolled-back write leaves nothing: no event, no state, no membership, the head and maxPos unchanged', async () => {
    const head = await store.events.head(roomA);
    const maxPos = await store.events.maxPos();
    let eventIds: EventId[] = [];
    await assert.rejects(store.transaction(async (tx) => {
      await tx.rooms.lock(roomA);
      const name = await r.append(roomA, { type: 'm.room.name', sender: alice, stateKey: '', content: { name: 'gone' } }, tx);
      const join = await r.append(roomA, { type: 'm.room.member', sender: bob, stateKey: bob, content: { membership: 'join' } }, tx);
      eventIds = [name.event.event_id, join.event.event_id];
      throw new Error('boom');
    }), /boom/);
    assert.equal(eventIds.length, 2);
    assert.deepEqual(await store.events.getMany(eventIds), []);
    assert.deepEqual(await store.events.head(roomA), head);
    assert.equal(await store.events.maxPos(), maxPos);
    assert.equal(await store.state.currentEvent(roomA, 'm.room.name', ''), undefined);
    assert.equal(await store.memberships.get(roomA, bob), undefined);
  });

  it('an event ID is stored once: appending it again fails and leaves the first', async () => {
    const original = await r.message(roomB, bob, 'original');
    await assert.rejects(store.events.append({ ...original.event, content: { body: 'copy' } }));
    assert.deepEqual(await store.events.get(original.event.event_id), original);
    assert.deepEqual((await store.events.head(roomB))!.eventId, original.event.event_id);
  });

  it('a second writer of a room waits for the first to commit, then builds on its event', async () => {
    const held = latch();
    const firstLocked = latch();
    const order: string[] = [];
    const first = store.transaction(async (tx) => {
      await tx.rooms.lock(roomB);
      const e = await r.append(roomB, { type: 'm.room.message', sender: bob, content: { body: 'first' } }, tx);
      firstLocked.open();
      await held.done;
      order.push('first commits');
      return e;
    });
    await firstLocked.done;
    const second = store.transaction(async (tx) => {
      await tx.rooms.lock(roomB);
      order.push('second has the lock');
      return r.append(roomB, { type: 'm.room.message', sender: bob, content: { body: 'second' } }, tx);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.open();
    const [e1, e2] = await Promise.all([first, second]);
    assert.deepEqual(order, ['first commits', 'second has the lock']);
    assert.deepEqual(e2.event.prev_events, [e1.event.event_id]);
    assert.equal(e2.event.depth, e1.event.depth + 1);
    assert.ok(e2.pos > e1.pos);
  });

  it('readablePos: with no write under way, every position is readable (races: test/concurrency/event-positions-race.test.ts)', async () => {
    const a = await r.message(roomA, alice, 'one');
    const b = await r.message(roomB, bob, 'two');
    assert.ok(b.pos > a.pos);
    assert.equal(await store.events.readablePos(), b.pos);
    assert.equal(await store.events.maxPos(), b.pos);
    assert.deepEqual(ids(await store.events.after(a.pos - 1, b.pos, 10)), [a.event.event_id, b.event.event_id]);
    assert.deepEqual(ids(await store.events.after(a.pos - 1, a.pos, 10)), [a.event.event_id], 'nothing past upTo');
  });

  it('markRedacted records the first redaction only', async () => {
    const target = await r.message(roomA, alice, 'secret');
    await store.events.markRedacted(target.event.event_id, '$redaction1' as EventId);
    await store.events.markRedacted(target.event.event_id, '$redaction2' as EventId);
    assert.equal((await store.events.get(target.event.event_id))!.redactedBy, '$redaction1');
  });

  it('activeRoomsOf: rooms the user has any membership in with events after a position, and their newest position', async () => {
    const carol = '@carol:hs' as UserId;
    const since = await store.events.maxPos();
    assert.deepEqual(await store.events.activeRoomsOf(carol, 0), new Map());
    await r.member(roomA, carol, 'join');
    const left = await r.member(roomB, carol, 'leave', bob);
    const last = await r.message(roomA, alice, 'after');
    assert.deepEqual(await store.events.activeRoomsOf(carol, since), new Map([[roomA, last.pos], [roomB, left.pos]]));
    assert.deepEqual(await store.events.activeRoomsOf(carol, left.pos), new Map([[roomA, last.pos]]));
    assert.deepEqual(await store.events.activeRoomsOf(carol, last.pos), new Map());
  });

  it('transaction IDs: found by user, device, scope and ID; listed per device', async () => {
    const e = await r.message(roomA, alice, 'with txn');
    const key = { userId: alice, deviceId: dev, scope: `send:${roomA}:m.room.message`, txnId: 't1' };
    assert.equal(await store.events.findTxn(key), undefined);
    await store.events.saveTxn(key, e.event.event_id, 5);
    assert.equal(await store.events.findTxn(key), e.event.event_id);
    assert.equal(await store.events.findTxn({ ...key, scope: 'other' }), undefined);
    assert.equal(await store.events.findTxn({ ...key, deviceId: 'OTHER' as DeviceId }), undefined);
    assert.deepEqual(await store.events.txnIdsFor(alice, dev, [e.event.event_id]), new Map([[e.event.event_id, 't1']]));
    assert.deepEqual(await store.events.txnIdsFor(bob, dev, [e.event.event_id]), new Map());
  });
}, describe);

forEachBackend('Store contract: room state along the line', (backend) => {
  const storeOf = useFreshStore(backend);
  const room = '!s:hs' as RoomId;
  const r = roomEvents(storeOf, [room]);
  let store: Store;
  const s: Record<string, StoredEvent> = {};
  const state = (type: string, stateKey: string, content: Record<string, string>) =>
    r.append(room, { type, sender: alice, stateKey, content });
  before(async () => {
    store = storeOf();
    s.create = await state('m.room.create', '', { creator: alice });
    s.name1 = await state('m.room.name', '', { name: 'one' });
    s.topic = await state('m.room.topic', '', { topic: 't' });
    s.msg = await r.message(room, alice, 'not state');
    s.name2 = await state('m.room.name', '', { name: 'two' });
    s.custom = await state('x.custom', 'k', { v: 'keyed' });
    s.customEmpty = await state('x.custom', '', { v: 'empty key' });
  });

  it('current state: one event per (type, state key), the latest, in position order', async () => {
    assert.deepEqual(ids(await store.state.current(room)),
      [s.create, s.topic, s.name2, s.custom, s.customEmpty].map((e) => e!.event.event_id));
    assert.deepEqual(ids(await store.state.current(room, [['m.room.name', ''], ['x.custom', 'k'], ['m.room.missing', '']])),
      [s.name2!.event.event_id, s.custom!.event.event_id]);
    assert.deepEqual(ids(await store.state.current(room, [['m.room.topic', '']])), [s.topic!.event.event_id]);
    assert.deepEqual(await store.state.current(room, []), []);
    assert.deepEqual(await store.state.current('!none:hs' as RoomId), []);
  });

  it('the empty state key is a key of its own', async () => {
    assert.deepEqual((await store.state.currentEvent(room, 'x.custom', ''))!.event.content, { v: 'empty key' });
    assert.deepEqual((await store.state.currentEvent(room, 'x.custom', 'k'))!.event.content, { v: 'keyed' });
    assert.equal(await store.state.currentEvent(room, 'x.custom', 'other'), undefined);
    assert.equal(await store.state.currentEvent(room, 'm.room.message', ''), undefined);
  });

  it('a state event that replaces another carries what it replaced; the first of its key carries nothing', async () => {
    assert.equal(s.name1!.prevState, null);
    const expected = { replaces_state: s.name1!.event.event_id, prev_content: { name: 'one' }, prev_sender: alice };
    assert.deepEqual(s.name2!.prevState, expected);
    assert.deepEqual((await store.events.get(s.name2!.event.event_id))!.prevState, expected);
    assert.deepEqual((await store.state.currentEvent(room, 'm.room.name', ''))!.event.content, { name: 'two' });
    assert.equal((await store.events.get(s.msg!.event.event_id))!.prevState, null);
  });

  it('state at a position includes the event at that position and nothing later (the state as of an event)', async () => {
    assert.deepEqual(ids(await store.state.at(room, s.create!.pos)), [s.create!.event.event_id]);
    assert.deepEqual(ids(await store.state.at(room, s.name1!.pos)), [s.create!.event.event_id, s.name1!.event.event_id]);
    // A message does not move the state; the later name replaces the earlier from its own position on.
    assert.deepEqual(ids(await store.state.at(room, s.msg!.pos)), ids(await store.state.at(room, s.topic!.pos)));
    assert.deepEqual(ids(await store.state.at(room, s.msg!.pos, [['m.room.name', '']])), [s.name1!.event.event_id]);
    assert.deepEqual(ids(await store.state.at(room, s.name2!.pos, [['m.room.name', '']])), [s.name2!.event.event_id]);
    assert.deepEqual(ids(await store.state.at(room, s.customEmpty!.pos)), ids(await store.state.current(room)));
    assert.deepEqual(await store.state.at(room, s.create!.pos - 1), []);
    assert.deepEqual(await store.state.at(room, s.name2!.pos, []), []);
  });

  it('changes: the value in force at `from`, then each change in (from, to]', async () => {
    const changes = async (from: number, to: number) =>
      (await store.state.changes(room, 'm.room.name', '', from, to)).map((c) => [c.pos, c.event.event.event_id]);
    assert.deepEqual(await changes(s.topic!.pos, s.customEmpty!.pos),
      [[s.name1!.pos, s.name1!.event.event_id], [s.name2!.pos, s.name2!.event.event_id]]);
    assert.deepEqual(await changes(s.name2!.pos, s.customEmpty!.pos), [[s.name2!.pos, s.name2!.event.event_id]]);
    assert.deepEqual(await changes(s.topic!.pos, s.msg!.pos), [[s.name1!.pos, s.name1!.event.event_id]]);
    assert.deepEqual(await changes(0, s.create!.pos), []);
  });

  it('changedBetween: entries of the state at one position set after another', async () => {
    assert.deepEqual(ids(await store.state.changedBetween(room, s.msg!.pos, s.custom!.pos)),
      [s.name2!.event.event_id, s.custom!.event.event_id]);
    // An entry set and replaced again within the range shows its value at the end only.
    assert.deepEqual(ids(await store.state.changedBetween(room, s.create!.pos, s.name2!.pos)),
      [s.topic!.event.event_id, s.name2!.event.event_id]);
    assert.deepEqual(await store.state.changedBetween(room, s.customEmpty!.pos, s.customEmpty!.pos), []);
  });
}, describe);
