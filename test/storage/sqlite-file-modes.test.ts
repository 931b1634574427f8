// Who may read the data (issue 21 item 19): the SQLite database, its write-ahead log and its
// shared-memory index hold every message and password hash; like the signing key (0600) they are
// readable by the server's user only, whatever the umask, and the directories Hearth creates for
// them are 0700.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { prepareDirectories } from '../../src/cli/directories.js';
import type { Config } from '../../src/config/schema.js';
import { loadOrCreateSigningKey } from '../../src/storage/signing-key-file.js';
import { openSqlite } from '../../src/storage/sqlite.js';

const roots: string[] = [];
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

function tempRoot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-modes-'));
  roots.push(dir);
  return dir;
}

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** Runs `fn` with the permissive umask of many systems, so that only explicit modes make files private. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

describe('data files are private to the server user', () => {
  it('the SQLite database, its -wal and -shm are created 0600 and its new directory 0700', async () => {
    const dbPath = path.join(tempRoot(), 'new-dir', 'hearth.sqlite');
    await withUmask(0o022, async () => {
      const { db } = openSqlite({ path: dbPath, synchronous: 'normal' });
      try {
        await sql`CREATE TABLE t (x INTEGER)`.execute(db);
        await sql`INSERT INTO t VALUES (1)`.execute(db);
        for (const suffix of ['-wal', '-shm']) assert.ok(existsSync(dbPath + suffix), `${suffix} exists while open`);
        assert.deepEqual([dbPath, `${dbPath}-wal`, `${dbPath}-shm`].map(mode), ['600', '600', '600']);
        assert.equal(mode(path.dirname(dbPath)), '700');
      } finally {
        await db.destroy();
      }
    });
  });

  it('the directories created at start-up for the database and the signing key are 0700', async () => {
    const dataDir = path.join(tempRoot(), 'data', 'nested');
    const config = { dataDir, database: { kind: 'sqlite', path: path.join(dataDir, 'db', 'hearth.sqlite') }, signingKeyPath: path.join(dataDir, 'keys', 'signing.key') } as unknown as Config;
    await withUmask(0o022, () => prepareDirectories(config));
    assert.deepEqual([path.dirname(dataDir), dataDir, path.join(dataDir, 'db'), path.join(dataDir, 'keys')].map(mode), ['700', '700', '700', '700']);
  });

  it('the signing key is created 0600 in a new 0700 directory', async () => {
    const keyPath = path.join(tempRoot(), 'keys', 'signing.key');
    await withUmask(0o022, async () => loadOrCreateSigningKey(keyPath));
    assert.deepEqual([keyPath, path.dirname(keyPath)].map(mode), ['600', '700']);
  });
});
