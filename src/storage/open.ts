import type { Config } from '../config/schema.js';
import { KyselyStore, migrate } from './kysely-store/store.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './store.js';

/** Opens the configured database and migrates it to the latest schema. */
export async function openStore(database: Config['database']): Promise<Store> {
  if (database.kind === 'sqlite') {
    const { db, syncLog } = openSqlite(database);
    await migrate(db);
    return new KyselyStore(db, 'sqlite', { syncLog });
  }
  // Loaded only here: a SQLite installation never loads the PostgreSQL driver (start-up time).
  const [{ openPostgres }, { PostgresChannel }] = await Promise.all([import('./postgres.js'), import('./postgres-channel.js')]);
  const { db, pool } = openPostgres(database);
  await migrate(db);
  return new KyselyStore(db, 'postgres', { channel: new PostgresChannel(pool, database.url) });
}
