import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const d1 = 'D1' as DeviceId;
const d2 = 'D2' as DeviceId;

forEachBackend('Store contract: end-to-end keys, to-device inbox, device-list changes', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(async () => {
    store = storeOf();
    for (const userId of [alice, bob]) {
      await store.accounts.create({ userId, passwordHash: null, isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 1 });
    }
  });
  it('device keys: put replaces; listed only for existing devices, with display names', async () => {
    await store.devices.upsert({ userId: alice, deviceId: d1, displayName: 'laptop', createdTs: 1 });
    await store.e2ee.deviceKeys.put(alice, d1, { v: 1 });
    await store.e2ee.deviceKeys.put(alice, d1, { v: 2 });
    await store.e2ee.deviceKeys.put(alice, d2, { v: 3 });
    assert.deepEqual(await store.e2ee.deviceKeys.get(alice, d1), { v: 2 });
    assert.deepEqual(await store.e2ee.deviceKeys.ofUsers([alice, bob]), [{ userId: alice, deviceId: d1, keys: { v: 2 }, displayName: 'laptop' }]);
    assert.deepEqual((await store.e2ee.deviceKeys.deviceIdsWithKeys(alice)).sort(), [d1, d2]);
  });

  it('one-time keys: counted per algorithm, claimed oldest first and once', async () => {
    await store.e2ee.oneTimeKeys.add(bob, d1, [{ algorithm: 'a', keyId: 'k1', value: 'one' }, { algorithm: 'b', keyId: 'k1', value: { key: 'x' } }]);
    await store.e2ee.oneTimeKeys.add(bob, d1, [{ algorithm: 'a', keyId: 'k2', value: 'two' }]);
    assert.deepEqual(await store.e2ee.oneTimeKeys.counts(bob, d1), { a: 2, b: 1 });
    assert.deepEqual(await store.e2ee.oneTimeKeys.find(bob, d1, [{ algorithm: 'b', keyId: 'k1' }, { algorithm: 'c', keyId: 'k1' }]), [{ algorithm: 'b', keyId: 'k1', value: { key: 'x' } }]);
    assert.deepEqual(await store.e2ee.oneTimeKeys.claim(bob, d1, 'a'), { algorithm: 'a', keyId: 'k1', value: 'one' });
    assert.deepEqual(await store.e2ee.oneTimeKeys.claim(bob, d1, 'a'), { algorithm: 'a', keyId: 'k2', value: 'two' });
    assert.equal(await store.e2ee.oneTimeKeys.claim(bob, d1, 'a'), undefined);
    assert.deepEqual(await store.e2ee.oneTimeKeys.counts(bob, d1), { b: 1 });
  });

  it('fallback keys: one per algorithm, marked used when claimed, unmarked only by a different key', async () => {
    const key = { algorithm: 'a', keyId: 'f1', value: 'fb' };
    await store.e2ee.fallbackKeys.put(bob, d1, key);
    assert.deepEqual(await store.e2ee.fallbackKeys.unusedAlgorithms(bob, d1), ['a']);
    assert.deepEqual(await store.e2ee.fallbackKeys.claim(bob, d1, 'a'), key);
    assert.deepEqual(await store.e2ee.fallbackKeys.claim(bob, d1, 'a'), key);
    assert.deepEqual(await store.e2ee.fallbackKeys.unusedAlgorithms(bob, d1), []);
    await store.e2ee.fallbackKeys.put(bob, d1, key);
    assert.deepEqual(await store.e2ee.fallbackKeys.unusedAlgorithms(bob, d1), []);
    await store.e2ee.fallbackKeys.put(bob, d1, { ...key, keyId: 'f2' });
    assert.deepEqual(await store.e2ee.fallbackKeys.unusedAlgorithms(bob, d1), ['a']);
    assert.equal(await store.e2ee.fallbackKeys.claim(bob, d1, 'other'), undefined);
  });

  it('cross-signing keys: one per user and type', async () => {
    await store.e2ee.crossSigning.put(alice, 'master', { m: 1 });
    await store.e2ee.crossSigning.put(alice, 'master', { m: 2 });
    await store.e2ee.crossSigning.put(alice, 'user_signing', { u: 1 });
    assert.deepEqual(await store.e2ee.crossSigning.get(alice, 'master'), { m: 2 });
    assert.deepEqual(await store.e2ee.crossSigning.ofUsers([alice, bob], ['master', 'self_signing']), [{ userId: alice, type: 'master', key: { m: 2 } }]);
  });

  it('to-device: transaction IDs once per device, messages in order within (after, upTo], deleted through a position', async () => {
    assert.equal(await store.e2ee.toDevice.claimTxn(alice, d1, 'txn', 1), true);
    assert.equal(await store.e2ee.toDevice.claimTxn(alice, d1, 'txn', 2), false);
    assert.equal(await store.e2ee.toDevice.claimTxn(alice, d2, 'txn', 2), true);
    await store.e2ee.toDevice.add(1, alice, 't', [{ userId: bob, deviceId: d1, content: { n: 1 } }, { userId: bob, deviceId: d2, content: { n: 1 } }], 1);
    await store.e2ee.toDevice.add(2, alice, 't', [{ userId: bob, deviceId: d1, content: { n: 2 } }], 1);
    await store.e2ee.toDevice.add(3, alice, 't', [{ userId: bob, deviceId: d1, content: { n: 3 } }], 1);
    const contents = async (after: number, upTo: number, limit = 10) => (await store.e2ee.toDevice.pending(bob, d1, after, upTo, limit)).map((m) => m.content.n);
    assert.deepEqual(await contents(0, 3), [1, 2, 3]);
    assert.deepEqual(await contents(0, 2), [1, 2]);
    assert.deepEqual(await contents(1, 3, 1), [2]);
    await store.e2ee.toDevice.deleteThrough(bob, d1, 2);
    assert.deepEqual(await contents(0, 3), [3]);
    assert.equal((await store.e2ee.toDevice.pending(bob, d2, 0, 3, 10)).length, 1, "another device's inbox is its own");
  });

  it('deleting a device takes its keys, inbox and transaction IDs with it', async () => {
    await store.devices.upsert({ userId: bob, deviceId: d1, displayName: null, createdTs: 1 });
    await store.devices.upsert({ userId: bob, deviceId: d2, displayName: null, createdTs: 1 });
    await store.e2ee.deviceKeys.put(bob, d1, { k: 1 });
    await store.e2ee.deviceKeys.put(bob, d2, { k: 2 });
    await store.e2ee.oneTimeKeys.add(bob, d2, [{ algorithm: 'a', keyId: 'z', value: 'z' }]);
    assert.equal(await store.devices.delete(bob, d1), true);
    assert.deepEqual(await store.e2ee.deviceKeys.deviceIdsWithKeys(bob), [d2]);
    assert.equal((await store.e2ee.toDevice.pending(bob, d1, 0, 10, 10)).length, 0);
    await store.devices.deleteAll(bob);
    assert.deepEqual(await store.e2ee.deviceKeys.deviceIdsWithKeys(bob), []);
    assert.deepEqual(await store.e2ee.oneTimeKeys.counts(bob, d2), {});
    assert.deepEqual(await store.e2ee.fallbackKeys.unusedAlgorithms(bob, d1), []);
    assert.equal((await store.e2ee.toDevice.pending(bob, d2, 0, 10, 10)).length, 0);
  });

  it('device-list changes: the latest position per user, read over a range', async () => {
    await store.e2ee.deviceLists.markChanged(alice, 1);
    await store.e2ee.deviceLists.markChanged(bob, 2);
    await store.e2ee.deviceLists.markChanged(alice, 3);
    assert.deepEqual(await store.e2ee.deviceLists.changedBetween(0, 3), [bob, alice]);
    assert.deepEqual(await store.e2ee.deviceLists.changedBetween(2, 3), [alice]);
    assert.deepEqual(await store.e2ee.deviceLists.changedBetween(0, 2), [bob]);
    assert.deepEqual(await store.e2ee.deviceLists.sharingRoomWith(alice), new Set());
  });
}, describe);
