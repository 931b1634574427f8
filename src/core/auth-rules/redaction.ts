import { domainOf, parseEventId, type EventId } from '../ids.js';
import type { RoomEvent, StateLookup } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import type { AuthEvent } from './auth-result.js';
import { namedLevelOf, powerLevelOf } from './levels.js';
import { EventType, ownValue } from './state-access.js';

/*
 * Redactions and the auth rules. Since room version 3, `m.room.redaction` goes through the
 * same rules as any event (rules 5 and 7: joined, and the event type's required level); the
 * *redact level* is not an auth rule. Whether a redaction that passed is then applied to its
 * target is the separate "Handling redactions" check below, made once both events are known.
 */

/**
 * The ID of the event that a redaction redacts: `content.redacts` from v11 (MSC2174), the
 * top-level `redacts` before. Undefined for other event types and for malformed redactions.
 */
export function redactedEventIdOf(event: AuthEvent, roomVersion: RoomVersion): EventId | undefined {
  if (event.type !== EventType.redaction) return undefined;
  const raw = roomVersion.redactsInContent ? ownValue(event.content, 'redacts') : event.redacts;
  return typeof raw === 'string' ? parseEventId(raw) : undefined;
}

export interface RedactionCheck {
  redaction: AuthEvent;
  /** The event named by the redaction. */
  original: RoomEvent;
  /** The state before the redaction (its power levels, create event and sender's membership). */
  authState: StateLookup;
  roomVersion: RoomVersion;
}

/**
 * "Handling redactions" (room versions 3+): a redaction that passed the auth rules is applied
 * when its sender has at least the *redact level*, or when its sender's server is the original
 * sender's server (a server may always redact its own users' events, e.g. after an account is
 * erased). It must also really name that event in the same room.
 */
export function redactionApplies({ redaction, original, authState, roomVersion }: RedactionCheck): boolean {
  if (redactedEventIdOf(redaction, roomVersion) !== original.event_id) return false;
  if (redaction.room_id !== original.room_id) return false;
  const senderLevel = powerLevelOf(redaction.sender, authState, roomVersion);
  if (senderLevel >= namedLevelOf('redact', authState)) return true;
  return domainOf(redaction.sender) === domainOf(original.sender);
}
