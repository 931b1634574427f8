import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openPostgres } from '../../src/storage/postgres.js';
import { openSqlite } from '../../src/storage/sqlite.js';

/** A test database, for direct access behind the server's back. */
export type RawDatabase = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Every row of every table that mentions `needle` anywhere in its columns, as `table: row` strings. */
export async function rowsMentioning(database: RawDatabase, needle: string): Promise<string[]> {
  const found: string[] = [];
  if (database.kind === 'sqlite') {
    const db = new SqliteDatabase(database.path, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all()) {
          if (JSON.stringify(row).includes(needle)) found.push(`${name}: ${JSON.stringify(row)}`);
        }
      }
    } finally {
      db.close();
    }
    return found;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    for (const { table_name } of tables.rows as Array<{ table_name: string }>) {
      const rows = await client.query(`SELECT * FROM "${table_name}"`);
      for (const row of rows.rows) if (JSON.stringify(row).includes(needle)) found.push(`${table_name}: ${JSON.stringify(row)}`);
    }
  } finally {
    await client.end();
  }
  return found;
}

/** Runs one SQL statement on the test database behind the server's back (to damage it on purpose). */
export async function rawExec(database: RawDatabase, statement: string, params: unknown[] = []): Promise<void> {
  if (database.kind === 'sqlite') {
    const db = new SqliteDatabase(database.path);
    try {
      db.prepare(statement.replace(/\$\d+/g, '?')).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(statement, params);
  } finally {
    await client.end();
  }
}

/** The columns of every table of the test database, by table. */
export async function tableColumns(database: RawDatabase): Promise<Map<string, string[]>> {
  if (database.kind === 'sqlite') {
    const db = new SqliteDatabase(database.path, { readonly: true });
    try {
      const rows = db.prepare("SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'").all() as Array<{ t: string; c: string }>;
      return byTable(rows);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'");
    return byTable(rows as Array<{ t: string; c: string }>);
  } finally {
    await client.end();
  }
}

function byTable(rows: Array<{ t: string; c: string }>): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const { t, c } of rows) tables.set(t, [...(tables.get(t) ?? []), c]);
  return tables;
}

/**
 * Runs one migration's `up` again on the test database (after its tables were dropped on purpose),
 * to test what it does to rows stored before it. Its row in the migration table stays, so the
 * migrations after it (which have run) stay in order for the next `openStore`.
 */
export async function rerunMigration(database: RawDatabase, migration: { up: (db: Kysely<unknown>) => Promise<void> }): Promise<void> {
  const db = database.kind === 'sqlite'
    ? openSqlite({ path: database.path, synchronous: 'full' }).db
    : openPostgres({ url: database.url, poolSize: 1 }).db;
  try {
    await migration.up(db as unknown as Kysely<unknown>);
  } finally {
    await db.destroy();
  }
}
