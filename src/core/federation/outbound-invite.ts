/**
 * Inviting a user of another server to a room Hearth hosts (server-server API, "Inviting to a
 * room"): the event travels in its federation form, and the invitee's server answers it back with
 * its signature added. The answer is accepted only as our event unchanged plus that signature
 * (`verifiedSignatureKeyIds`): a peer cannot slip anything else into the room.
 */
import { canonicalJson, CanonicalJsonError } from '../events/canonical-json.js';
import { omitKeys } from '../events/hashes.js';
import type { Pdu, RoomEvent } from '../events/types.js';
import type { JsonObject } from '../json.js';

/** Whether `answer` is `ours` with nothing changed but signatures (and the `unsigned` of transit). */
export function isSameEvent(answer: JsonObject, ours: Pdu): boolean {
  const without = (e: object) => canonicalJson(omitKeys(e, ['signatures', 'unsigned']));
  try {
    return without(answer) === without(ours);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return false;
    throw err;
  }
}

/** Our event with `server`'s signatures by `keyIds` (those that verified) taken from its answer. */
export function withPeerSignatures(ours: RoomEvent, server: string, answer: Pdu, keyIds: readonly string[]): RoomEvent {
  const theirs = answer.signatures[server] ?? {};
  const kept = Object.fromEntries(keyIds.map((keyId) => [keyId, theirs[keyId] as string]));
  return { ...ours, signatures: { ...ours.signatures, [server]: kept } };
}
