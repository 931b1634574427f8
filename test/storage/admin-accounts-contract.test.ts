// The account store as Synapse's admin API uses it (migration 019): listing with filters, order and
// pages; the admin flag; reactivation; erasure; access tokens that expire.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, UserId } from '../../src/core/ids.js';
import type { AccountListQuery, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const ids = ['@amy:hs', '@bob:hs', '@cy:hs', '@dee:hs'] as UserId[];
const all: AccountListQuery = { offset: 0, limit: 10, includeDeactivated: true, orderBy: 'name', backwards: false };

forEachBackend('Store contract: accounts for the admin API', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  const names = async (q: Partial<AccountListQuery>) => (await store.accounts.list({ ...all, ...q })).accounts.map((a) => a.userId);
  before(async () => {
    store = storeOf();
    // Created in reverse name order; cy has no display name; dee is deactivated.
    for (const [i, userId] of [...ids].reverse().entries()) {
      await store.accounts.create({ userId, passwordHash: 'h', isAdmin: userId === ids[1], deactivated: false, displayname: userId === ids[2] ? null : `N ${userId.slice(1, -3)}`, avatarUrl: null, createdTs: 1000 + i });
    }
    await store.accounts.setDeactivated(ids[3]!);
  });

  it('lists with the number of all that match, by page, deactivated accounts only when asked', async () => {
    assert.deepEqual(await names({}), ids);
    const page = await store.accounts.list({ ...all, offset: 1, limit: 2, includeDeactivated: false });
    assert.deepEqual(page.accounts.map((a) => a.userId), [ids[1], ids[2]]);
    assert.equal(page.total, 3);
    assert.equal(page.accounts[0]?.isAdmin, true);
  });

  it('filters by localpart or display name, and by user ID, case-insensitively and literally', async () => {
    assert.deepEqual(await names({ name: 'B' }), [ids[1]]);
    assert.deepEqual(await names({ name: 'n ' }), [ids[0], ids[1], ids[3]]);
    assert.deepEqual(await names({ name: 'hs' }), []);
    assert.deepEqual(await names({ userId: 'Y:H' }), [ids[0], ids[2]]);
    assert.deepEqual(await names({ userId: '_' }), []);
    assert.deepEqual(await names({ userId: '%' }), []);
  });

  it('orders by a column, then by user ID; NULLs last forwards, first backwards', async () => {
    assert.deepEqual(await names({ orderBy: 'creation_ts' }), [...ids].reverse());
    assert.deepEqual(await names({ orderBy: 'admin', backwards: true }), [ids[1], ids[0], ids[2], ids[3]]);
    assert.deepEqual(await names({ orderBy: 'displayname' }), [ids[0], ids[1], ids[3], ids[2]]);
    assert.deepEqual(await names({ orderBy: 'displayname', backwards: true }), [ids[2], ids[3], ids[1], ids[0]]);
    assert.deepEqual(await names({ orderBy: 'deactivated', backwards: true }), [ids[3], ids[0], ids[1], ids[2]]);
  });

  it('sets the admin flag, reactivates, erases', async () => {
    await store.accounts.setAdmin(ids[0]!, true);
    assert.equal((await store.accounts.get(ids[0]!))?.isAdmin, true);
    await store.accounts.setAdmin(ids[0]!, false);
    assert.equal((await store.accounts.get(ids[0]!))?.isAdmin, false);
    await store.accounts.reactivate(ids[3]!);
    const back = await store.accounts.get(ids[3]!);
    assert.equal(back?.deactivated, false);
    assert.equal(back?.passwordHash, null, 'deactivation removed the password; reactivation does not bring it back');
    await store.accounts.setProfile(ids[3]!, { avatarUrl: 'mxc://hs/a' });
    await store.accounts.erase(ids[3]!);
    const erased = await store.accounts.get(ids[3]!);
    assert.deepEqual([erased?.erased, erased?.displayname, erased?.avatarUrl], [true, null, null]);
    assert.equal((await store.accounts.get(ids[0]!))?.erased, false);
  });

  it('suspends and locks an account, and its tokens carry both marks', async () => {
    await store.devices.upsert({ userId: ids[1]!, deviceId: 'R' as DeviceId, displayName: null, createdTs: 1 });
    await store.tokens.create('restricted', ids[1]!, 'R' as DeviceId, 1);
    const marks = async () => {
      const [account, owner] = [await store.accounts.get(ids[1]!), await store.tokens.lookup('restricted')];
      return [account?.suspended, account?.locked, owner?.suspended, owner?.locked];
    };
    assert.deepEqual(await marks(), [false, false, false, false]);
    await store.accounts.setRestriction(ids[1]!, 'suspended', true);
    assert.deepEqual(await marks(), [true, false, true, false]);
    await store.accounts.setRestriction(ids[1]!, 'locked', true);
    assert.deepEqual(await marks(), [true, true, true, true]);
    await store.accounts.setRestriction(ids[1]!, 'suspended', false);
    await store.accounts.setRestriction(ids[1]!, 'locked', false);
    assert.deepEqual(await marks(), [false, false, false, false]);
    assert.equal((await store.accounts.get(ids[2]!))?.suspended, false, 'only the named account');
  });

  it('an access token carries its expiry (null: none)', async () => {
    await store.devices.upsert({ userId: ids[0]!, deviceId: 'D' as DeviceId, displayName: null, createdTs: 1 });
    await store.tokens.create('forever', ids[0]!, 'D' as DeviceId, 1);
    await store.tokens.create('until-50', ids[0]!, 'D' as DeviceId, 1, 50);
    assert.equal((await store.tokens.lookup('forever'))?.validUntilTs, null);
    assert.equal((await store.tokens.lookup('until-50'))?.validUntilTs, 50);
  });
}, describe);
