/**
 * Pure rules of the content repository: media IDs, the headers a download carries, and which
 * pre-generated thumbnail size answers a request. No I/O: the service (services/media/) does that.
 */
import { encodeBase64Url } from './events/base64.js';

/**
 * Media IDs this server makes and accepts: URL-safe base64 characters only. Anything else (dots,
 * slashes, percent-encoded separators once decoded) is not a media ID, so it never reaches a query
 * and never names a file: files are named by their SHA-256, never by the ID.
 */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function isValidMediaId(id: string): boolean {
  return MEDIA_ID.test(id);
}

/** Bytes of randomness in a new media ID: 192 bits, 32 characters. */
export const MEDIA_ID_BYTES = 24;

/** A media ID from `MEDIA_ID_BYTES` random bytes (the caller draws them: core reads no randomness). */
export function mediaIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== MEDIA_ID_BYTES) throw new Error(`a media ID needs ${MEDIA_ID_BYTES} random bytes`);
  return encodeBase64Url(bytes);
}

export function mxcUri(serverName: string, mediaId: string): string {
  return `mxc://${serverName}/${mediaId}`;
}

/** A stored SHA-256 (lower-case hex): the only thing a media file's path is built from. */
export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** `type/subtype` with optional parameters, in the header's own grammar (RFC 9110), printable ASCII only. */
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"))*$`);
export const MAX_CONTENT_TYPE_LENGTH = 255;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The Content-Type to store for an upload: the client's when it is a well-formed media type, else none. */
export function uploadContentType(header: string | undefined): string | null {
  const value = header?.trim();
  if (value === undefined || value === '' || value.length > MAX_CONTENT_TYPE_LENGTH || !MEDIA_TYPE.test(value)) return null;
  return value;
}

/** `type/subtype` of a Content-Type, lower-cased, without parameters. */
export function essence(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * Types a browser cannot run script from, so they may be shown inline: the spec's list ("Serving
 * inline content", v1.12+). Everything else (HTML, SVG, XML, JavaScript, PDF, unknown types) is
 * served as an attachment.
 */
const INLINE_TYPES = new Set([
  'text/css', 'text/plain', 'text/csv', 'application/json', 'application/ld+json',
  'image/jpeg', 'image/gif', 'image/png', 'image/apng', 'image/webp', 'image/avif',
  'video/mp4', 'video/webm', 'video/ogg', 'video/quicktime',
  'audio/mp4', 'audio/webm', 'audio/aac', 'audio/mpeg', 'audio/ogg', 'audio/wave', 'audio/wav',
  'audio/x-wav', 'audio/x-pn-wav', 'audio/flac', 'audio/x-flac',
]);

export function isInlineSafe(contentType: string): boolean {
  return INLINE_TYPES.has(essence(contentType));
}

/** The longest file name kept from an upload or a download path. */
export const MAX_FILENAME_LENGTH = 255;

/**
 * `Content-Disposition` (RFC 6266): `inline` for the safe types, `attachment` otherwise, with the
 * file name as a quoted string when it is plain printable ASCII and as RFC 8187 `filename*`
 * otherwise, so no byte of a hostile name (quotes, CR/LF, non-ASCII) can break out of the header.
 */
export function contentDisposition(contentType: string, filename: string | null): string {
  const kind = isInlineSafe(contentType) ? 'inline' : 'attachment';
  if (filename === null || filename === '') return kind;
  if (/^[\x20-\x7e]*$/.test(filename)) return `${kind}; filename="${filename.replace(/[\\"]/g, '\\$&')}"`;
  return `${kind}; filename*=utf-8''${encodeRfc8187(filename)}`;
}

/** Percent-encodes everything but RFC 8187's attr-char. */
function encodeRfc8187(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Headers of every download and thumbnail: the content may be anything a user uploaded, so it must
 * not run as a page of this origin (sandbox, no scripts), not be sniffed into a runnable type, and
 * may be embedded by clients on other origins (web clients fetch media cross-origin).
 */
export const DOWNLOAD_SAFETY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
});

export type ThumbnailMethod = 'crop' | 'scale';

export interface ThumbnailSize {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
}

/** The sizes generated, as other homeservers pre-generate them; a request gets one of these. */
export const THUMBNAIL_SIZES: readonly ThumbnailSize[] = Object.freeze([
  { width: 32, height: 32, method: 'crop' },
  { width: 96, height: 96, method: 'crop' },
  { width: 320, height: 240, method: 'scale' },
  { width: 640, height: 480, method: 'scale' },
  { width: 800, height: 600, method: 'scale' },
]);

/**
 * The closest-larger rule: the smallest size of the requested method at least as large as asked
 * in both dimensions; else the smallest of any method that is; else the largest there is (a client
 * asking for more than any size gets the biggest thumbnail, never an upscaled one).
 */
export function chooseThumbnailSize(width: number, height: number, method: ThumbnailMethod): ThumbnailSize {
  const byArea = [...THUMBNAIL_SIZES].sort((a, b) => a.width * a.height - b.width * b.height);
  const covers = (s: ThumbnailSize) => s.width >= width && s.height >= height;
  return byArea.find((s) => s.method === method && covers(s))
    ?? byArea.find(covers)
    ?? byArea[byArea.length - 1]!;
}

/** Image types thumbnails are made of (no SVG: a vector renderer is a large attack surface). */
const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export function isThumbnailable(contentType: string): boolean {
  return THUMBNAILABLE.has(essence(contentType));
}

/** Types whose thumbnails may move (`animated=true`): an animated GIF or WebP becomes an animated WebP. */
const ANIMATABLE = new Set(['image/gif', 'image/webp']);

export function isAnimatable(contentType: string): boolean {
  return ANIMATABLE.has(essence(contentType));
}

/** JPEG thumbnails of JPEG photos (smaller), PNG of everything else (keeps transparency). */
export function thumbnailType(sourceContentType: string): 'image/jpeg' | 'image/png' {
  return essence(sourceContentType) === 'image/jpeg' ? 'image/jpeg' : 'image/png';
}
