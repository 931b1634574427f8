// SQLite durability with the log synced off the event loop (src/storage/sqlite.ts): a transaction
// is not acknowledged, and nothing that read it is answered, before the log sync that follows its
// COMMIT has finished; a failed sync fails the batch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { UserId } from '../../src/core/ids.js';
import { KyselyStore, migrate } from '../../src/storage/kysely-store/store.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import type { Account } from '../../src/storage/store.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-durability-'));
  dirs.push(dir);
  return path.join(dir, 'db.sqlite');
}

const account = (userId: string): Account => ({
  userId: userId as UserId, passwordHash: null, isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 0,
});

/** A log sync the test finishes by hand, counting how often it was asked for. */
function manualSync() {
  const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  const self = {
    pending,
    /** From now on, syncs finish at once (store.close() waits for one). */
    auto: false,
    syncLog: () => (self.auto ? Promise.resolve() : new Promise<void>((resolve, reject) => pending.push({ resolve, reject }))),
  };
  return self;
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe('SQLite: acknowledged only once the log is synced', () => {
  it("synchronous 'full' runs SQLite with NORMAL and hands out a log sync; 'normal' and ':memory:' need none", async () => {
    const full = openSqlite({ path: tempFile(), synchronous: 'full' });
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(full.db);
    assert.equal(rows[0]?.synchronous, 1, 'NORMAL: the COMMIT itself does not fsync');
    assert.equal(typeof full.syncLog, 'function');
    await migrate(full.db);
    await full.syncLog!();
    await full.db.destroy();
    const normal = openSqlite({ path: tempFile(), synchronous: 'normal' });
    assert.equal(normal.syncLog, undefined);
    await normal.db.destroy();
    const memory = openSqlite({ path: ':memory:', synchronous: 'full' });
    assert.equal(memory.syncLog, undefined);
    await memory.db.destroy();
  });

  it('a transaction resolves, and whenDurable resolves, only after the sync that follows its COMMIT', async () => {
    const { db } = openSqlite({ path: tempFile(), synchronous: 'full' });
    await migrate(db);
    const sync = manualSync();
    const store = new KyselyStore(db, 'sqlite', { syncLog: sync.syncLog });
    const write = store.transaction((tx) => tx.accounts.create(account('@a:hs.test')));
    assert.equal(await settled(write), false, 'acknowledged before the log sync');
    // The COMMIT is done: a reader sees the row, but an answer built on it must wait.
    assert.ok(await store.accounts.get('@a:hs.test' as UserId));
    assert.equal(sync.pending.length, 1);
    const durable = store.whenDurable();
    assert.equal(await settled(durable), false);
    for (const p of sync.pending.splice(0)) p.resolve();
    await write;
    await durable;
    sync.auto = true;
    await store.close();
  });

  it('afterCommit runs once the COMMIT succeeded, before the sync; not for a transaction that failed', async () => {
    const { db } = openSqlite({ path: tempFile(), synchronous: 'full' });
    await migrate(db);
    const sync = manualSync();
    const store = new KyselyStore(db, 'sqlite', { syncLog: sync.syncLog });
    const calls: string[] = [];
    const ok = store.transaction((tx) => tx.accounts.create(account('@c:hs.test')), { afterCommit: () => calls.push('ok') });
    const failed = store.transaction(async (tx) => {
      await tx.accounts.create(account('@d:hs.test'));
      throw new Error('refused');
    }, { afterCommit: () => calls.push('failed') });
    await settled(ok);
    assert.deepEqual(calls, ['ok'], 'announced while the sync is still under way');
    assert.equal(await settled(ok), false);
    sync.auto = true;
    for (const p of sync.pending.splice(0)) p.resolve();
    await ok;
    await assert.rejects(failed, /refused/);
    assert.deepEqual(calls, ['ok']);
    await store.close();
  });

  it('a failed sync fails every transaction of its batch', async () => {
    const { db } = openSqlite({ path: tempFile(), synchronous: 'full' });
    await migrate(db);
    const sync = manualSync();
    const store = new KyselyStore(db, 'sqlite', { syncLog: sync.syncLog });
    const write = store.transaction((tx) => tx.accounts.create(account('@b:hs.test')));
    await settled(write);
    sync.pending.shift()!.reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await assert.rejects(write, /EIO/);
    sync.auto = true;
    await store.close();
  });

  it('the real log sync: writes are synced before the transaction resolves; reads alone need no sync', async () => {
    const opened = openSqlite({ path: tempFile(), synchronous: 'full' });
    await migrate(opened.db);
    let syncs = 0;
    const store = new KyselyStore(opened.db, 'sqlite', {
      syncLog: () => {
        syncs++;
        return opened.syncLog!();
      },
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.transaction((tx) => tx.accounts.create(account(`@u${i}:hs.test`)))));
    assert.ok(syncs >= 1 && syncs < 20, `${syncs} syncs for 20 concurrent transactions (group commit)`);
    assert.equal((await store.accounts.get('@u7:hs.test' as UserId))?.userId, '@u7:hs.test');
    await store.whenDurable();
    await store.close();
  });
});
