import type { Membership, StateLookup } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import type { JsonObject } from '../json.js';
import type { AuthEvent } from './auth-result.js';
import { namedLevelOf, powerLevelOf } from './levels.js';
import { membershipOf } from './state-access.js';

/** What the membership rules (rule 4) know about a member event, computed once. */
export interface MemberContext {
  event: AuthEvent;
  content: JsonObject;
  authState: StateLookup;
  roomVersion: RoomVersion;
  /** The *target user*: the event's `state_key`. */
  target: string;
  senderMembership: Membership | undefined;
  targetMembership: Membership | undefined;
  senderLevel: number;
  targetLevel: number;
  /** The membership levels of the current power levels (defaults applied). */
  levels: { invite: number; kick: number; ban: number };
}

export function memberContext(
  event: AuthEvent,
  target: string,
  authState: StateLookup,
  roomVersion: RoomVersion,
): MemberContext {
  return {
    event,
    content: event.content,
    authState,
    roomVersion,
    target,
    senderMembership: membershipOf(event.sender, authState),
    targetMembership: membershipOf(target, authState),
    senderLevel: powerLevelOf(event.sender, authState, roomVersion),
    targetLevel: powerLevelOf(target, authState, roomVersion),
    levels: {
      invite: namedLevelOf('invite', authState),
      kick: namedLevelOf('kick', authState),
      ban: namedLevelOf('ban', authState),
    },
  };
}

/** How a membership reads in a reason: "join", or "none" for a user with no member event. */
export function describeMembership(membership: Membership | undefined): string {
  return membership ?? 'none';
}
