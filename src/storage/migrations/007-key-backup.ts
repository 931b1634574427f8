import type { Kysely } from 'kysely';

/**
 * Server-side key backups. A user's backup versions are numbered 1, 2, 3, ... and a deleted one
 * stays as a row marked `deleted` (its keys are gone): a number is never handed out twice, and
 * deleting it again succeeds, as the spec asks. Each version keeps its `etag` (a counter bumped
 * whenever its keys change) and `key_count` beside its keys, updated in the same transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('e2e_room_key_versions')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('auth_data', 'text', (c) => c.notNull())
    .addColumn('etag', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('key_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('e2e_room_key_versions_pk', ['user_id', 'version'])
    .execute();

  await db.schema
    .createTable('e2e_room_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('first_message_index', 'bigint', (c) => c.notNull())
    .addColumn('forwarded_count', 'bigint', (c) => c.notNull())
    .addColumn('is_verified', 'integer', (c) => c.notNull())
    .addColumn('session_data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('e2e_room_keys_pk', ['user_id', 'version', 'room_id', 'session_id'])
    .execute();
}
