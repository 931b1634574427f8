import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isSha256Hex } from '../../core/media.js';

/** A file written and synced under the temporary directory, not yet in place. */
export interface TempFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** The body went past the limit while streaming in (the caller answers 413). */
export class UploadTooLarge extends Error {
  constructor() {
    super('upload too large');
  }
}

/** The body ended before the bytes its Content-Length promised. */
export class UploadTruncated extends Error {
  constructor() {
    super('upload truncated');
  }
}

/**
 * The media files on disk: `files/ab/<sha256>` (content-addressed, so no name ever comes from a
 * client and identical uploads share a file) and `tmp/` for files being written. A file reaches
 * `files/` only whole: written to `tmp/`, fsynced, renamed, and the directory synced; the caller
 * commits the database row after that, so a crash leaves at worst an unreferenced file, never a row
 * without its file or a half-written file under a row.
 */
export class MediaFiles {
  private readonly tmpDir: string;
  private readonly filesDir: string;

  constructor(root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.filesDir = path.join(root, 'files');
  }

  /**
   * Creates the directories and deletes temporary files left by a crash: those not written to for
   * `olderThanMs`, by the file system's own clock (a probe file's time), so that another process
   * sharing the directory keeps the uploads it is receiving. Returns how many were deleted.
   */
  async prepare(olderThanMs: number): Promise<number> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.filesDir, { recursive: true });
    const probe = path.join(this.tmpDir, `probe-${randomBytes(8).toString('hex')}`);
    await (await open(probe, 'wx')).close();
    const now = (await stat(probe)).mtimeMs;
    await rm(probe, { force: true });
    let removed = 0;
    for (const name of await readdir(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info || now - info.mtimeMs < olderThanMs) continue;
      await rm(file, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /**
   * Streams `body` into a new temporary file, hashing as it goes, and syncs it. Past `maxBytes` it
   * stops reading, deletes the file and throws UploadTooLarge; a body shorter than `declaredLength`
   * is deleted and throws UploadTruncated.
   */
  async writeTemp(body: Readable | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number, declaredLength?: number): Promise<TempFile> {
    const file = path.join(this.tmpDir, `${randomBytes(16).toString('hex')}.part`);
    const handle = await open(file, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes) throw new UploadTooLarge();
        hash.update(chunk);
        await writeAll(handle, chunk);
      }
      if (declaredLength !== undefined && size !== declaredLength) throw new UploadTruncated();
      await handle.sync();
      await handle.close();
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(file, { force: true });
      throw err;
    }
    return { path: file, size, sha256: hash.digest('hex') };
  }

  /** Writes `data` as a temporary file (a generated thumbnail), synced. */
  async writeTempBuffer(data: Buffer): Promise<TempFile> {
    return this.writeTemp([data], data.length);
  }

  /** Moves a synced temporary file to its content address and syncs the directory. */
  async commit(temp: TempFile): Promise<void> {
    const dir = path.dirname(this.pathOf(temp.sha256));
    await mkdir(dir, { recursive: true });
    await rename(temp.path, this.pathOf(temp.sha256));
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async discard(temp: TempFile): Promise<void> {
    await rm(temp.path, { force: true });
  }

  /** Opens the file of this content for reading; undefined when it is missing. */
  async openContent(sha256: string): Promise<FileHandle | undefined> {
    try {
      return await open(this.pathOf(sha256), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** The path of this content: built from a hash checked here, never from anything a client sent. */
  pathOf(sha256: string): string {
    if (!isSha256Hex(sha256)) throw new Error('not a SHA-256');
    return path.join(this.filesDir, sha256.slice(0, 2), sha256);
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
