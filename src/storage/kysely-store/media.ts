import type { Kysely, Selectable } from 'kysely';
import type { UserId } from '../../core/ids.js';
import type { ThumbnailMethod } from '../../core/media.js';
import type { MediaRecord, MediaStore, ThumbnailRecord } from '../media-store.js';
import type { Database } from './tables.js';

export interface MediaTable {
  media_id: string;
  user_id: string;
  content_type: string | null;
  upload_name: string | null;
  size: number | null;
  sha256: string | null;
  created_ts: number;
  unused_expires_ts: number | null;
  authenticated: number;
}

export interface MediaThumbnailsTable {
  media_id: string;
  width: number;
  height: number;
  method: string;
  animated: number;
  content_type: string;
  size: number;
  sha256: string;
  created_ts: number;
}

export class KyselyMediaStore implements MediaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: MediaRecord): Promise<void> {
    await this.db.insertInto('media').values({
      media_id: r.mediaId,
      user_id: r.userId,
      content_type: r.contentType,
      upload_name: r.uploadName,
      size: r.size,
      sha256: r.sha256,
      created_ts: r.createdTs,
      unused_expires_ts: r.unusedExpiresTs,
      authenticated: r.authenticated ? 1 : 0,
    }).execute();
  }

  async get(mediaId: string): Promise<MediaRecord | undefined> {
    const row = await this.db.selectFrom('media').selectAll().where('media_id', '=', mediaId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async complete(mediaId: string, c: { contentType: string | null; uploadName: string | null; size: number; sha256: string }): Promise<boolean> {
    const result = await this.db.updateTable('media')
      .set({ content_type: c.contentType, upload_name: c.uploadName, size: c.size, sha256: c.sha256 })
      .where('media_id', '=', mediaId).where('sha256', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async countPending(userId: UserId, now: number): Promise<number> {
    const row = await this.db.selectFrom('media').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId).where('sha256', 'is', null).where('unused_expires_ts', '>', now)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async bytesOf(userId: UserId): Promise<number> {
    const row = await this.db.selectFrom('media').select((eb) => eb.fn.sum<number | null>('size').as('n'))
      .where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(row.n ?? 0);
  }

  async getThumbnail(mediaId: string, size: { width: number; height: number; method: ThumbnailMethod; animated: boolean }): Promise<ThumbnailRecord | undefined> {
    const row = await this.db.selectFrom('media_thumbnails').selectAll()
      .where('media_id', '=', mediaId).where('width', '=', size.width).where('height', '=', size.height).where('method', '=', size.method)
      .where('animated', '=', size.animated ? 1 : 0)
      .executeTakeFirst();
    return row ? {
      mediaId: row.media_id, width: row.width, height: row.height, method: row.method as ThumbnailMethod, animated: row.animated === 1,
      contentType: row.content_type, size: Number(row.size), sha256: row.sha256, createdTs: Number(row.created_ts),
    } : undefined;
  }

  async putThumbnail(t: ThumbnailRecord): Promise<void> {
    await this.db.insertInto('media_thumbnails').values({
      media_id: t.mediaId, width: t.width, height: t.height, method: t.method, animated: t.animated ? 1 : 0,
      content_type: t.contentType, size: t.size, sha256: t.sha256, created_ts: t.createdTs,
    }).onConflict((oc) => oc.columns(['media_id', 'width', 'height', 'method', 'animated']).doNothing()).execute();
  }
}

function toRecord(row: Selectable<MediaTable>): MediaRecord {
  return {
    mediaId: row.media_id,
    userId: row.user_id as UserId,
    contentType: row.content_type,
    uploadName: row.upload_name,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    createdTs: Number(row.created_ts),
    unusedExpiresTs: row.unused_expires_ts === null ? null : Number(row.unused_expires_ts),
    authenticated: row.authenticated === 1,
  };
}
