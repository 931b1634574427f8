import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './kysely-store/tables.js';

// int8 columns hold millisecond timestamps and stream positions, all below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

/** Connects a pool to PostgreSQL. Connection errors surface per query; the pool reconnects by itself. */
export function openPostgres(options: PostgresOptions): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});
  // Nor may a checked-out one (e.g. inside a transaction between two queries when the server shuts
  // down): pg emits 'error' on the client, and an EventEmitter 'error' without a listener throws.
  // The query in flight, or the next one, still fails (a connection error: 503), and the pool
  // discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
