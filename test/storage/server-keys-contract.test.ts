// The key ring's persistent cache: other servers' verified keys by (server, key ID).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

forEachBackend('Store contract: server keys', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('stores keys per server and reads them back with their validity (beyond 32 bits)', async () => {
    await store.serverKeys.put('a.test', { 'ed25519:1': { key: 'K1', validUntilTs: 1_900_000_000_000 }, 'ed25519:old': { key: 'K0', validUntilTs: 5 } });
    await store.serverKeys.put('b.test', { 'ed25519:1': { key: 'B1', validUntilTs: 7 } });
    assert.deepEqual({ ...(await store.serverKeys.get('a.test')) }, {
      'ed25519:1': { key: 'K1', validUntilTs: 1_900_000_000_000 },
      'ed25519:old': { key: 'K0', validUntilTs: 5 },
    });
    assert.deepEqual({ ...(await store.serverKeys.get('b.test')) }, { 'ed25519:1': { key: 'B1', validUntilTs: 7 } });
    assert.deepEqual({ ...(await store.serverKeys.get('unknown.test')) }, {});
  });

  it('a later answer replaces keys with the same ID and keeps the others', async () => {
    await store.serverKeys.put('c.test', { 'ed25519:1': { key: 'C1', validUntilTs: 10 }, 'ed25519:2': { key: 'C2', validUntilTs: 10 } });
    await store.serverKeys.put('c.test', { 'ed25519:1': { key: 'C1', validUntilTs: 20 } });
    await store.serverKeys.put('c.test', {});
    assert.deepEqual({ ...(await store.serverKeys.get('c.test')) }, {
      'ed25519:1': { key: 'C1', validUntilTs: 20 },
      'ed25519:2': { key: 'C2', validUntilTs: 10 },
    });
  });

  it('a key ID like __proto__ is a plain key', async () => {
    await store.serverKeys.put('d.test', JSON.parse('{"__proto__": {"key": "P", "validUntilTs": 1}}') as Record<string, { key: string; validUntilTs: number }>);
    const keys = await store.serverKeys.get('d.test');
    assert.deepEqual(Object.keys(keys), ['__proto__']);
    assert.equal(keys['__proto__']?.key, 'P');
  });
}, describe);
