import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import type { Config } from '../../src/config/schema.js';
import type { RawDatabase } from './db-scan.js';

export type BackendName = 'sqlite' | 'postgres';

/** The storage backends to run suites on: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set. */
export function backends(): BackendName[] {
  return process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const POSTGRES_SKIP_REASON = process.env.HEARTH_TEST_QUICK === '1'
  ? 'quick run (npm run test:quick): SQLite only'
  : 'TEST_POSTGRES_URL is not set (npm test sets it when PostgreSQL is installed)';

/**
 * A fresh, empty database for one test: an in-memory SQLite file, or a new PostgreSQL database
 * in the test cluster (dropped by `drop`).
 */
export async function freshDatabase(backend: BackendName, options: { sqliteFile?: boolean } = {}): Promise<{ database: Config['database']; drop: () => Promise<void> }> {
  if (backend === 'sqlite' && options.sqliteFile) {
    // A file other connections can open (tests that inspect or damage the database behind the server).
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-test-'));
    return { database: { kind: 'sqlite', path: path.join(dir, 'db.sqlite'), synchronous: 'full' }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (backend === 'sqlite') {
    return { database: { kind: 'sqlite', path: ':memory:', synchronous: 'full' }, drop: async () => {} };
  }
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error(POSTGRES_SKIP_REASON);
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: { kind: 'postgres', url: url.toString(), poolSize: 5 },
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Declares a suite once per backend. PostgreSQL suites are skipped, with the reason shown, when
 * no test cluster is available.
 */
export function forEachBackend(title: string, body: (backend: BackendName) => void, describeFn: DescribeFn): void {
  for (const backend of ['sqlite', 'postgres'] as const) {
    const skip = backend === 'postgres' && !process.env.TEST_POSTGRES_URL ? POSTGRES_SKIP_REASON : false;
    describeFn(`${title} [${backend}]`, { skip }, () => body(backend));
  }
}

type DescribeFn = (name: string, options: { skip: string | false }, fn: () => void) => unknown;

/**
 * A migrated Store on a fresh database for the enclosing suite (opened before its tests, closed and
 * dropped after them). Returns a getter, since the store exists only once the suite runs.
 */
export function useFreshStore(backend: BackendName): () => Store {
  return freshForSuite(backend, false).store;
}

/**
 * `useFreshStore`, with the database itself for tests that look behind the store (a SQLite file,
 * so that another connection can read it).
 */
export function useFreshDatabase(backend: BackendName): { store: () => Store; database: () => RawDatabase } {
  return freshForSuite(backend, true);
}

function freshForSuite(backend: BackendName, sqliteFile: boolean): { store: () => Store; database: () => RawDatabase } {
  let store: Store | undefined;
  let database: RawDatabase | undefined;
  let drop: () => Promise<void> = async () => {};
  before(async () => {
    const fresh = await freshDatabase(backend, { sqliteFile });
    drop = fresh.drop;
    store = await openStore(fresh.database);
    database = fresh.database.kind === 'sqlite' ? { kind: 'sqlite', path: fresh.database.path } : { kind: 'postgres', url: fresh.database.url };
  });
  after(async () => {
    await store?.close();
    await drop();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the store is opened when the suite starts');
    return value;
  };
  return { store: () => opened(store), database: () => opened(database) };
}
