import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { MediaConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { cannotOverwriteMedia, forbidden, notFound, notYetUploaded, queueFull, tooLarge, unknownError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import { MEDIA_ID_BYTES, isValidMediaId, mediaIdFromBytes, mxcUri } from '../../core/media.js';
import type { MediaRecord, Store } from '../../storage/store.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';
import { MediaFiles, UploadTooLarge, UploadTruncated, type TempFile } from './media-files.js';
import { UploadWaiters } from './upload-waiters.js';

/** How long a download waits for content not uploaded yet when the client does not say (the spec's default). */
export const DEFAULT_DOWNLOAD_WAIT_MS = 20_000;
/** The longest it waits whatever the client asks (the spec asks for a cap). */
export const MAX_DOWNLOAD_WAIT_MS = 20_000;

export interface UploadInput {
  body: Readable | AsyncIterable<Uint8Array>;
  /** The stored Content-Type (already checked), or null for none. */
  contentType: string | null;
  filename: string | null;
  /** The request's Content-Length, when it gave one. */
  declaredLength: number | undefined;
}

/** Which paths a read came in on: the legacy unauthenticated ones do not serve authenticated media. */
export type MediaPath = 'authenticated' | 'legacy';

/** Content ready to serve: the record and an open file (the caller streams and closes it). */
export interface MediaContent {
  record: MediaRecord & { size: number; sha256: string };
  file: FileHandle;
}

/**
 * The content repository of this server's media (upload, create-then-upload, download). Media of
 * other servers needs federation (not built yet): asking for it is 404.
 */
export class MediaRepository {
  private readonly waiters = new UploadWaiters();

  constructor(private readonly deps: { store: Store; clock: Clock; serverName: string; config: MediaConfig; quotas: Quotas; files: MediaFiles }) {}

  get files(): MediaFiles {
    return this.deps.files;
  }

  uploadConfig(): { 'm.upload.size': number } {
    return { 'm.upload.size': this.deps.config.maxUploadBytes };
  }

  /** POST /upload: a new media ID, its content streamed to disk, then its row. */
  async upload(requester: Requester, input: UploadInput): Promise<{ content_uri: string }> {
    await this.checkBeforeReading(requester.userId, input.declaredLength);
    const temp = await this.receive(input);
    const mediaId = mediaIdFromBytes(randomBytes(MEDIA_ID_BYTES));
    await this.place(temp, requester.userId, async (tx) => {
      await tx.media.insert({
        mediaId, userId: requester.userId, contentType: input.contentType, uploadName: input.filename,
        size: temp.size, sha256: temp.sha256, createdTs: this.deps.clock.now(), unusedExpiresTs: null,
        authenticated: this.deps.config.enableAuthenticatedMedia,
      });
    });
    return { content_uri: mxcUri(this.deps.serverName, mediaId) };
  }

  /** POST /create: a media ID to upload to later, within the pending bound. */
  async create(requester: Requester): Promise<{ content_uri: string; unused_expires_at: number }> {
    const now = this.deps.clock.now();
    const unusedExpiresTs = now + this.deps.config.unusedExpirationMs;
    const mediaId = mediaIdFromBytes(randomBytes(MEDIA_ID_BYTES));
    await this.deps.store.transaction(async (tx) => {
      await tx.accounts.lock(requester.userId);
      if ((await tx.media.countPending(requester.userId, now)) >= this.deps.config.maxPendingUploads) {
        throw queueFull(`You may have at most ${this.deps.config.maxPendingUploads} media IDs waiting for their content`);
      }
      await tx.media.insert({
        mediaId, userId: requester.userId, contentType: null, uploadName: null, size: null, sha256: null,
        createdTs: now, unusedExpiresTs, authenticated: this.deps.config.enableAuthenticatedMedia,
      });
    });
    return { content_uri: mxcUri(this.deps.serverName, mediaId), unused_expires_at: unusedExpiresTs };
  }

  /** PUT /upload/{serverName}/{mediaId}: the content of a created media ID, by its creator, once. */
  async uploadTo(requester: Requester, serverName: string, mediaId: string, input: UploadInput): Promise<Record<string, never>> {
    const record = await this.localRecord(serverName, mediaId);
    this.checkUploadable(record, requester.userId);
    await this.checkBeforeReading(requester.userId, input.declaredLength);
    const temp = await this.receive(input);
    await this.place(temp, requester.userId, async (tx) => {
      const now = await tx.media.get(mediaId);
      if (now) this.checkUploadable(now, requester.userId);
      const content = { contentType: input.contentType, uploadName: input.filename, size: temp.size, sha256: temp.sha256 };
      if (!(await tx.media.complete(mediaId, content))) throw cannotOverwriteMedia();
    });
    this.waiters.wake(mediaId);
    return {};
  }

  /**
   * The content of a local media item, waiting up to `timeoutMs` (capped) for one created but not
   * uploaded yet: 504 M_NOT_YET_UPLOADED after that. Unknown, expired and (on the legacy paths)
   * authenticated media are 404.
   */
  async download(serverName: string, mediaId: string, options: { via: MediaPath; timeoutMs: number }): Promise<MediaContent> {
    const record = await this.readable(serverName, mediaId, options);
    const file = await this.deps.files.openContent(record.sha256);
    // Rows are committed only after their file is in place: a missing file means it was removed behind our back.
    if (!file) throw notFound('Media not found');
    return { record, file };
  }

  /** The record of local media whose content is there (waiting for it as `download` does). */
  async readable(serverName: string, mediaId: string, options: { via: MediaPath; timeoutMs: number }): Promise<MediaContent['record']> {
    let record = await this.localRecord(serverName, mediaId);
    if (options.via === 'legacy' && this.deps.config.enableAuthenticatedMedia && record.authenticated) {
      throw notFound('Media not found');
    }
    const deadline = Math.min(Math.max(0, options.timeoutMs), MAX_DOWNLOAD_WAIT_MS);
    let waited = 0;
    while (record.sha256 === null || record.size === null) {
      if (this.expired(record)) throw notFound('Media not found');
      if (waited >= deadline) throw notYetUploaded();
      waited += await this.waiters.wait(mediaId, deadline - waited);
      record = await this.localRecord(serverName, mediaId);
    }
    return record as MediaContent['record'];
  }

  private async localRecord(serverName: string, mediaId: string): Promise<MediaRecord> {
    if (serverName !== this.deps.serverName) throw notFound('Media of other servers is not available (federation is not enabled)');
    if (!isValidMediaId(mediaId)) throw notFound('Media not found');
    const record = await this.deps.store.media.get(mediaId);
    if (!record) throw notFound('Media not found');
    return record;
  }

  private expired(record: MediaRecord): boolean {
    return record.sha256 === null && record.unusedExpiresTs !== null && record.unusedExpiresTs <= this.deps.clock.now();
  }

  private checkUploadable(record: MediaRecord, userId: UserId): void {
    if (record.userId !== userId) throw forbidden('Only the user who created this media ID may upload to it');
    if (record.sha256 !== null) throw cannotOverwriteMedia();
    if (this.expired(record)) throw notFound('Media not found');
  }

  /** Refusals that need no byte of the body: a Content-Length over the limit or the user's quota. */
  private async checkBeforeReading(userId: UserId, declaredLength: number | undefined): Promise<void> {
    if (declaredLength !== undefined && declaredLength > this.deps.config.maxUploadBytes) throw this.tooLarge();
    const used = await this.deps.store.media.bytesOf(userId);
    if (used + (declaredLength ?? 0) > this.deps.quotas.limits.mediaBytes) throw this.deps.quotas.refuseMedia();
  }

  private async receive(input: UploadInput): Promise<TempFile> {
    try {
      return await this.deps.files.writeTemp(input.body, this.deps.config.maxUploadBytes, input.declaredLength);
    } catch (err) {
      if (err instanceof UploadTooLarge) throw this.tooLarge();
      if (err instanceof UploadTruncated) throw unknownError(400, 'The body is shorter than its Content-Length');
      throw err;
    }
  }

  /**
   * Moves the file into place, then commits its row (`write`) with the user's quota checked under
   * the user's lock. If the row is refused the file stays unreferenced; it may be another row's
   * content (same hash), so it is not deleted.
   */
  private async place(temp: TempFile, userId: UserId, write: (tx: Store) => Promise<void>): Promise<void> {
    try {
      await this.deps.files.commit(temp);
    } catch (err) {
      await this.deps.files.discard(temp);
      throw err;
    }
    await this.deps.store.transaction(async (tx) => {
      await tx.accounts.lock(userId);
      if ((await tx.media.bytesOf(userId)) + temp.size > this.deps.quotas.limits.mediaBytes) throw this.deps.quotas.refuseMedia();
      await write(tx);
    });
  }

  private tooLarge() {
    return tooLarge(`Uploads may be at most ${this.deps.config.maxUploadBytes} bytes`);
  }
}
