import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

/** The Store methods the per-user quotas count with, and the bounded account data read of /sync. */

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const room = '!one:hs' as RoomId;
const dev = 'DEV' as DeviceId;

forEachBackend('Store contract: quota counts', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('account data: usage counts entries and UTF-8 bytes of content per user, leaving out the named types; size reads one entry', async () => {
    await store.accountData.put({ userId: alice, roomId: '', type: 'x.a', content: { s: 'é' }, pos: 1 });
    await store.accountData.put({ userId: alice, roomId: room, type: 'x.b', content: {}, pos: 2 });
    await store.accountData.put({ userId: alice, roomId: room, type: 'm.fully_read', content: { event_id: '$e' }, pos: 3 });
    await store.accountData.put({ userId: bob, roomId: '', type: 'x.a', content: { big: 'x'.repeat(100) }, pos: 4 });
    const a = Buffer.byteLength('{"s":"é"}');
    assert.deepEqual(await store.accountData.usage(alice, ['m.fully_read']), { entries: 2, bytes: a + 2 });
    assert.equal((await store.accountData.usage(alice, [])).entries, 3);
    assert.equal(await store.accountData.size(alice, '', 'x.a'), a);
    assert.equal(await store.accountData.size(alice, '', 'x.b'), undefined);
    await store.accountData.put({ userId: alice, roomId: '', type: 'x.a', content: {}, pos: 5 });
    assert.deepEqual(await store.accountData.usage(alice, ['m.fully_read']), { entries: 2, bytes: 4 });
  });

  it('account data: changesWithin stops at the entry or byte limit (the first entry always comes) and says how far it got', async () => {
    const u = '@within:hs' as UserId;
    for (let i = 1; i <= 5; i++) await store.accountData.put({ userId: u, roomId: '', type: `x.${i}`, content: { p: 'y'.repeat(i === 1 ? 200 : 10) }, pos: 100 + i });
    const types = (r: { entries: Array<{ type: string }>; through: number }) => [r.entries.map((e) => e.type), r.through];
    assert.deepEqual(types(await store.accountData.changesWithin(u, 0, 200, { entries: 10, bytes: 10_000 })), [['x.1', 'x.2', 'x.3', 'x.4', 'x.5'], 200]);
    assert.deepEqual(types(await store.accountData.changesWithin(u, 0, 200, { entries: 2, bytes: 10_000 })), [['x.1', 'x.2'], 102]);
    assert.deepEqual(types(await store.accountData.changesWithin(u, 0, 200, { entries: 10, bytes: 50 })), [['x.1'], 101]);
    assert.deepEqual(types(await store.accountData.changesWithin(u, 101, 200, { entries: 10, bytes: 40 })), [['x.2', 'x.3'], 103]);
    assert.deepEqual(types(await store.accountData.changesWithin(u, 105, 200, { entries: 1, bytes: 1 })), [[], 200]);
  });

  it('filters: trim deletes the oldest (numerically lowest IDs) down to the number kept', async () => {
    for (const id of ['9', '10', '11', '100']) await store.filters.create(alice, id, { id });
    assert.equal(await store.filters.trim(alice, 2), 2);
    assert.deepEqual(await Promise.all(['9', '10', '11', '100'].map(async (id) => (await store.filters.get(alice, id)) !== undefined)), [false, false, true, true]);
    assert.equal(await store.filters.trim(alice, 2), 0);
  });

  it('devices are counted per user; fallback key algorithms are listed used or not', async () => {
    await store.accounts.create({ userId: alice, passwordHash: null, isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 0 });
    for (const d of ['D1', 'D2']) await store.devices.upsert({ userId: alice, deviceId: d as DeviceId, displayName: null, createdTs: 0 });
    assert.equal(await store.devices.count(alice), 2);
    assert.equal(await store.devices.count(bob), 0);
    await store.e2ee.fallbackKeys.put(alice, dev, { algorithm: 'b_alg', keyId: 'K', value: 'v' });
    await store.e2ee.fallbackKeys.put(alice, dev, { algorithm: 'a_alg', keyId: 'K', value: 'v' });
    await store.e2ee.fallbackKeys.claim(alice, dev, 'a_alg');
    assert.deepEqual(await store.e2ee.fallbackKeys.algorithms(alice, dev), ['a_alg', 'b_alg']);
  });

  it('the quota lock holds a second transaction of the same user until the first ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let tookFirst!: () => void;
    const firstTook = new Promise<void>((resolve) => (tookFirst = resolve));
    const order: string[] = [];
    const first = store.transaction(async (tx) => {
      await tx.accounts.lock(alice);
      tookFirst();
      await held;
      order.push('first done');
    });
    await firstTook;
    const second = store.transaction(async (tx) => {
      await tx.accounts.lock(alice);
      order.push('second locked');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('released');
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['released', 'first done', 'second locked']);
  });
}, describe);
