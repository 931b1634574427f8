import type { Kysely } from 'kysely';
import { dialectOf } from '../kysely-store/dialect.js';

/**
 * The federation outbox: work that must reach another server (rejecting a remote invite,
 * rescinding one) kept on disk until a server accepts it. One row per supersede key (a newer item
 * replaces an older one); `id` tells a replacement from the item a worker claimed. A claim moves
 * `next_attempt_ts` to the end of a lease, so a crashed worker's item becomes due again then.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('federation_outbox')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('supersede_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('destinations', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ts', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_outbox_due').on('federation_outbox').column('next_attempt_ts').execute();
}
