import type { Config } from '../config/schema.js';
import { KyselyStore, migrate } from './kysely-store/store.js';
import { openPostgres } from './postgres.js';
import { PostgresChannel } from './postgres-channel.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './store.js';

/** Opens the configured database and migrates it to the latest schema. */
export async function openStore(database: Config['database']): Promise<Store> {
  if (database.kind === 'sqlite') {
    const db = openSqlite(database);
    await migrate(db);
    return new KyselyStore(db, 'sqlite');
  }
  const { db, pool } = openPostgres(database);
  await migrate(db);
  return new KyselyStore(db, 'postgres', new PostgresChannel(pool, database.url));
}
