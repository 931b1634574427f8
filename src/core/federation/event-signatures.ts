/**
 * Whether a received event carries a valid signature of one server (server-server API, "Validating
 * hashes and signatures on received events"): the signer's key IDs on the event, for the key
 * lookup, and the check against the keys found.
 */
import { verifyEventSignature } from '../events/signing.js';
import type { Pdu } from '../events/types.js';
import { isJsonObject } from '../json.js';
import type { RoomVersion } from '../room-versions.js';

/**
 * The time the signer's keys must be valid at (the `atMs` of a key lookup): from room version 5
 * the event's `origin_server_ts` (rooms/v5, "Signing key validity period"); before, any key the
 * server has published verifies, whatever its `valid_until_ts`, so 0.
 */
export function keyValidityTs(event: Pick<Pdu, 'origin_server_ts'>, version: RoomVersion): number {
  return version.enforcesKeyValidity ? event.origin_server_ts : 0;
}

/** The key IDs `server` signed the event with. */
export function signatureKeyIdsOf(event: Pdu, server: string): string[] {
  const own = event.signatures[server];
  return isJsonObject(own) ? Object.keys(own) : [];
}

/**
 * The key IDs of `server`'s signatures on the event that verify with `keys` (key ID to public
 * key), or undefined when none does or any signature by one of those keys fails: one bad signature
 * by a known key makes the event a forgery, whatever else it carries.
 */
export function verifiedSignatureKeyIds(event: Pdu, version: RoomVersion, server: string, keys: Readonly<Record<string, string>>): string[] | undefined {
  const verified: string[] = [];
  for (const keyId of signatureKeyIdsOf(event, server)) {
    if (!Object.hasOwn(keys, keyId)) continue;
    const publicKey = keys[keyId] as string;
    if (!verifyEventSignature(event, version, { serverName: server, keyId, publicKey })) return undefined;
    verified.push(keyId);
  }
  return verified.length > 0 ? verified : undefined;
}
