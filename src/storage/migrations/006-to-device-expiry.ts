import type { Kysely } from 'kysely';

/**
 * Undelivered to-device messages expire (`to_device.undelivered_retention`): each records when it
 * was queued, indexed for the periodic delete. Messages queued before this migration keep a null
 * time and never expire (the per-device cap bounds them); no existing row is rewritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('e2e_to_device_inbox').addColumn('created_ts', 'bigint').execute();
  await db.schema.createIndex('e2e_to_device_inbox_created').on('e2e_to_device_inbox').column('created_ts').execute();
}
