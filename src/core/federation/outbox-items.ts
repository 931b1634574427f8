/**
 * The kinds of work the federation outbox carries (`store.outbox`, durable until a server accepts
 * it): what each item's payload holds and the key that lets a newer membership supersede it. The
 * services that queue them (a leave, a kick) and the worker that delivers them share these shapes.
 */
import type { RoomEvent } from '../events/types.js';
import { domainOf, parseUserId, type RoomId, type UserId } from '../ids.js';

/**
 * A local user leaves a room Hearth holds only out-of-band (rejects a remote invite): the worker
 * asks the destinations, in order, for a `make_leave` template, puts `reason` in it, signs it and
 * `send_leave`s it. Superseded by any newer membership of the user in the room.
 */
export const REMOTE_LEAVE = 'remote-leave';

export interface RemoteLeavePayload {
  roomId: RoomId;
  userId: UserId;
  roomVersion: string;
  reason?: string;
}

/**
 * Events of a Hearth room that one other server must receive although none of its users is joined
 * (rescinding the invite of its user): sent in a `PUT /send/{txnId}` transaction to the one
 * destination. Superseded by a newer membership of the same user in the room.
 */
export const SEND_PDUS = 'send-pdus';

export interface SendPdusPayload {
  pdus: RoomEvent[];
}

/** One outbox item per user and room: a newer membership replaces whatever was queued for the older one. */
export function membershipOutboxKey(roomId: RoomId, userId: UserId): string {
  return `membership ${roomId} ${userId}`;
}

/**
 * Who can sign and spread the rejection of an invite, in the order to ask them (as conduwuit
 * does): the inviter's server, then the server in the room ID (rooms before version 12), then the
 * servers of the invite's stripped state senders; each once, never this server.
 */
export function remoteLeaveDestinations(o: {
  /** Absent when the invite can no longer be read. */
  inviter?: UserId;
  roomId: RoomId;
  strippedStateSenders: readonly string[];
  serverName: string;
}): string[] {
  const candidates = o.inviter === undefined ? [] : [domainOf(o.inviter)];
  // A room ID names its server up to room version 11; version 12's is a hash with none.
  if (o.roomId.includes(':')) candidates.push(domainOf(o.roomId));
  for (const sender of o.strippedStateSenders) {
    const user = parseUserId(sender);
    if (user) candidates.push(domainOf(user));
  }
  return [...new Set(candidates)].filter((s) => s !== o.serverName);
}
