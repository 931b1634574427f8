import type { UserId } from '../core/ids.js';
import type { ThumbnailMethod } from '../core/media.js';

/** One media item of this server: created by an upload, or by /create and filled in by a later upload. */
export interface MediaRecord {
  mediaId: string;
  userId: UserId;
  /** The upload's Content-Type, or null when it gave none (served as application/octet-stream). */
  contentType: string | null;
  /** The upload's `filename`, or null. */
  uploadName: string | null;
  /** Bytes of content; null while the content has not been uploaded (created with /create). */
  size: number | null;
  /** SHA-256 of the content (lower-case hex): the file's name on disk; null while pending. */
  sha256: string | null;
  createdTs: number;
  /** Until when a created, still empty media ID may be uploaded to; null for media uploaded at once. */
  unusedExpiresTs: number | null;
  /** Created while authenticated media was on: the legacy unauthenticated paths do not serve it. */
  authenticated: boolean;
}

export interface ThumbnailRecord {
  mediaId: string;
  width: number;
  height: number;
  method: ThumbnailMethod;
  /** Made for `animated=true` (an animated WebP when the source moves). */
  animated: boolean;
  contentType: string;
  size: number;
  sha256: string;
  createdTs: number;
}

/** The index of the media repository; the files live on disk (services/media/media-files.ts). */
export interface MediaStore {
  /** Adds an item; the media ID is new (random), so a clash is a ConflictError. */
  insert(record: MediaRecord): Promise<void>;
  get(mediaId: string): Promise<MediaRecord | undefined>;
  /**
   * Fills in the content of a created item that has none yet; false when it has content already
   * (a concurrent or repeated upload), so the first upload wins.
   */
  complete(mediaId: string, content: { contentType: string | null; uploadName: string | null; size: number; sha256: string }): Promise<boolean>;
  /** Created items of the user still waiting for their content and not expired at `now`. */
  countPending(userId: UserId, now: number): Promise<number>;
  /** Bytes of content the user has uploaded (thumbnails not counted). */
  bytesOf(userId: UserId): Promise<number>;
  getThumbnail(mediaId: string, size: { width: number; height: number; method: ThumbnailMethod; animated: boolean }): Promise<ThumbnailRecord | undefined>;
  /** Records a generated thumbnail; an existing record of the same size stays (a concurrent generation made the same). */
  putThumbnail(record: ThumbnailRecord): Promise<void>;
}
