import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, UserId } from '../../src/core/ids.js';
import { ConflictError } from '../../src/storage/errors.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs' as UserId;
const dev = 'DEV1' as DeviceId;

forEachBackend('Store contract: accounts, devices, tokens, UIA', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('creates and reads an account; a second create is a ConflictError', async () => {
    await store.accounts.create({ userId: alice, passwordHash: 'h', isAdmin: false, deactivated: false, displayname: 'alice', avatarUrl: null, createdTs: 1700000000000 });
    const got = await store.accounts.get(alice);
    assert.deepEqual(got, { userId: alice, passwordHash: 'h', isAdmin: false, deactivated: false, displayname: 'alice', avatarUrl: null, createdTs: 1700000000000, erased: false, suspended: false, locked: false });
    await assert.rejects(
      store.accounts.create({ userId: alice, passwordHash: null, isAdmin: true, deactivated: false, displayname: null, avatarUrl: null, createdTs: 1 }),
      ConflictError,
    );
    assert.equal(await store.accounts.exists(alice), true);
    assert.equal(await store.accounts.exists('@bob:hs' as UserId), false);
    assert.equal(await store.accounts.count(), 1);
  });

  it('updates profile fields independently', async () => {
    await store.accounts.setProfile(alice, { avatarUrl: 'mxc://a/b' });
    await store.accounts.setProfile(alice, { displayname: 'Alice' });
    const got = await store.accounts.get(alice);
    assert.equal(got?.displayname, 'Alice');
    assert.equal(got?.avatarUrl, 'mxc://a/b');
  });

  it('tokens resolve to their owner and die with their device', async () => {
    await store.devices.upsert({ userId: alice, deviceId: dev, displayName: 'phone', createdTs: 5 });
    await store.devices.upsert({ userId: alice, deviceId: dev, displayName: 'ignored', createdTs: 6 });
    assert.equal((await store.devices.get(alice, dev))?.displayName, 'phone');
    await store.tokens.create('hash-1', alice, dev, 7);
    assert.deepEqual(await store.tokens.lookup('hash-1'), { userId: alice, deviceId: dev, isAdmin: false, deactivated: false, locked: false, suspended: false, validUntilTs: null });
    assert.equal(await store.tokens.lookup('hash-2'), undefined);
    assert.equal(await store.devices.delete(alice, dev), true);
    assert.equal(await store.tokens.lookup('hash-1'), undefined);
    assert.equal(await store.devices.delete(alice, dev), false);
  });

  it('deleteAll keeps the named device', async () => {
    for (const d of ['A', 'B', 'C']) {
      await store.devices.upsert({ userId: alice, deviceId: d as DeviceId, displayName: null, createdTs: 1 });
      await store.tokens.create(`t-${d}`, alice, d as DeviceId, 1);
    }
    await store.devices.deleteAll(alice, 'B' as DeviceId);
    assert.deepEqual((await store.devices.list(alice)).map((d) => d.deviceId), ['B']);
    assert.ok(await store.tokens.lookup('t-B'));
    assert.equal(await store.tokens.lookup('t-A'), undefined);
  });

  it('a failed transaction leaves nothing behind', async () => {
    await assert.rejects(store.transaction(async (tx) => {
      await tx.devices.upsert({ userId: alice, deviceId: 'TX' as DeviceId, displayName: null, createdTs: 1 });
      throw new Error('boom');
    }), /boom/);
    assert.equal(await store.devices.get(alice, 'TX' as DeviceId), undefined);
  });

  it('concurrent transactions: each commits or rolls back on its own (group commit on SQLite)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => store.transaction(async (tx) => {
      await tx.devices.upsert({ userId: alice, deviceId: `GC${i}` as DeviceId, displayName: null, createdTs: i });
      if (i % 10 === 3) throw new Error(`job ${i} fails`);
      return i;
    })));
    assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
    const ids = (await store.devices.list(alice)).map((d) => d.deviceId).filter((d) => d.startsWith('GC'));
    assert.equal(ids.length, 36);
    assert.ok(!ids.includes('GC3' as DeviceId) && ids.includes('GC4' as DeviceId));
  });

  it('UIA sessions store completed stages and expire', async () => {
    await store.uia.create({ sessionId: 's1', purpose: 'register', userId: null, completed: [], createdTs: 100 });
    await store.uia.setCompleted('s1', ['m.login.dummy']);
    assert.deepEqual((await store.uia.get('s1'))?.completed, ['m.login.dummy']);
    await store.uia.deleteOlderThan(101);
    assert.equal(await store.uia.get('s1'), undefined);
  });

  it('timestamps beyond 32 bits round-trip as numbers', async () => {
    await store.devices.touch(alice, 'B' as DeviceId, 1_795_000_000_123, '127.0.0.1');
    const d = await store.devices.get(alice, 'B' as DeviceId);
    assert.equal(d?.lastSeenTs, 1_795_000_000_123);
    assert.equal(typeof d?.lastSeenTs, 'number');
  });
}, describe);
