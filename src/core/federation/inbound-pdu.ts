/**
 * The pure checks on a PDU another server sends in a transaction (server-server API,
 * "Transactions", `PUT /_matrix/federation/v1/send/{txnId}`). Hearth takes part in no room with
 * other servers yet, so the one PDU it accepts is the inviting server withdrawing its invite of a
 * local user from a room Hearth holds out of band (docs/LEAVING.md): an `m.room.member` leave or
 * ban of that user, sent by a user of the requesting server. The checks that need the database
 * (the user is invited; the invite came from that server) and the signature are the service's.
 */
import { isOversizedEvent } from '../events/event-size.js';
import { checkContentHash, computeEventId } from '../events/hashes.js';
import type { Pdu, RoomEvent } from '../events/types.js';
import { domainOf, parseUserId, type EventId, type RoomId, type UserId } from '../ids.js';
import { isJsonObject, type JsonObject } from '../json.js';
import type { RoomVersion } from '../room-versions.js';
import { isPduShaped } from './inbound-invite.js';

/** The most PDUs and EDUs one transaction may carry (the spec's limits). */
export const MAX_TXN_PDUS = 50;
export const MAX_TXN_EDUS = 100;

/** The per-PDU errors of a transaction's answer (`{"error": ...}`): what a peer's log shows. */
export const PDU_ERRORS = {
  notAPdu: 'The event is not a valid PDU',
  contentHash: 'The content hash does not match',
  tooLarge: 'The event is larger than 64 KiB',
  notParticipating: 'Hearth does not take part in this room',
  notFromOrigin: 'The sender is not a user of the sending server',
  notInvited: 'The user is not invited to this room',
  notInviter: 'Only the server that sent the invite may withdraw it',
  signature: 'The event does not carry a valid signature of the sender\'s server',
} as const;

/** A PDU with the ID its room version gives it. */
export interface IdentifiedPdu {
  eventId: EventId;
  /** As signed, without the sender's `unsigned`: what signatures are checked on. */
  pdu: JsonObject;
}

/**
 * The PDU's room ID, for the room record its version is read from; undefined when it has none.
 * A PDU whose room Hearth does not know has no ID Hearth can compute (the ID depends on the room
 * version), so it gets no entry in the answer, as Synapse and conduwuit do.
 */
export function roomIdOfPdu(raw: unknown): RoomId | undefined {
  if (!isJsonObject(raw)) return undefined;
  const roomId = raw['room_id'];
  return typeof roomId === 'string' && roomId.startsWith('!') ? roomId as RoomId : undefined;
}

/** The PDU's event ID under `version` (its reference hash); undefined when it cannot be hashed. */
export function identifyPdu(raw: JsonObject, version: RoomVersion): IdentifiedPdu | undefined {
  // `unsigned` is the sender's annotation in transit, not part of the event.
  const { unsigned: _unsigned, ...pdu } = raw;
  try {
    return { eventId: computeEventId(pdu as unknown as Pdu & { event_id?: never }, version), pdu };
  } catch {
    // Not canonical-JSON encodable (a float, an integer out of range): no ID, no entry.
    return undefined;
  }
}

/** A withdrawal of a local user's invite, as far as the event alone tells. */
export interface CheckedRescind {
  event: RoomEvent;
  pdu: Pdu;
  invitee: UserId;
  sender: UserId;
}

/**
 * Checks a PDU of an out-of-band room: the error text for its entry in the answer, or the rescind.
 * The sender must be a user of `origin` (the spec lets a server relay others' events; Hearth, which
 * keeps no room state to check them against, does not).
 */
export function checkRescind(o: { pdu: JsonObject; eventId: EventId; origin: string; serverName: string }): CheckedRescind | string {
  const { pdu } = o;
  if (!isPduShaped(pdu) || Object.hasOwn(pdu, 'event_id')) return PDU_ERRORS.notAPdu;
  if (isOversizedEvent(pdu)) return PDU_ERRORS.tooLarge;
  if (!checkContentHash(pdu)) return PDU_ERRORS.contentHash;
  const { type, state_key, content } = pdu;
  const invitee = typeof state_key === 'string' ? parseUserId(state_key) : undefined;
  const membership = isJsonObject(content) ? content['membership'] : undefined;
  if (type !== 'm.room.member' || !invitee || domainOf(invitee) !== o.serverName || (membership !== 'leave' && membership !== 'ban')) {
    return PDU_ERRORS.notParticipating;
  }
  const sender = typeof pdu.sender === 'string' ? parseUserId(pdu.sender) : undefined;
  if (!sender || domainOf(sender) !== o.origin) return PDU_ERRORS.notFromOrigin;
  return { pdu, event: { ...pdu, event_id: o.eventId }, invitee, sender };
}
