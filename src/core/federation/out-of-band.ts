/**
 * Events of rooms Hearth knows only out of band (another server's room a local user was invited
 * to): Hearth has none of the room's state, so the user's rejection of the invite is built from
 * the invite alone. The copy stored here is what /sync shows; the room's servers get their own
 * rejection through make_leave/send_leave (the federation outbox's REMOTE_LEAVE item).
 */
import { hashAndSignEvent } from '../events/signing.js';
import type { SigningKey } from '../events/signing-key.js';
import type { RoomEvent, UnsignedPdu } from '../events/types.js';
import type { UserId } from '../ids.js';
import type { JsonObject } from '../json.js';
import type { RoomVersion } from '../room-versions.js';
import type { StrippedStateEvent } from './inbound-invite.js';
import { REMOTE_LEAVE, membershipOutboxKey, remoteLeaveDestinations, type RemoteLeavePayload } from './outbox-items.js';

/**
 * The invitee's leave that follows `invite`: sent by the invitee about themselves, pointing at the
 * invite (its only known event) for both its previous and its auth events, one deeper, hashed and
 * signed by this server with the room version's event ID format.
 */
export function outOfBandLeave(o: {
  /** What the leave needs of the invite (an unreadable invite: its ID from the membership, depth 0). */
  invite: Pick<RoomEvent, 'room_id' | 'state_key' | 'event_id' | 'depth'>;
  reason?: string | undefined;
  originServerTs: number;
  version: RoomVersion;
  serverName: string;
  signingKey: SigningKey;
}): RoomEvent {
  const userId = o.invite.state_key as UserId;
  const content: JsonObject = { membership: 'leave', ...(o.reason === undefined ? {} : { reason: o.reason }) };
  const unsigned: UnsignedPdu = {
    type: 'm.room.member',
    room_id: o.invite.room_id,
    sender: userId,
    state_key: userId,
    content,
    origin_server_ts: o.originServerTs,
    depth: o.invite.depth + 1,
    prev_events: [o.invite.event_id],
    auth_events: [o.invite.event_id],
  };
  const { pdu, eventId } = hashAndSignEvent(unsigned, o.serverName, o.signingKey, o.version);
  return { ...pdu, event_id: eventId };
}

/** The outbox item that carries the rejection of `invite` to the room's servers. */
export function remoteLeaveItem(o: {
  /** The invite; without its sender (an unreadable invite) the room's other servers are asked. */
  invite: Pick<RoomEvent, 'room_id' | 'state_key'> & { sender?: string };
  roomVersion: string;
  reason?: string | undefined;
  strippedState: readonly StrippedStateEvent[];
  serverName: string;
  createdTs: number;
}): { kind: string; supersedeKey: string; destinations: string[]; payload: JsonObject; createdTs: number } {
  const { room_id: roomId, sender: inviter } = o.invite;
  const userId = o.invite.state_key as UserId;
  const payload: RemoteLeavePayload = { roomId, userId, roomVersion: o.roomVersion, ...(o.reason === undefined ? {} : { reason: o.reason }) };
  return {
    kind: REMOTE_LEAVE,
    supersedeKey: membershipOutboxKey(roomId, userId),
    destinations: remoteLeaveDestinations({
      ...(inviter === undefined ? {} : { inviter: inviter as UserId }), roomId, strippedStateSenders: o.strippedState.map((e) => e.sender), serverName: o.serverName,
    }),
    payload: payload as unknown as JsonObject,
    createdTs: o.createdTs,
  };
}
