import type { EventId } from '../ids.js';
import type { Pdu } from '../events/types.js';

/**
 * The outcome of an authorisation check. A rejection names the rule of the room version's
 * "Authorisation rules" list that decided it (e.g. '4.3.5.2'; numbered as in v8 to v11: v6 and
 * v7 lack v8's join_authorised_via_users_server rule 4.2, so their member rules after it are one
 * lower, and v3 to v5 shift by their extra m.room.aliases rule, labelled 'v3.4.x'), so that logs and
 * tests can be traced back to the spec text, and a human-readable reason.
 */
export type AuthResult = { allowed: true } | { allowed: false; rule: string; reason: string };

/**
 * An event to be authorised. A stored `RoomEvent` fits; so does a freshly built PDU whose ID is
 * not computed yet (the event ID is the reference hash from v3, and no rule needs it).
 */
export type AuthEvent = Pdu & { event_id?: EventId };

export const ALLOW: AuthResult = Object.freeze({ allowed: true as const });

export function reject(rule: string, reason: string): AuthResult {
  return { allowed: false, rule, reason };
}
