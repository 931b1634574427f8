/**
 * Unpadded Base64 (spec appendices, "Unpadded Base64"): RFC 4648 without `=` padding, in the
 * standard alphabet (keys, signatures, hashes) and the URL-safe one (event IDs).
 *
 * Decoders accept input with or without padding, as the spec asks, but are otherwise strict:
 * Node's own decoder skips characters outside the alphabet, and a signature check must fail
 * when its input is not Base64 at all. They return undefined rather than throw, because every
 * caller treats bad Base64 as "check failed".
 */

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Standard alphabet, no padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64').replace(/=+$/, '');
}

/** URL-safe alphabet (`-`, `_`), no padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  // Node's base64url output is already unpadded.
  return asBuffer(bytes).toString('base64url');
}

/** Decodes standard Base64, padded or not; undefined when `input` is not valid Base64. */
export function decodeBase64(input: string): Buffer | undefined {
  return decode(input, STANDARD, 'base64');
}

/** Decodes URL-safe Base64, padded or not; undefined when `input` is not valid. */
export function decodeBase64Url(input: string): Buffer | undefined {
  return decode(input, URL_SAFE, 'base64url');
}

function decode(input: string, alphabet: RegExp, encoding: 'base64' | 'base64url'): Buffer | undefined {
  if (typeof input !== 'string' || !alphabet.test(input)) return undefined;
  const body = input.replace(/=+$/, '');
  // Padding, when present, must complete the last quantum; a lone trailing character
  // (length 1 mod 4) carries fewer than 8 bits and encodes nothing.
  if (body.length !== input.length && input.length % 4 !== 0) return undefined;
  if (body.length % 4 === 1) return undefined;
  return Buffer.from(body, encoding);
}
