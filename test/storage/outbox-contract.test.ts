// The federation outbox: work that must reach another server, kept on disk until delivered.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

forEachBackend('Store contract: federation outbox', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });
  const item = (key: string, createdTs: number, payload = {}) =>
    ({ kind: 'test', supersedeKey: key, destinations: ['a.test', 'b.test:8448'], payload, createdTs });

  it('an enqueued item reads back whole and is due from its creation', async () => {
    const id = await store.outbox.enqueue(item('k1', 1_900_000_000_000, { reason: 'é', n: 1 }));
    assert.deepEqual(await store.outbox.get('k1'), {
      id, kind: 'test', supersedeKey: 'k1', destinations: ['a.test', 'b.test:8448'], payload: { reason: 'é', n: 1 },
      attempts: 0, nextAttemptTs: 1_900_000_000_000, lastError: null, createdTs: 1_900_000_000_000,
    });
    assert.equal(await store.outbox.nextDueTs(), 1_900_000_000_000);
    assert.equal(await store.outbox.remove(id), true);
    assert.equal(await store.outbox.nextDueTs(), undefined);
  });

  it('a newer item with the same key replaces the older one, under a new id', async () => {
    const older = await store.outbox.enqueue(item('k2', 10, { v: 1 }));
    const newer = await store.outbox.enqueue(item('k2', 20, { v: 2 }));
    assert.notEqual(newer, older);
    assert.equal(await store.outbox.count(), 1);
    assert.deepEqual((await store.outbox.get('k2'))?.payload, { v: 2 });
    // The worker that held the older item cannot remove or reschedule the newer one.
    assert.equal(await store.outbox.remove(older), false);
    await store.outbox.reschedule(older, 99, 'late');
    assert.deepEqual(await store.outbox.get('k2'), { ...(await store.outbox.get('k2'))!, attempts: 0, nextAttemptTs: 20, lastError: null });
    assert.equal(await store.outbox.cancel('k2'), true);
    assert.equal(await store.outbox.cancel('k2'), false);
    assert.equal(await store.outbox.count(), 0);
  });

  it('claims take due items earliest first and lease them; a failed attempt is counted and rescheduled', async () => {
    await store.outbox.enqueue(item('late', 300));
    await store.outbox.enqueue(item('early', 100));
    await store.outbox.enqueue(item('mid', 200));
    const first = await store.outbox.claimDue(250, 1000, 10);
    assert.deepEqual(first.map((i) => i.supersedeKey), ['early', 'mid']);
    assert.deepEqual(first.map((i) => i.nextAttemptTs), [1000, 1000]);
    // Leased: a second claimer before the lease ends gets only what is newly due.
    assert.deepEqual((await store.outbox.claimDue(400, 1000, 10)).map((i) => i.supersedeKey), ['late']);
    assert.deepEqual(await store.outbox.claimDue(999, 2000, 10), []);
    await store.outbox.reschedule(first[0]!.id, 5000, 'refused by a.test');
    const early = await store.outbox.get('early');
    assert.deepEqual([early?.attempts, early?.nextAttemptTs, early?.lastError], [1, 5000, 'refused by a.test']);
    // The leases ended: the crashed worker's items are due again (not the rescheduled one).
    assert.equal(await store.outbox.nextDueTs(), 1000);
    assert.deepEqual((await store.outbox.claimDue(1000, 3000, 10)).map((i) => i.supersedeKey), ['mid', 'late']);
    assert.equal(await store.outbox.nextDueTs(), 3000);
    for (const key of ['early', 'mid', 'late']) await store.outbox.cancel(key);
  });

  it('an enqueue rolled back with its transaction leaves nothing', async () => {
    await assert.rejects(store.transaction(async (tx) => {
      await tx.outbox.enqueue(item('rolled', 1));
      throw new Error('abort');
    }), /abort/);
    assert.equal(await store.outbox.get('rolled'), undefined);
    await store.transaction((tx) => tx.outbox.enqueue(item('kept', 1)));
    assert.equal((await store.outbox.get('kept'))?.kind, 'test');
  });
}, describe);
