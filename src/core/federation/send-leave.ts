/**
 * The checks on a leave another server submits to a room Hearth hosts (server-server API, "Leaving
 * Rooms (Rejecting Invites)", `PUT /_matrix/federation/v{1,2}/send_leave/{roomId}/{eventId}`),
 * before any key is fetched or anything stored: an `m.room.member` leave of a user of the requesting
 * server for themselves, in this room, shaped as a PDU of the room's version, whose content hash
 * holds and whose event ID is its reference hash. The spec asks for `M_INVALID_PARAM` for a
 * wrong type, membership, sender or state key (Complement's TestCannotSendNonLeaveViaSendLeave
 * expects 400 for each); a body that is not a PDU at all is `M_BAD_JSON`. Then the sender
 * server's signature (`verifiedSignatureKeyIds`), and the room's line and auth rules (the writer).
 */
import { badJson, invalidParam } from '../errors.js';
import { checkContentHash, computeEventId } from '../events/hashes.js';
import type { Pdu, RoomEvent } from '../events/types.js';
import { domainOf, parseUserId, type EventId, type UserId } from '../ids.js';
import { isJsonObject } from '../json.js';
import type { RoomVersion } from '../room-versions.js';
import { isPduShaped } from './inbound-invite.js';

export interface SendLeaveRequest {
  /** From the path. */
  roomId: string;
  eventId: string;
  /** The body. */
  event: unknown;
  /** The authenticated origin of the request. */
  origin: string;
  /** The version of the room the path names. */
  version: RoomVersion;
}

export interface CheckedLeave {
  /** As signed, without the sender's `unsigned`: what signatures are checked on. */
  pdu: Pdu;
  /** As it will be stored: with its ID. */
  event: RoomEvent;
  leaver: UserId;
}

/** Throws the MatrixError a peer gets for a leave that cannot be accepted. */
export function checkSendLeave(req: SendLeaveRequest): CheckedLeave {
  const event = req.event;
  if (!isJsonObject(event)) throw badJson('The event must be an object');
  const { type, sender, state_key, content, room_id } = event;
  if (type !== 'm.room.member' || typeof state_key !== 'string' || !isJsonObject(content) || content['membership'] !== 'leave') {
    throw invalidParam('Not a leave event');
  }
  const leaver = typeof sender === 'string' ? parseUserId(sender) : undefined;
  if (!leaver) throw invalidParam('The event has no valid sender');
  if (state_key !== leaver) throw invalidParam('The state_key of a leave sent over federation must be its sender');
  if (domainOf(leaver) !== req.origin) throw invalidParam('The sender is not a user of the requesting server');
  if (room_id !== req.roomId) throw invalidParam('The event is not for this room');
  // An `event_id` key would be hashed (redaction keeps it) and make the event's ID ambiguous.
  if (!isPduShaped(event) || Object.hasOwn(event, 'event_id')) throw badJson('The event is not a valid PDU');
  if (!checkContentHash(event)) throw invalidParam('The event content hash does not match');
  if (computeEventId(event as Pdu & { event_id?: never }, req.version) !== req.eventId) {
    throw invalidParam('The event ID does not match the event');
  }
  // `unsigned` is the sender's annotation in transit, not part of the event.
  const { unsigned: _unsigned, ...pdu } = event;
  return { pdu, event: { ...pdu, event_id: req.eventId as EventId }, leaver };
}
