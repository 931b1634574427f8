/**
 * Checking a `GET /_matrix/key/v2/server` answer (server-server API, "Retrieving server keys"):
 * it must name the server asked, be self-signed with one of the keys it lists in `verify_keys`,
 * and carry a `valid_until_ts`. A notary's `/query` answer holds the same objects, each also
 * signed by the notary (checked by the caller with the notary's own keys).
 */
import { ED25519_PREFIX } from '../events/signing-key.js';
import { verifyJsonSignature } from '../events/signing.js';

/** One public key of a server and until when it may be used. */
export interface RemoteKey {
  /** Unpadded Base64 Ed25519 public key. */
  key: string;
  /**
   * Signatures made up to this time (ms) are accepted: `valid_until_ts` for a current key,
   * `expired_ts` for an old one. (The 7-day cap that room versions with enforce_key_validity
   * put on `valid_until_ts` is not applied: Hearth does not check event signatures by it yet.)
   */
  validUntilTs: number;
}

export interface VerifiedServerKeys {
  serverName: string;
  /** The answer's `valid_until_ts`. */
  validUntilTs: number;
  /** Key ID to key; a key ID in both lists keeps its `verify_keys` entry. */
  keys: Record<string, RemoteKey>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function keyOf(entry: unknown): string | undefined {
  return isRecord(entry) && typeof entry['key'] === 'string' ? entry['key'] : undefined;
}

/**
 * The keys in `body` if it is a well-formed answer for `serverName`, self-signed by at least one
 * of its `verify_keys`; undefined otherwise (malformed, another server's, unsigned or forged).
 * Malformed single entries of `old_verify_keys` are skipped rather than refusing the whole answer.
 */
export function verifyServerKeyResponse(body: unknown, serverName: string): VerifiedServerKeys | undefined {
  if (!isRecord(body) || body['server_name'] !== serverName) return undefined;
  const validUntil = body['valid_until_ts'];
  const verifyKeys = body['verify_keys'];
  if (!isTimestamp(validUntil) || !isRecord(verifyKeys)) return undefined;
  const keys: Record<string, RemoteKey> = {};
  const old = body['old_verify_keys'];
  if (isRecord(old)) {
    for (const [keyId, entry] of Object.entries(old)) {
      const key = keyOf(entry);
      const expired = isRecord(entry) ? entry['expired_ts'] : undefined;
      if (keyId.startsWith(ED25519_PREFIX) && key !== undefined && isTimestamp(expired)) keys[keyId] = { key, validUntilTs: expired };
    }
  }
  let selfSigned = false;
  for (const [keyId, entry] of Object.entries(verifyKeys)) {
    const key = keyOf(entry);
    if (key === undefined) return undefined;
    if (!keyId.startsWith(ED25519_PREFIX)) continue;
    keys[keyId] = { key, validUntilTs: validUntil };
    if (verifyJsonSignature(body, serverName, keyId, key)) selfSigned = true;
  }
  return selfSigned ? { serverName, validUntilTs: validUntil, keys } : undefined;
}
