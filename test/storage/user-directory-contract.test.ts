// The Store contract of the user directory, on both backends: who a search finds (by memberships,
// published rooms and profiles, in the database) and which rooms two users share.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const user = (name: string) => `@${name}:hs` as UserId;
const [searcher, ann, anna, bo, cy] = [user('searcher'), user('ann'), user('anna'), user('bo'), user('cy')] as const;
const room = (name: string) => `!${name}:hs` as RoomId;
const [shared, published, elsewhere, z] = [room('shared'), room('published'), room('elsewhere'), room('zz')];

forEachBackend('Store contract: user directory', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf, [shared, published, elsewhere, z]);
  let store: Store;
  const search = (words: string[], everyone = false, limit = 10) =>
    store.userDirectory.search(searcher, words, { everyone, limit }).then((users) => users.map((u) => u.userId));
  before(async () => {
    store = storeOf();
    for (const [userId, displayname] of [[searcher, null], [ann, 'Ann Lee'], [anna, 'Anna_Maria 100%'], [bo, 'Bo'], [cy, 'Cy Ann']] as const) {
      await store.accounts.create({ userId, passwordHash: null, isAdmin: false, deactivated: false, displayname, avatarUrl: null, createdTs: 1 });
    }
    await store.rooms.setPublic(published, true);
    await r.member(shared, searcher, 'join');
    await r.member(shared, ann, 'join');
    await r.member(shared, bo, 'invite', searcher);
    await r.member(published, anna, 'join');
    await r.member(elsewhere, cy, 'join');
    await r.member(z, searcher, 'join');
    await r.member(z, ann, 'join');
  });

  describe('search', () => {
    it('finds users joined to a room the searcher is in or to a published room, in user ID order', async () => {
      assert.deepEqual(await search(['ann']), [ann, anna]);
      assert.deepEqual(await search(['bo']), [], 'invited is not joined');
      assert.deepEqual(await search(['cy']), [], 'no shared or published room');
      assert.deepEqual(await search(['ann'], true), [ann, anna, cy], 'everyone: localpart or any display name word');
    });

    it('matches the start of the localpart or of a display name word, every word, ignoring case; LIKE wildcards are literal', async () => {
      assert.deepEqual(await search(['lee']), [ann]);
      assert.deepEqual(await search(['ann', 'lee']), [ann]);
      assert.deepEqual(await search(['ee']), []);
      assert.deepEqual(await search(['100%']), [anna]);
      assert.deepEqual(await search(['anna_']), [anna]);
      assert.deepEqual(await search(['an_']), []);
      assert.deepEqual(await search(['%']), []);
      assert.deepEqual(await search(['hs']), [], 'not the server name');
    });

    it('returns the profile, at most `limit` users, and never a deactivated one', async () => {
      assert.deepEqual(await store.userDirectory.search(searcher, ['ann'], { everyone: false, limit: 1 }), [{ userId: ann, displayname: 'Ann Lee', avatarUrl: null }]);
      await store.accounts.setDeactivated(anna);
      assert.deepEqual(await search(['ann'], true), [ann, cy]);
    });
  });

  describe('mutual rooms', () => {
    it('lists rooms both are joined to in room ID order, after a room, up to a limit, and counts them', async () => {
      assert.deepEqual(await store.userDirectory.mutualRooms(searcher, ann, null, 10), [shared, z]);
      assert.deepEqual(await store.userDirectory.mutualRooms(ann, searcher, null, 1), [shared]);
      assert.deepEqual(await store.userDirectory.mutualRooms(ann, searcher, shared, 10), [z]);
      assert.equal(await store.userDirectory.countMutualRooms(searcher, ann), 2);
      assert.deepEqual(await store.userDirectory.mutualRooms(searcher, bo, null, 10), [], 'an invite is not a join');
      assert.equal(await store.userDirectory.countMutualRooms(searcher, bo), 0);
      await r.member(z, ann, 'leave');
      assert.deepEqual(await store.userDirectory.mutualRooms(searcher, ann, null, 10), [shared]);
    });
  });
}, describe);
