import type { Kysely } from 'kysely';

/**
 * The media repository's index. Files are on disk, named by their SHA-256; a row is committed only
 * after its file is renamed into place and synced, so every row with a `sha256` has its file.
 * `size` and `sha256` are null while an item created by POST /create waits for its content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('media_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('upload_name', 'text')
    .addColumn('size', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addColumn('unused_expires_ts', 'bigint')
    .addColumn('authenticated', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_user').on('media').columns(['user_id', 'created_ts']).execute();
  await db.schema
    .createTable('media_thumbnails')
    .addColumn('media_id', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('animated', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_thumbnails_pk', ['media_id', 'width', 'height', 'method', 'animated'])
    .execute();
}
