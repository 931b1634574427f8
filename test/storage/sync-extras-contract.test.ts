import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { emptyUserPushRules } from '../../src/core/push-rules/types.js';
import { ConflictError } from '../../src/storage/errors.js';
import type { ReceiptRecord, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const room1 = '!one:hs' as RoomId;
const room2 = '!two:hs' as RoomId;
const ev = (n: number) => `$event${n}` as EventId;

forEachBackend('Store contract: stream counters, account data, receipts, presence, filters, push rules', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('counters start at 0, count from 1, and are independent per stream', async () => {
    assert.equal(await store.counters.current('account_data'), 0);
    assert.equal(await store.counters.next('account_data'), 1);
    assert.equal(await store.counters.next('account_data'), 2);
    assert.equal(await store.counters.next('receipts'), 1);
    assert.equal(await store.counters.current('account_data'), 2);
    assert.equal(await store.counters.current('receipts'), 1);
    assert.equal(await store.counters.current('presence'), 0);
  });

  it('a rolled-back transaction gives its position back', async () => {
    const before = await store.counters.current('presence');
    await assert.rejects(store.transaction(async (tx) => {
      await tx.counters.next('presence');
      throw new Error('boom');
    }), /boom/);
    assert.equal(await store.counters.current('presence'), before);
  });

  it('concurrent increments never hand out the same position', async () => {
    const got = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.counters.next('filter_ids'))));
    assert.equal(new Set(got).size, 20);
    assert.equal(await store.counters.current('filter_ids'), Math.max(...got));
  });

  it('positions of one stream commit in order: a second writer waits for the first to commit', async () => {
    let releaseFirst!: () => void;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstTook!: () => void;
    const took = new Promise<void>((resolve) => (firstTook = resolve));
    const events: string[] = [];
    const first = store.transaction(async (tx) => {
      const pos = await tx.counters.next('account_data');
      await tx.accountData.put({ userId: '@order:hs' as UserId, roomId: '', type: 'x.first', content: {}, pos });
      firstTook();
      await held;
      events.push('first commits');
      return pos;
    });
    await took;
    const second = store.transaction(async (tx) => {
      const pos = await tx.counters.next('account_data');
      events.push('second has its position');
      return pos;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseFirst();
    const [p1, p2] = await Promise.all([first, second]);
    assert.equal(p2, p1 + 1);
    assert.deepEqual(events, ['first commits', 'second has its position']);
    const seen = await store.accountData.changedSince('@order:hs' as UserId, 0, await store.counters.current('account_data'));
    assert.deepEqual(seen.map((r) => r.type), ['x.first']);
  });

  it('account data: put replaces, get reads, changedSince follows positions', async () => {
    await store.accountData.put({ userId: alice, roomId: '', type: 'm.direct', content: { a: 1 }, pos: 10 });
    await store.accountData.put({ userId: alice, roomId: room1, type: 'm.tag', content: { tags: {} }, pos: 11 });
    await store.accountData.put({ userId: bob, roomId: '', type: 'm.direct', content: { b: 1 }, pos: 12 });
    assert.deepEqual(await store.accountData.get(alice, '', 'm.direct'), { a: 1 });
    assert.deepEqual(await store.accountData.get(alice, room1, 'm.tag'), { tags: {} });
    assert.equal(await store.accountData.get(alice, room1, 'm.direct'), undefined);
    assert.equal(await store.accountData.get(alice, '', 'm.tag'), undefined);
    // getMany: one (room, type) entry for many users; a user without one is absent.
    const carol = '@carol:hs' as UserId;
    assert.deepEqual(await store.accountData.getMany([alice, bob, carol], '', 'm.direct'), new Map([[alice, { a: 1 }], [bob, { b: 1 }]]));
    assert.deepEqual(await store.accountData.getMany([alice, bob], room1, 'm.tag'), new Map([[alice, { tags: {} }]]));
    assert.deepEqual(await store.accountData.getMany([], '', 'm.direct'), new Map());

    assert.deepEqual(await store.accountData.changedSince(alice, 0), [
      { roomId: '', type: 'm.direct', content: { a: 1 }, pos: 10 },
      { roomId: room1, type: 'm.tag', content: { tags: {} }, pos: 11 },
    ]);
    assert.deepEqual((await store.accountData.changedSince(alice, 10)).map((r) => r.type), ['m.tag']);
    assert.deepEqual(await store.accountData.changedSince(alice, 11), []);
    assert.deepEqual((await store.accountData.changedSince(alice, 0, 10)).map((r) => r.type), ['m.direct']);

    // A rewrite moves the entry to its new position; only its latest value is returned.
    await store.accountData.put({ userId: alice, roomId: '', type: 'm.direct', content: { a: 2 }, pos: 13 });
    assert.deepEqual(await store.accountData.changedSince(alice, 11), [{ roomId: '', type: 'm.direct', content: { a: 2 }, pos: 13 }]);
    assert.equal((await store.accountData.changedSince(alice, 0)).length, 2);
  });

  it('receipts: one per (room, user, type, thread), grouped by room in change feeds', async () => {
    const r = (o: Partial<ReceiptRecord> & { pos: number }): ReceiptRecord =>
      ({ roomId: room1, userId: alice, receiptType: 'm.read', threadId: null, eventId: ev(1), ts: 1000, ...o });
    await store.receipts.put(r({ pos: 1 }));
    await store.receipts.put(r({ userId: bob, eventId: ev(2), pos: 2 }));
    await store.receipts.put(r({ threadId: 'main', eventId: ev(3), pos: 3 }));
    await store.receipts.put(r({ receiptType: 'm.read.private', eventId: ev(4), pos: 4 }));
    await store.receipts.put(r({ roomId: room2, eventId: ev(5), pos: 5 }));

    assert.deepEqual(await store.receipts.get(room1, alice, 'm.read', null), r({ pos: 1 }));
    assert.equal((await store.receipts.get(room1, alice, 'm.read', 'main'))?.eventId, ev(3));
    assert.equal(await store.receipts.get(room1, alice, 'm.read', '$other'), undefined);
    assert.deepEqual((await store.receipts.latestFor(room1, alice)).map((x) => x.eventId), [ev(1), ev(3), ev(4)]);

    const all = await store.receipts.changedSince([room1, room2], 0);
    assert.deepEqual([...all.keys()].sort(), [room1, room2]);
    assert.deepEqual(all.get(room1)?.map((x) => x.pos), [1, 2, 3, 4]);
    assert.deepEqual(all.get(room2)?.map((x) => x.eventId), [ev(5)]);

    const later = await store.receipts.changedSince([room1, room2], 3);
    assert.deepEqual(later.get(room1)?.map((x) => x.pos), [4]);
    assert.deepEqual([...(await store.receipts.changedSince([room2], 0, 4)).keys()], []);
    assert.equal((await store.receipts.changedSince([], 0)).size, 0);

    // Moving a receipt replaces it and moves it to the new position.
    await store.receipts.put(r({ eventId: ev(6), ts: 2000, pos: 6 }));
    const moved = await store.receipts.changedSince([room1], 4);
    assert.deepEqual(moved.get(room1), [r({ eventId: ev(6), ts: 2000, pos: 6 })]);
    assert.equal((await store.receipts.latestFor(room1, alice)).length, 3);
  });

  it('receipts: change feeds over many rooms', async () => {
    const rooms = Array.from({ length: 1200 }, (_, i) => `!many${i}:hs` as RoomId);
    await store.transaction(async (tx) => {
      for (const [i, roomId] of rooms.entries()) {
        if (i % 100 === 0) await tx.receipts.put({ roomId, userId: alice, receiptType: 'm.read', threadId: null, eventId: ev(i), ts: 1, pos: 100 + i });
      }
    });
    const got = await store.receipts.changedSince(rooms, 0);
    assert.equal(got.size, 12);
  });

  it('presence: put, touch without a new position, change feed per user set', async () => {
    await store.presence.put({ userId: alice, presence: 'online', statusMsg: 'hi', lastActiveTs: 100, pos: 1 });
    await store.presence.put({ userId: bob, presence: 'unavailable', statusMsg: null, lastActiveTs: 200, pos: 2 });
    assert.deepEqual(await store.presence.get(alice), { userId: alice, presence: 'online', statusMsg: 'hi', lastActiveTs: 100, pos: 1 });
    assert.equal(await store.presence.get('@nobody:hs' as UserId), undefined);

    await store.presence.touch(alice, 150);
    assert.deepEqual(await store.presence.get(alice), { userId: alice, presence: 'online', statusMsg: 'hi', lastActiveTs: 150, pos: 1 });

    assert.deepEqual((await store.presence.changedSince([alice, bob], 0)).map((p) => p.userId), [alice, bob]);
    assert.deepEqual((await store.presence.changedSince([alice, bob], 1)).map((p) => p.userId), [bob]);
    assert.deepEqual((await store.presence.changedSince([alice], 1)), []);
    assert.deepEqual((await store.presence.changedSince([alice, bob], 0, 1)).map((p) => p.userId), [alice]);
    assert.deepEqual(await store.presence.changedSince([], 0), []);

    await store.presence.put({ userId: alice, presence: 'offline', statusMsg: null, lastActiveTs: 300, pos: 3 });
    assert.deepEqual(await store.presence.changedSince([alice, bob], 2), [{ userId: alice, presence: 'offline', statusMsg: null, lastActiveTs: 300, pos: 3 }]);
  });

  it('filters are kept per user as given; a taken ID is a ConflictError', async () => {
    const filter = { room: { timeline: { limit: 5 } }, 'org.example.custom': [1, 'x'] };
    await store.filters.create(alice, '1', filter);
    assert.deepEqual(await store.filters.get(alice, '1'), filter);
    assert.equal(await store.filters.get(bob, '1'), undefined);
    assert.equal(await store.filters.get(alice, '2'), undefined);
    await assert.rejects(store.filters.create(alice, '1', {}), ConflictError);
    await store.filters.create(bob, '1', {});
    assert.deepEqual(await store.filters.get(bob, '1'), {});
  });

  it('push rules round-trip and are replaced whole', async () => {
    assert.equal(await store.pushRules.get(alice), undefined);
    const rules = emptyUserPushRules();
    const withRule = { ...rules, rules: { ...rules.rules, room: [{ rule_id: room1, enabled: true, actions: ['notify'] }] } };
    await store.pushRules.put(alice, withRule);
    assert.deepEqual(await store.pushRules.get(alice), withRule);
    await store.pushRules.put(alice, rules);
    assert.deepEqual(await store.pushRules.get(alice), rules);
  });
}, describe);
