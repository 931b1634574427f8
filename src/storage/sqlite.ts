import { closeSync, fdatasync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from './kysely-store/tables.js';
import { QueuedSqliteDialect } from './sqlite-queued-dialect.js';

export interface SqliteOptions {
  path: string;
  /** FULL (default) makes every commit durable against power loss, not just process crashes. */
  synchronous: 'full' | 'normal' | 'off';
}

export interface OpenedSqlite {
  db: Kysely<Database>;
  /**
   * With `synchronous: 'full'` on a file: resolves once every write so far is durable (an
   * fdatasync of the write-ahead log on the libuv pool, when anything was written since the last).
   * The group committer calls it after each COMMIT and answers that batch only once it resolves.
   */
  syncLog: (() => Promise<void>) | undefined;
}

/**
 * Opens a SQLite database in WAL mode with foreign keys and a busy timeout.
 *
 * `synchronous: 'full'` is kept off the event loop: SQLite itself runs with NORMAL (in WAL mode a
 * COMMIT then only writes the log, no fsync) and the log is fdatasync'ed on the libuv pool before
 * anything written is acknowledged. The same bytes reach the disk as with SQLite's FULL (which
 * syncs the log at every COMMIT), but the main thread no longer waits for the disk: it prepares the
 * next batch meanwhile. Checkpoints still sync the log and the database file themselves.
 */
export function openSqlite(options: SqliteOptions): OpenedSqlite {
  const file = options.path !== ':memory:';
  if (file) createPrivately(options.path);
  const raw = new SqliteDatabase(options.path);
  raw.pragma('journal_mode = WAL');
  const syncer = file && options.synchronous === 'full' ? new LogSyncer(`${options.path}-wal`) : undefined;
  raw.pragma(`synchronous = ${syncer ? 'NORMAL' : options.synchronous.toUpperCase()}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new QueuedSqliteDialect({ database: withStatementCache(raw, syncer) }) });
  return { db, syncLog: syncer && (() => syncer.sync()) };
}

/**
 * Creates the database file 0600 (its directory 0700) before SQLite opens it: SQLite would create it
 * 0644, and it gives the -wal and -shm files the database file's mode, so all three stay private to
 * the server's user, like the signing key. An existing file keeps the mode its owner gave it.
 */
function createPrivately(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * fdatasync of the write-ahead log, when something was written since the last one began; coalesced:
 * a call while a sync runs is served by the next sync, which starts when that one ends (it must
 * start after the caller's writes). fsync on Linux flushes the file (the inode), whichever
 * descriptor wrote it; the log keeps its inode while the database is open (SQLite deletes it only
 * when the last connection closes).
 */
class LogSyncer {
  /** Set by every statement that may write; cleared when a sync starts. */
  written = false;
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly logPath: string) {}

  sync(): Promise<void> {
    if (!this.written) return this.next ?? this.running ?? Promise.resolve();
    if (!this.running) {
      this.written = false;
      this.running = this.syncNow().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running.catch(() => {}).then(() => {
      this.next = undefined;
      return this.sync();
    });
    return this.next;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private syncNow(): Promise<void> {
    // Opened at the first sync: after a write the log exists. 'r+' neither creates nor truncates.
    this.fd ??= openSync(this.logPath, 'r+');
    const fd = this.fd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }
}

/** Statements that never change the database (transaction control writes nothing by itself). */
const READ_ONLY = /^\s*(select|begin|commit|savepoint|release|rollback)\b/i;

/**
 * Kysely prepares every query afresh; compiling SQL once per distinct text saves most of that work.
 * Statements that may write tell the log syncer when they run.
 */
function withStatementCache(raw: SqliteDatabase.Database, syncer: LogSyncer | undefined, capacity = 1000) {
  type Prepared = Pick<SqliteDatabase.Statement, 'reader' | 'all' | 'run' | 'iterate'>;
  const cache = new Map<string, Prepared>();
  const tracked = (stmt: SqliteDatabase.Statement, s: LogSyncer): Prepared => ({
    reader: stmt.reader,
    all: (...params: unknown[]) => {
      s.written = true;
      return stmt.all(...params);
    },
    run: (...params: unknown[]) => {
      s.written = true;
      return stmt.run(...params);
    },
    iterate: (...params: unknown[]) => {
      s.written = true;
      return stmt.iterate(...params);
    },
  });
  return {
    close: () => {
      syncer?.close();
      raw.close();
    },
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        const prepared = raw.prepare(sql);
        stmt = syncer && !READ_ONLY.test(sql) ? tracked(prepared, syncer) : prepared;
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
