/**
 * Pure rules of server-side key backups (spec v1.19, "Server-side key backups"): which algorithms
 * and `auth_data` a backup may have, what a backup version looks like on the wire, the bounds on
 * what clients upload, and which of two backed-up keys for one session the server keeps.
 */
import { decodeBase64 } from '../events/base64.js';
import { invalidParam, tooLarge } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';

/** The one backup algorithm of the spec. Others are refused (the spec's request schema lists only this one). */
export const MEGOLM_BACKUP_V1 = 'm.megolm_backup.v1.curve25519-aes-sha2';

/**
 * Bounds (constants, not settings). matrix-rust-sdk uploads 100 keys a request and matrix-js-sdk
 * 200; one key's encrypted `session_data` is about 1 KiB (a forwarding chain adds 45 bytes a hop),
 * and `auth_data` is a public key and a few signatures.
 */
export const MAX_BACKUP_KEYS_PER_REQUEST = 1000;
export const MAX_SESSION_DATA_BYTES = 16 * 1024;
export const MAX_AUTH_DATA_BYTES = 16 * 1024;
/** A megolm session ID is 43 characters (unpadded Base64 of an Ed25519 key); room for other algorithms. */
export const MAX_SESSION_ID_LENGTH = 255;

/** The metadata of one backed-up session key, and its encrypted data (opaque to the server). */
export interface BackupKeyData {
  firstMessageIndex: number;
  forwardedCount: number;
  isVerified: boolean;
  sessionData: JsonObject;
}

/**
 * Whether `candidate` should replace `stored`, for the same session, by the spec's rule: keep the
 * verified key; with the same `is_verified`, keep the lower `first_message_index`; with that equal
 * too, keep the lower `forwarded_count`. A key equal to the stored one on all three is not an
 * improvement: the stored key stays (and the backup's etag does not change).
 */
export function isBetterBackupKey(stored: BackupKeyData, candidate: BackupKeyData): boolean {
  if (stored.isVerified !== candidate.isVerified) return candidate.isVerified;
  if (stored.firstMessageIndex !== candidate.firstMessageIndex) return candidate.firstMessageIndex < stored.firstMessageIndex;
  return candidate.forwardedCount < stored.forwardedCount;
}

/**
 * Versions are per user, 1, 2, 3, ... and never reused: on the wire an opaque string, the decimal
 * number. Anything else names no version (undefined).
 */
export function parseBackupVersion(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** UTF-8 bytes of a value's JSON text: what the server stores for it. */
export function jsonBytes(value: JsonObject): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * The checks on a backup's `algorithm` and `auth_data` (creation and update). For
 * `m.megolm_backup.v1.curve25519-aes-sha2`, `auth_data` must hold `public_key`, a Curve25519 key in
 * Base64 (32 bytes), and `signatures`, when present, must be signed JSON's map of user ID -> key
 * ID -> signature. Other fields are kept as they are.
 */
export function checkBackupAuthData(algorithm: string, authData: JsonObject): void {
  if (algorithm !== MEGOLM_BACKUP_V1) throw invalidParam(`Unsupported backup algorithm; the supported one is ${MEGOLM_BACKUP_V1}`);
  if (jsonBytes(authData) > MAX_AUTH_DATA_BYTES) throw tooLarge(`auth_data may be at most ${MAX_AUTH_DATA_BYTES} bytes`);
  const publicKey = authData.public_key;
  if (typeof publicKey !== 'string' || decodeBase64(publicKey)?.length !== 32) {
    throw invalidParam('auth_data.public_key must be a Curve25519 public key in unpadded Base64');
  }
  const signatures = authData.signatures;
  if (signatures === undefined) return;
  const wellFormed = isJsonObject(signatures)
    && Object.values(signatures).every((byKey) => isJsonObject(byKey) && Object.values(byKey).every((sig) => typeof sig === 'string'));
  if (!wellFormed) throw invalidParam('auth_data.signatures must map user IDs to maps of key IDs to signatures');
}

/** The checks on one uploaded session: its ID and the size of its encrypted data. */
export function checkBackupSession(sessionId: string, key: BackupKeyData): void {
  if (sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_LENGTH || sessionId.includes('\u0000')) {
    throw invalidParam(`Session IDs must be 1 to ${MAX_SESSION_ID_LENGTH} characters, without U+0000`);
  }
  if (jsonBytes(key.sessionData) > MAX_SESSION_DATA_BYTES) throw tooLarge(`session_data may be at most ${MAX_SESSION_DATA_BYTES} bytes`);
}
