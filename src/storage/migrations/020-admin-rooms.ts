import type { Kysely } from 'kysely';

/**
 * The room side of the admin API (issue 19).
 *
 * - `room_blocks`: rooms no local user may join or be invited to; a room may be blocked before it
 *   exists here, and the block outlives the room's purge (that is its point).
 * - `admin_jobs`: room deletions (v2) and history purges, run in the background and resumed after
 *   a restart. `status` is the job's stage; a job neither `complete` nor `failed` is still to run.
 *   `lease_until`: the process running it holds it until then; another takes it over after.
 *   `result` is the JSON the status endpoints show. Kept after the room's purge (the admin's record).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('room_blocks')
    .addColumn('room_id', 'text', (c) => c.primaryKey())
    .addColumn('blocked_by', 'text', (c) => c.notNull())
    .addColumn('blocked_ts', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('admin_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('result', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addColumn('updated_ts', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_jobs_by_room').on('admin_jobs').columns(['room_id', 'created_ts']).execute();
  await db.schema.createIndex('admin_jobs_by_status').on('admin_jobs').columns(['status', 'lease_until']).execute();
}
