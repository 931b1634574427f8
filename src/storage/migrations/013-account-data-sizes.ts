import { sql, type Kysely } from 'kysely';

/**
 * Per-user quotas (config `quotas`) count the bytes of a user's account data on every write: each
 * entry records its content's size (UTF-8 bytes of its JSON), and an index covering (user, type,
 * size) lets the count and the sum read neither the contents nor the table. Existing entries get
 * their size here, once: the one rewrite of existing rows in this migration, and it only fills the
 * new column (`octet_length` exists on PostgreSQL and on the SQLite that better-sqlite3 bundles).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('account_data').addColumn('content_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`UPDATE account_data SET content_bytes = octet_length(content)`.execute(db);
  await db.schema.createIndex('account_data_usage').on('account_data').columns(['user_id', 'type', 'content_bytes']).execute();
}
