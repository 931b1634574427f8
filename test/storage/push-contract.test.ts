// Pushers and notifications (migration 018): per user + app ID + pushkey, owned by a device;
// notification rows with `read` following receipts, forgotten rooms hidden, unread counts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, RoomId, UserId } from '../../src/core/ids.js';
import type { NewPusher, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const pusher = (userId: UserId, pushkey: string, deviceId = 'D1'): NewPusher => ({
  userId, appId: 'app', pushkey, deviceId: deviceId as DeviceId, kind: 'http', appDisplayName: 'App', deviceDisplayName: 'Phone',
  profileTag: null, lang: 'en', data: { url: 'https://gw.test/_matrix/push/v1/notify', extra: 'é' }, pushkeyTs: 5,
});

forEachBackend('Store contract: pushers', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(async () => {
    store = storeOf();
    for (const u of [alice, bob]) await store.accounts.create({ userId: u, passwordHash: null, isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 1 });
    for (const [u, d] of [[alice, 'D1'], [alice, 'D2'], [bob, 'D1']] as const) {
      await store.devices.upsert({ userId: u, deviceId: d as DeviceId, displayName: null, createdTs: 1 });
    }
  });

  it('set creates one pusher per (user, app, pushkey), a second set replaces its fields but keeps its position', async () => {
    await store.pushers.set(pusher(alice, 'k1'), { append: false, fromPos: 7 });
    await store.pushers.set({ ...pusher(alice, 'k1'), lang: 'fr' }, { append: false, fromPos: 99 });
    assert.deepEqual(await store.pushers.list(alice), [{ ...pusher(alice, 'k1'), lang: 'fr', deliveredPos: 7, failures: 0, nextAttemptTs: 0 }]);
  });

  it('append false removes other users\' pushers with the same app ID and pushkey; append true keeps them', async () => {
    await store.pushers.set(pusher(bob, 'k1'), { append: true, fromPos: 0 });
    assert.equal((await store.pushers.list(alice)).length, 1);
    await store.pushers.set(pusher(bob, 'k1'), { append: false, fromPos: 0 });
    assert.deepEqual(await store.pushers.list(alice), []);
    assert.equal((await store.pushers.list(bob)).length, 1);
  });

  it('advance and fail move the delivery state; delete removes by pushkey', async () => {
    const key = { userId: bob, appId: 'app', pushkey: 'k1' };
    await store.pushers.fail(key, 500);
    await store.pushers.fail(key, 900);
    assert.deepEqual((await store.pushers.list(bob)).map((p) => [p.failures, p.nextAttemptTs]), [[2, 900]]);
    await store.pushers.advance(key, 42);
    assert.deepEqual((await store.pushers.list(bob)).map((p) => [p.deliveredPos, p.failures, p.nextAttemptTs]), [[42, 0, 0]]);
    assert.equal(await store.pushers.delete('app', ['k1', 'other'], alice), 0);
    assert.equal(await store.pushers.delete('app', ['k1', 'other'], bob), 1);
    assert.deepEqual(await store.pushers.list(bob), []);
  });

  it('deleting a device deletes its pushers; deleteAll keeps only the kept device\'s', async () => {
    await store.pushers.set(pusher(alice, 'a1', 'D1'), { append: true, fromPos: 0 });
    await store.pushers.set(pusher(alice, 'a2', 'D2'), { append: true, fromPos: 0 });
    await store.devices.delete(alice, 'D2' as DeviceId);
    assert.deepEqual((await store.pushers.list(alice)).map((p) => p.pushkey), ['a1']);
    await store.pushers.set(pusher(alice, 'a3', 'D3'), { append: true, fromPos: 0 });
    await store.devices.deleteAll(alice, 'D1' as DeviceId);
    assert.deepEqual((await store.pushers.list(alice)).map((p) => p.pushkey), ['a1']);
    await store.devices.deleteAll(alice);
    assert.deepEqual(await store.pushers.list(alice), []);
  });
}, describe);

forEachBackend('Store contract: notifications', (backend) => {
  const storeOf = useFreshStore(backend);
  const room = '!r:hs' as RoomId;
  const other = '!o:hs' as RoomId;
  const r = roomEvents(storeOf, [room, other]);
  let store: Store;
  const positions: number[] = [];
  before(async () => {
    store = storeOf();
    await r.member(room, alice, 'join');
    await r.member(other, alice, 'join');
    for (const roomId of [room, other, room]) {
      const e = await r.message(roomId, bob, 'hi');
      positions.push(e.pos);
      await store.notifications.add([{ userId: alice, roomId, eventId: e.event.event_id, pos: e.pos, highlight: roomId === other, actions: ['notify'], ts: e.pos }]);
    }
  });

  it('lists newest first with read following m.read receipts; only highlights on request; pages before a position', async () => {
    const [p1, p2, p3] = positions as [number, number, number];
    assert.deepEqual((await store.notifications.list(alice, { limit: 10, onlyHighlight: false })).map((n) => [n.pos, n.read]), [[p3, false], [p2, false], [p1, false]]);
    assert.equal(await store.notifications.unreadCount(alice), 3);
    const first = (await store.notifications.after(alice, 0, 1))[0]!;
    assert.deepEqual(first, { userId: alice, roomId: room, eventId: first.eventId, pos: p1, highlight: false, actions: ['notify'], ts: p1 });
    await store.receipts.put({ roomId: room, userId: alice, receiptType: 'm.read', threadId: null, eventId: first.eventId, ts: 1, pos: 1 });
    assert.deepEqual((await store.notifications.list(alice, { limit: 10, onlyHighlight: false })).map((n) => [n.pos, n.read]), [[p3, false], [p2, false], [p1, true]]);
    assert.equal(await store.notifications.unreadCount(alice), 2);
    assert.deepEqual((await store.notifications.list(alice, { limit: 10, onlyHighlight: true })).map((n) => n.pos), [p2]);
    assert.deepEqual((await store.notifications.list(alice, { limit: 1, beforePos: p3, onlyHighlight: false })).map((n) => n.pos), [p2]);
    assert.deepEqual((await store.notifications.after(alice, p1, 10)).map((n) => n.pos), [p2, p3]);
  });

  it('adding a row twice keeps one; a forgotten room\'s notifications are not listed and a left room\'s not counted', async () => {
    const again = (await store.notifications.after(alice, 0, 1))[0]!;
    await store.notifications.add([again]);
    assert.equal((await store.notifications.list(alice, { limit: 10, onlyHighlight: false })).length, 3);
    await r.member(other, alice, 'leave');
    assert.equal(await store.notifications.unreadCount(alice), 1);
    await store.memberships.setForgotten(other, alice, 5);
    assert.deepEqual((await store.notifications.list(alice, { limit: 10, onlyHighlight: false })).map((n) => n.roomId), [room, room]);
  });

  it('the evaluation progress starts at 0 and moves where set', async () => {
    assert.equal(await store.notifications.progress(), 0);
    await store.notifications.setProgress(12);
    await store.notifications.setProgress(15);
    assert.equal(await store.notifications.progress(), 15);
  });
}, describe);
