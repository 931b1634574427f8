// Registration tokens created through the admin API (migration 019): stored, changed, deleted; uses
// reserved in one statement so that concurrent registrations never take more than allowed.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConflictError } from '../../src/storage/errors.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

forEachBackend('Store contract: registration tokens', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('creates (a second create is a ConflictError), reads, lists in token order, updates given fields, deletes', async () => {
    const tokens = store.registrationTokens;
    await tokens.create({ token: 'b', usesAllowed: 3, expiryTime: 500 });
    await tokens.create({ token: 'a', usesAllowed: null, expiryTime: null });
    await assert.rejects(tokens.create({ token: 'a', usesAllowed: 1, expiryTime: null }), ConflictError);
    assert.deepEqual(await tokens.get('b'), { token: 'b', usesAllowed: 3, pending: 0, completed: 0, expiryTime: 500 });
    assert.equal(await tokens.get('c'), undefined);
    assert.deepEqual((await tokens.list()).map((t) => t.token), ['a', 'b']);
    assert.deepEqual(await tokens.update('b', { expiryTime: null }), { token: 'b', usesAllowed: 3, pending: 0, completed: 0, expiryTime: null });
    assert.deepEqual(await tokens.update('b', { usesAllowed: null }), { token: 'b', usesAllowed: null, pending: 0, completed: 0, expiryTime: null });
    assert.equal(await tokens.update('c', { usesAllowed: 1 }), undefined);
    assert.equal(await tokens.delete('a'), true);
    assert.equal(await tokens.delete('a'), false);
    assert.deepEqual((await tokens.list()).map((t) => t.token), ['b']);
  });

  it('concurrent reservations take exactly the uses allowed; finishing completes or gives a use back', async () => {
    const tokens = store.registrationTokens;
    await tokens.create({ token: 'two', usesAllowed: 2, expiryTime: null });
    const taken = await Promise.all(Array.from({ length: 6 }, () => tokens.reserve('two', 0)));
    assert.equal(taken.filter(Boolean).length, 2);
    assert.equal((await tokens.get('two'))?.pending, 2);
    await tokens.finish('two', 'completed');
    await tokens.finish('two', 'released');
    assert.deepEqual(await tokens.get('two'), { token: 'two', usesAllowed: 2, pending: 0, completed: 1, expiryTime: null });
    // Pending never goes below zero (a token finished twice, or recreated meanwhile).
    await tokens.finish('two', 'released');
    assert.equal((await tokens.get('two'))?.pending, 0);
    assert.equal(await tokens.reserve('two', 0), true);
    assert.equal(await tokens.reserve('two', 0), false);
    assert.equal(await tokens.reserve('missing', 0), false);
  });

  it('an expired token is never reserved', async () => {
    await store.registrationTokens.create({ token: 'until-100', usesAllowed: null, expiryTime: 100 });
    assert.equal(await store.registrationTokens.reserve('until-100', 100), false);
    assert.equal(await store.registrationTokens.reserve('until-100', 99), true);
  });
}, describe);
