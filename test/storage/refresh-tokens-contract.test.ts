import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs' as UserId;

forEachBackend('Store contract: refresh and OpenID tokens', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(async () => {
    store = storeOf();
    await store.accounts.create({ userId: alice, passwordHash: null, isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 1 });
    for (const d of ['A', 'B', 'C']) await store.devices.upsert({ userId: alice, deviceId: d as DeviceId, displayName: null, createdTs: 1 });
  });

  it('takeRefresh resolves to the device once, retiring the access token issued with it', async () => {
    await store.tokens.create('access-A', alice, 'A' as DeviceId, 1, 100);
    await store.tokens.createRefresh('refresh-A', alice, 'A' as DeviceId, 'access-A', 1);
    assert.equal(await store.tokens.takeRefresh('refresh-unknown'), undefined);
    assert.deepEqual(await store.transaction((tx) => tx.tokens.takeRefresh('refresh-A')), { userId: alice, deviceId: 'A' });
    assert.equal(await store.tokens.lookup('access-A'), undefined);
    assert.equal(await store.tokens.takeRefresh('refresh-A'), undefined);
  });

  it('of two concurrent uses, only one gets the device', async () => {
    await store.tokens.create('access-A2', alice, 'A' as DeviceId, 1, 100);
    await store.tokens.createRefresh('refresh-A2', alice, 'A' as DeviceId, 'access-A2', 1);
    const both = await Promise.all([0, 1].map(() => store.transaction((tx) => tx.tokens.takeRefresh('refresh-A2'))));
    assert.equal(both.filter((r) => r !== undefined).length, 1);
  });

  it('refresh tokens die with their device (delete and deleteAll)', async () => {
    for (const d of ['A', 'B', 'C']) {
      await store.tokens.create(`access-${d}3`, alice, d as DeviceId, 1, 100);
      await store.tokens.createRefresh(`refresh-${d}3`, alice, d as DeviceId, `access-${d}3`, 1);
    }
    assert.equal(await store.devices.delete(alice, 'A' as DeviceId), true);
    assert.equal(await store.tokens.takeRefresh('refresh-A3'), undefined);
    await store.devices.deleteAll(alice, 'B' as DeviceId);
    assert.equal(await store.tokens.takeRefresh('refresh-C3'), undefined);
    assert.deepEqual(await store.tokens.takeRefresh('refresh-B3'), { userId: alice, deviceId: 'B' });
  });

  it('an OpenID token names its user until valid_until_ts; a new one deletes the user\'s expired ones', async () => {
    await store.tokens.createOpenId('oid-1', alice, 100, 0);
    assert.equal(await store.tokens.openIdUser('oid-1', 99), alice);
    assert.equal(await store.tokens.openIdUser('oid-1', 100), undefined);
    assert.equal(await store.tokens.openIdUser('oid-unknown', 0), undefined);
    await store.tokens.createOpenId('oid-2', alice, 300, 200);
    // Deleted, not merely expired: even asked "at" an earlier time it is gone.
    assert.equal(await store.tokens.openIdUser('oid-1', 0), undefined);
    assert.equal(await store.tokens.openIdUser('oid-2', 200), alice);
  });
}, describe);
