import { keyValidityTs, signatureKeyIdsOf, verifiedSignatureKeyIds } from '../../core/federation/event-signatures.js';
import type { Pdu } from '../../core/events/types.js';
import type { RoomVersion } from '../../core/room-versions.js';

/**
 * Where the federation listener's request authentication and event signature checks get the
 * public keys of other servers. Implemented by the key ring (fetched, verified and cached
 * `/_matrix/key/v2/server` answers, notaries as fallback); tests pass a fake.
 */
export interface ServerKeyLookup {
  /**
   * The public keys of `serverName` among `keyIds` (key ID to unpadded Base64) that were valid
   * at `atMs` (milliseconds since the epoch), fetching the server's keys when the cache has none
   * valid; keys that cannot be found are left out, so `{}` means none. Never throws for an
   * unreachable or misbehaving server.
   */
  keysFor(serverName: string, keyIds: readonly string[], atMs: number): Promise<Readonly<Record<string, string>>>;
}

/**
 * The key IDs of `server`'s valid signatures on a received event, its keys looked up for the time
 * the room version asks (`keyValidityTs`); undefined when it carries none that verifies, or a bad
 * one (core/federation/event-signatures.ts). The one check of a signature on an event from elsewhere.
 */
export async function verifiedSignaturesOf(keys: ServerKeyLookup, event: Pdu, version: RoomVersion, server: string): Promise<string[] | undefined> {
  const found = await keys.keysFor(server, signatureKeyIdsOf(event, server), keyValidityTs(event, version));
  return verifiedSignatureKeyIds(event, version, server, found);
}
