import type { EventId, RoomId, UserId } from '../ids.js';
import type { JsonObject } from '../json.js';

/**
 * A persistent data unit as room versions 3 to 11 define it (the event ID is not part of the
 * event, it is the reference hash). `redacts` is top-level up to v10, in content from v11.
 */
export interface Pdu {
  type: string;
  room_id: RoomId;
  sender: UserId;
  content: JsonObject;
  origin_server_ts: number;
  depth: number;
  prev_events: EventId[];
  auth_events: EventId[];
  state_key?: string;
  redacts?: EventId;
  hashes: { sha256: string };
  signatures: Record<string, Record<string, string>>;
  unsigned?: JsonObject;
}

/** A PDU before hashing and signing. */
export type UnsignedPdu = Omit<Pdu, 'hashes' | 'signatures'>;

/** A PDU together with its ID, as stored and served. */
export interface RoomEvent extends Pdu {
  event_id: EventId;
}

export type StateKey = string;

/** Key of a state entry: type and state key, separated by a NUL that cannot appear in either. */
export function stateKeyOf(type: string, stateKey: string): string {
  return `${type}\u0000${stateKey}`;
}

/** Read-only access to room state, as the auth rules and visibility rules need it. */
export interface StateLookup {
  get(type: string, stateKey: string): RoomEvent | undefined;
}

export function isStateEvent(event: { state_key?: string }): boolean {
  return typeof event.state_key === 'string';
}

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';
export const MEMBERSHIPS: readonly Membership[] = ['join', 'invite', 'leave', 'ban', 'knock'];

/**
 * The memberships that keep a user "in the room" (docs/LEAVING.md): such a user can leave it and be
 * kicked from it, cannot forget it, and holds it back from the purge. The one definition, in SQL too.
 */
export const IN_ROOM_MEMBERSHIPS = ['join', 'invite', 'knock'] as const satisfies readonly Membership[];
export type InRoomMembership = (typeof IN_ROOM_MEMBERSHIPS)[number];

export function isInRoom(membership: unknown): membership is InRoomMembership {
  return (IN_ROOM_MEMBERSHIPS as readonly unknown[]).includes(membership);
}
