/**
 * Content hashes, reference hashes and event IDs (spec: server-server API, "Calculating the
 * content hash for an event", "Calculating the reference hash for an event"; rooms/v3 and rooms/v4
 * "Event IDs").
 */
import { createHash } from 'node:crypto';
import type { EventId } from '../ids.js';
import type { RoomVersion } from '../room-versions.js';
import { decodeBase64, encodeBase64, encodeBase64Url } from './base64.js';
import { canonicalJson } from './canonical-json.js';
import { redactObject } from './redaction.js';
import type { Pdu } from './types.js';

export function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** A shallow copy of `obj` without `keys`. */
export function omitKeys(obj: object, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  for (const key of keys) delete copy[key];
  return copy;
}

/**
 * The content hash covers the whole unredacted event except `unsigned` (changed in transit),
 * `signatures` (which cover the hash) and `hashes` itself. Returned as unpadded Base64, the
 * form stored in `hashes.sha256`.
 */
export function computeContentHash(event: object): string {
  return encodeBase64(sha256(canonicalJson(omitKeys(event, ['unsigned', 'signatures', 'hashes']))));
}

/**
 * Whether `hashes.sha256` of a received event matches its content. A mismatch means the
 * content was altered or redacted in transit: the receiver then keeps the redacted copy.
 */
export function checkContentHash(event: object): boolean {
  const hashes = (event as { hashes?: unknown }).hashes;
  const claimed = typeof hashes === 'object' && hashes !== null ? (hashes as { sha256?: unknown }).sha256 : undefined;
  if (typeof claimed !== 'string') return false;
  const decoded = decodeBase64(claimed);
  if (decoded === undefined) return false;
  return decoded.equals(sha256(canonicalJson(omitKeys(event, ['unsigned', 'signatures', 'hashes']))));
}

/**
 * The canonical JSON of the redacted event without `signatures` and `unsigned`. These are
 * exactly the bytes the reference hash is taken over AND the bytes an event signature covers
 * (signing JSON drops the same two keys from the redacted event), so signing computes it once.
 */
export function redactedSigningBytes(event: object, roomVersion: RoomVersion): string {
  return canonicalJson(omitKeys(redactObject(event, roomVersion), ['signatures', 'unsigned']));
}

/** The reference hash: SHA-256 of the redacted event without `signatures` and `unsigned`. */
export function computeReferenceHash(event: object, roomVersion: RoomVersion): Buffer {
  return sha256(redactedSigningBytes(event, roomVersion));
}

/**
 * `$` + unpadded Base64 of a 32-byte reference hash (always 44 characters): the standard
 * alphabet in v3, the URL-safe one from v4.
 */
export function eventIdFromReferenceHash(referenceHash: Uint8Array, roomVersion: RoomVersion): EventId {
  const encoded = roomVersion.eventIdEncoding === 'base64' ? encodeBase64(referenceHash) : encodeBase64Url(referenceHash);
  return `$${encoded}` as EventId;
}

/**
 * The event ID of a PDU in room versions 3+. The PDU must be in its federation
 * form: an `event_id` key would be kept by redaction and hashed, giving a different ID, so the
 * type refuses a `RoomEvent`; strip `event_id` first.
 */
export function computeEventId(pdu: Pdu & { event_id?: never }, roomVersion: RoomVersion): EventId {
  return eventIdFromReferenceHash(computeReferenceHash(pdu, roomVersion), roomVersion);
}
