import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './kysely-store/tables.js';

export interface SqliteOptions {
  path: string;
  /** FULL (default) makes every commit durable against power loss, not just process crashes. */
  synchronous: 'full' | 'normal' | 'off';
}

/** Opens a SQLite database in WAL mode with foreign keys and a busy timeout. */
export function openSqlite(options: SqliteOptions): Kysely<Database> {
  if (options.path !== ':memory:') mkdirSync(path.dirname(options.path), { recursive: true });
  const raw = new SqliteDatabase(options.path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
}

/** Kysely prepares every query afresh; compiling SQL once per distinct text saves most of that work. */
function withStatementCache(raw: SqliteDatabase.Database, capacity = 1000) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
