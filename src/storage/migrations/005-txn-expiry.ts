import type { Kysely } from 'kysely';

/**
 * Transaction IDs (the idempotency records of sends and to-device messages) expire: indexes on
 * their creation time make the periodic delete of old ones a range scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('event_txns_created').on('event_txns').column('created_ts').execute();
  await db.schema.createIndex('e2e_to_device_txns_created').on('e2e_to_device_txns').column('created_ts').execute();
}
