// The media index: items uploaded at once or created and completed later, the pending count, bytes per user, thumbnails.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { UserId } from '../../src/core/ids.js';
import type { MediaRecord, Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const alice = '@alice:hs.test' as UserId;
const bob = '@bob:hs.test' as UserId;
const SHA = 'a'.repeat(64);
const BIG = 5 * 1024 * 1024 * 1024;

const item = (mediaId: string, over: Partial<MediaRecord> = {}): MediaRecord => ({
  mediaId, userId: alice, contentType: 'image/png', uploadName: 'a.png', size: 10, sha256: SHA,
  createdTs: 1_900_000_000_000, unusedExpiresTs: null, authenticated: true, ...over,
});

forEachBackend('Store contract: media', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('stores an item and reads it back whole (sizes beyond 32 bits)', async () => {
    await store.media.insert(item('m1', { size: BIG }));
    await store.media.insert(item('m2', { contentType: null, uploadName: null, authenticated: false, size: 0 }));
    assert.deepEqual(await store.media.get('m1'), item('m1', { size: BIG }));
    assert.deepEqual(await store.media.get('m2'), item('m2', { contentType: null, uploadName: null, authenticated: false, size: 0 }));
    assert.equal(await store.media.get('nope'), undefined);
    assert.equal(await store.media.bytesOf(alice), BIG);
    assert.equal(await store.media.bytesOf(bob), 0);
  });

  it('a created item is pending until completed, once; expired ones are not counted', async () => {
    const pending = (id: string, expires: number) => item(id, { userId: bob, size: null, sha256: null, contentType: null, uploadName: null, unusedExpiresTs: expires });
    await store.media.insert(pending('p1', 2000));
    await store.media.insert(pending('p2', 1000));
    assert.equal(await store.media.countPending(bob, 999), 2);
    assert.equal(await store.media.countPending(bob, 1000), 1);
    assert.equal(await store.media.complete('p1', { contentType: 'text/plain', uploadName: 'n', size: 5, sha256: SHA }), true);
    assert.equal(await store.media.complete('p1', { contentType: 'x/y', uploadName: null, size: 6, sha256: 'b'.repeat(64) }), false);
    assert.equal(await store.media.complete('m1', { contentType: 'x/y', uploadName: null, size: 6, sha256: SHA }), false);
    assert.deepEqual(await store.media.get('p1'), { ...pending('p1', 2000), contentType: 'text/plain', uploadName: 'n', size: 5, sha256: SHA });
    assert.equal(await store.media.countPending(bob, 0), 1);
    assert.equal(await store.media.bytesOf(bob), 5);
  });

  it('thumbnails by size, method and animation; a second record of the same kind keeps the first', async () => {
    const t = { mediaId: 'm1', width: 32, height: 32, method: 'crop' as const, animated: false, contentType: 'image/png', size: 99, sha256: SHA, createdTs: 7 };
    const moving = { ...t, animated: true, contentType: 'image/webp', size: 300 };
    await store.media.putThumbnail(t);
    await store.media.putThumbnail(moving);
    await store.media.putThumbnail({ ...t, size: 100, sha256: 'c'.repeat(64) });
    assert.deepEqual(await store.media.getThumbnail('m1', { width: 32, height: 32, method: 'crop', animated: false }), t);
    assert.deepEqual(await store.media.getThumbnail('m1', { width: 32, height: 32, method: 'crop', animated: true }), moving);
    assert.equal(await store.media.getThumbnail('m1', { width: 32, height: 32, method: 'scale', animated: false }), undefined);
    assert.equal(await store.media.getThumbnail('m2', { width: 32, height: 32, method: 'crop', animated: false }), undefined);
  });
}, describe);
