/**
 * The checks on an invite another server asks Hearth to co-sign (server-server API, "Inviting to
 * a room", `PUT /_matrix/federation/v2/invite/{roomId}/{eventId}`), before any key is fetched or
 * anything stored: a supported room version, a well-formed `m.room.member` invite for a local user,
 * sent by a user of the requesting server, whose event ID is its reference hash and whose content
 * hash holds. Then `verifyInviteSignatures` with the sender server's keys, and `coSignEvent`.
 */
import { isOversizedEvent } from '../events/event-size.js';
import { badJson, forbidden, incompatibleRoomVersion, invalidParam } from '../errors.js';
import { checkContentHash, computeEventId, redactedSigningBytes } from '../events/hashes.js';
import { signBytes } from '../events/signing.js';
import type { SigningKey } from '../events/signing-key.js';
import type { Pdu } from '../events/types.js';
import { domainOf, parseRoomId, parseUserId, type UserId } from '../ids.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';

/** Stripped state a peer may send with an invite: more is refused, it is only a preview. */
export const MAX_INVITE_ROOM_STATE = 50;

export interface StrippedStateEvent {
  type: string;
  state_key: string;
  sender: string;
  content: JsonObject;
}

export interface InviteRequest {
  /** From the path. */
  roomId: string;
  eventId: string;
  /** From the body (`room_version`; v1 invites have none and mean version 1, unsupported). */
  roomVersion: string;
  event: unknown;
  inviteRoomState: unknown;
  /** The authenticated origin of the request. */
  origin: string;
  serverName: string;
}

export interface CheckedInvite {
  event: Pdu;
  version: RoomVersion;
  invitee: UserId;
  /** The sender's server: the request's origin, whose signature the event must carry. */
  senderServer: string;
  inviteRoomState: StrippedStateEvent[];
}

/** Throws the MatrixError a peer gets for an invite that cannot be accepted. */
export function checkInvite(req: InviteRequest): CheckedInvite {
  const version = getRoomVersion(req.roomVersion);
  if (!version) throw incompatibleRoomVersion(req.roomVersion);
  const event = req.event;
  if (!isJsonObject(event)) throw badJson('The event must be an object');
  const { type, room_id, sender, state_key, content } = event;
  if (type !== 'm.room.member' || !isJsonObject(content) || content['membership'] !== 'invite') {
    throw badJson('The event is not an m.room.member invite');
  }
  if (typeof room_id !== 'string' || room_id !== req.roomId || !parseRoomId(room_id)) throw badJson('The event is not for this room');
  const invitee = typeof state_key === 'string' ? parseUserId(state_key) : undefined;
  const inviter = typeof sender === 'string' ? parseUserId(sender) : undefined;
  if (!invitee || !inviter) throw badJson('The event has no valid sender or state_key');
  if (domainOf(invitee) !== req.serverName) throw forbidden('The invitee is not a user of this server');
  if (domainOf(inviter) !== req.origin) throw forbidden('The sender is not a user of the requesting server');
  if (!isPduShaped(event)) throw badJson('The event is not a valid PDU');
  if (!checkContentHash(event)) throw badJson('The event content hash does not match');
  // 400, the status the spec gives this endpoint for a request it cannot take.
  if (isOversizedEvent(event)) throw badJson('The event is larger than 64 KiB');
  if (computeEventId(event as Pdu & { event_id?: never }, version) !== req.eventId) {
    throw invalidParam('The event ID does not match the event');
  }
  return { event, version, invitee, senderServer: req.origin, inviteRoomState: strippedState(req.inviteRoomState) };
}

/**
 * The fields a PDU of room versions 3+ must have, with their JSON types. Others (`origin`, which
 * Synapse still sends, `prev_state`) are opaque: hashed and signed with the rest, never read.
 */
export function isPduShaped(event: JsonObject): event is JsonObject & Pdu {
  const ints = [event['depth'], event['origin_server_ts']].every((n) => Number.isSafeInteger(n));
  const ids = [event['prev_events'], event['auth_events']].every((a) => Array.isArray(a) && a.every((x) => typeof x === 'string'));
  return ints && ids && isJsonObject(event['hashes']) && isJsonObject(event['signatures']);
}

function strippedState(value: unknown): StrippedStateEvent[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badJson('invite_room_state must be an array');
  if (value.length > MAX_INVITE_ROOM_STATE) throw badJson(`invite_room_state holds more than ${MAX_INVITE_ROOM_STATE} events`);
  return value.map((e) => {
    if (!isJsonObject(e) || typeof e['type'] !== 'string' || typeof e['state_key'] !== 'string' || typeof e['sender'] !== 'string' || !isJsonObject(e['content'])) {
      throw badJson('invite_room_state holds an event that is not stripped state');
    }
    // Only the stripped-state fields are kept: a peer's extra fields are not ours to show.
    return { type: e['type'], state_key: e['state_key'], sender: e['sender'], content: e['content'] };
  });
}

/** Adds our signature (over the redacted event, as every event signature is) to a received event. */
export function coSignEvent(event: Pdu, version: RoomVersion, serverName: string, key: SigningKey): Pdu {
  const signature = signBytes(redactedSigningBytes(event, version), key);
  return { ...event, signatures: { ...event.signatures, [serverName]: { ...event.signatures[serverName], [key.keyId]: signature } } };
}
