import type { Clock } from '../../core/clock.js';
import type { FileHandle } from 'node:fs/promises';
import { MatrixError, notFound, queueFull, tooLarge, unknownError } from '../../core/errors.js';
import { chooseThumbnailSize, isAnimatable, isThumbnailable, thumbnailType, type ThumbnailMethod, type ThumbnailSize } from '../../core/media.js';
import type { Store } from '../../storage/store.js';
import type { MediaFiles } from './media-files.js';
import type { MediaPath, MediaRepository } from './media-repository.js';

/**
 * Generations waiting for their turn beyond which a request for a new thumbnail gets 429: each one
 * decodes a whole image, so they run one at a time (libvips with one thread, on one libuv thread,
 * leaving the others to SQLite's log sync and password hashing).
 */
const MAX_QUEUED_GENERATIONS = 16;

export interface ThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  /** The client prefers a moving thumbnail (the spec's `animated`); absent or false: a still one. */
  animated: boolean;
  via: MediaPath;
  timeoutMs: number;
}

/** A thumbnail's description: its content type, hash (its file) and size. */
export interface Thumbnail {
  contentType: string;
  sha256: string;
  size: number;
}

type Sharp = typeof import('sharp').default;

interface Generated {
  bytes: Buffer;
  type: string;
}

/**
 * Thumbnails in the sizes of `THUMBNAIL_SIZES`, made on first request with sharp (libvips) and kept:
 * the file content-addressed beside the media, the size in `media_thumbnails`.
 */
export class Thumbnails {
  private sharp: Promise<Sharp> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(private readonly deps: { store: Store; clock: Clock; media: MediaRepository; files: MediaFiles; maxImagePixels: number }) {}

  /** The thumbnail (made now if not kept yet) and its file, opened for reading. */
  async open(serverName: string, mediaId: string, request: ThumbnailRequest): Promise<{ thumbnail: Thumbnail; file: FileHandle }> {
    const thumbnail = await this.thumbnail(serverName, mediaId, request);
    const file = await this.deps.files.openContent(thumbnail.sha256);
    // Rows are committed only after their file is in place: a missing one was removed behind our back.
    if (!file) throw notFound('Thumbnail not found');
    return { thumbnail, file };
  }

  private async thumbnail(serverName: string, mediaId: string, request: ThumbnailRequest): Promise<Thumbnail> {
    const record = await this.deps.media.readable(serverName, mediaId, request);
    const contentType = record.contentType ?? '';
    if (!isThumbnailable(contentType)) throw unknownError(400, 'This content cannot be thumbnailed');
    const size = chooseThumbnailSize(request.width, request.height, request.method);
    // A JPEG or PNG cannot move: `animated=true` is then the same as false (spec).
    const animated = request.animated && isAnimatable(contentType);
    const cached = await this.deps.store.media.getThumbnail(mediaId, { ...size, animated });
    if (cached) return cached;
    const { bytes, type } = await this.generateInTurn(record.sha256, size, thumbnailType(contentType), animated);
    const temp = await this.deps.files.writeTempBuffer(bytes);
    await this.deps.files.commit(temp);
    const made = { mediaId, ...size, animated, contentType: type, size: temp.size, sha256: temp.sha256, createdTs: this.deps.clock.now() };
    await this.deps.store.media.putThumbnail(made);
    return made;
  }

  private async generateInTurn(sha256: string, size: ThumbnailSize, outType: string, animated: boolean): Promise<Generated> {
    if (this.queued >= MAX_QUEUED_GENERATIONS) throw queueFull('Too many thumbnails are being made; try again shortly');
    this.queued++;
    const turn = this.queue.then(() => this.generate(sha256, size, outType, animated));
    this.queue = turn.catch(() => {});
    try {
      return await turn;
    } finally {
      this.queued--;
    }
  }

  private async generate(sha256: string, size: ThumbnailSize, outType: string, animated: boolean): Promise<Generated> {
    const sharp = await this.loadSharp();
    const input = this.deps.files.pathOf(sha256);
    // Animated: every frame is decoded, and the pixel limit counts them all (the height is the frames' sum).
    const options = { limitInputPixels: this.deps.maxImagePixels, failOn: 'warning' as const, animated };
    try {
      // The header's dimensions first: a decompression bomb is refused before anything is decoded.
      const meta = await sharp(input, options).metadata();
      if ((meta.width ?? 0) * (meta.height ?? 0) > this.deps.maxImagePixels) throw tooLarge('The image is too large to thumbnail');
      const image = sharp(input, options).rotate().resize(size.width, size.height, size.method === 'crop'
        ? { fit: 'cover' }
        : { fit: 'inside', withoutEnlargement: true });
      if (animated && (meta.pages ?? 1) > 1) return { bytes: await image.webp().toBuffer(), type: 'image/webp' };
      return { bytes: await (outType === 'image/jpeg' ? image.jpeg({ quality: 80 }) : image.png()).toBuffer(), type: outType };
    } catch (err) {
      if (err instanceof MatrixError) throw err;
      // libvips says why (truncated, not an image, over the pixel limit); none of it goes to the client.
      if (err instanceof Error && /pixel limit/i.test(err.message)) throw tooLarge('The image is too large to thumbnail');
      throw unknownError(400, 'This content cannot be thumbnailed');
    }
  }

  /** sharp (and libvips) load on the first thumbnail, not at start-up. */
  private loadSharp(): Promise<Sharp> {
    this.sharp ??= import('sharp').then(({ default: sharp }) => {
      sharp.concurrency(1);
      sharp.cache(false);
      return sharp;
    });
    return this.sharp;
  }
}
