import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { BackedUpKey, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const r1 = '!r1:hs' as RoomId;
const r2 = '!r2:hs' as RoomId;
const k = (roomId: RoomId, sessionId: string, tag: string, firstMessageIndex = 0): BackedUpKey =>
  ({ roomId, sessionId, firstMessageIndex, forwardedCount: 1, isVerified: true, sessionData: { tag } });

forEachBackend('Store contract: key backups', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('versions: numbered per user, never reused; the current one is the highest not deleted; a second delete is "already"', async () => {
    const kb = store.e2ee.keyBackups;
    assert.equal(await store.transaction(async (tx) => {
      await tx.e2ee.keyBackups.lock(alice);
      return tx.e2ee.keyBackups.createVersion(alice, 'alg', { a: 1 });
    }), 1);
    assert.equal(await kb.createVersion(alice, 'alg', { a: 2 }), 2);
    assert.equal(await kb.createVersion(bob, 'alg', { b: 1 }), 1);
    assert.deepEqual(await kb.getVersion(alice), { version: 2, algorithm: 'alg', authData: { a: 2 }, etag: 0, count: 0 });
    assert.equal(await kb.setAuthData(alice, 1, { a: 3 }), true);
    assert.deepEqual((await kb.getVersion(alice, 1))?.authData, { a: 3 });
    assert.equal(await kb.deleteVersion(alice, 2), 'deleted');
    assert.equal(await kb.deleteVersion(alice, 2), 'already');
    assert.equal(await kb.deleteVersion(alice, 9), 'unknown');
    assert.equal(await kb.setAuthData(alice, 2, { a: 4 }), false);
    assert.equal(await kb.getVersion(alice, 2), undefined);
    assert.equal((await kb.getVersion(alice))?.version, 1);
    assert.equal(await kb.createVersion(alice, 'alg', {}), 3);
    assert.deepEqual((await kb.getVersion(bob))?.authData, { b: 1 });
  });

  it('keys: saved, found, listed by scope, replaced and deleted, with etag and count kept in step', async () => {
    const kb = store.e2ee.keyBackups;
    const v = await kb.createVersion(alice, 'alg', {});
    assert.deepEqual(await kb.saveKeys(alice, v, [k(r1, 'a', 'a'), k(r1, 'b', 'b'), k(r2, 'a', 'c')], []), { etag: 1, count: 3 });
    assert.deepEqual(await kb.saveKeys(alice, v, [], []), { etag: 1, count: 3 });
    assert.deepEqual(await kb.find(alice, v, [{ roomId: r2, sessionId: 'a' }, { roomId: r2, sessionId: 'b' }]), [k(r2, 'a', 'c')]);
    assert.deepEqual(await kb.saveKeys(alice, v, [], [k(r1, 'a', 'a2', 5)]), { etag: 2, count: 3 });
    assert.deepEqual(await kb.keys(alice, v), [k(r1, 'a', 'a2', 5), k(r1, 'b', 'b'), k(r2, 'a', 'c')]);
    assert.deepEqual(await kb.keys(alice, v, { roomId: r1, sessionId: 'b' }), [k(r1, 'b', 'b')]);
    assert.deepEqual(await kb.keys(alice, v, { roomId: r2 }), [k(r2, 'a', 'c')]);
    assert.deepEqual(await kb.keys(bob, v), []);
    assert.deepEqual(await kb.deleteKeys(alice, v, { roomId: r2, sessionId: 'zz' }), { etag: 2, count: 3 });
    assert.deepEqual(await kb.deleteKeys(alice, v, { roomId: r1 }), { etag: 3, count: 1 });
    assert.deepEqual(await kb.getVersion(alice, v), { version: v, algorithm: 'alg', authData: {}, etag: 3, count: 1 });
    assert.equal(await kb.deleteVersion(alice, v), 'deleted');
    assert.deepEqual(await kb.keys(alice, v), [], 'a deleted version keeps no keys');
  });

  it('deleteAll removes every version and key of the user, and only of that user', async () => {
    const kb = store.e2ee.keyBackups;
    const v = await kb.createVersion(bob, 'alg', {});
    await kb.saveKeys(bob, v, [k(r1, 's', 'x')], []);
    const other = await kb.createVersion(alice, 'alg', {});
    await kb.saveKeys(alice, other, [k(r1, 's', 'y')], []);
    await kb.deleteAll(bob);
    assert.equal(await kb.getVersion(bob), undefined);
    assert.deepEqual(await kb.keys(bob, v), []);
    assert.equal(await kb.createVersion(bob, 'alg', {}), 1, 'nothing of the user is left, not even the numbering');
    assert.deepEqual(await kb.keys(alice, other), [k(r1, 's', 'y')]);
  });
}, describe);
