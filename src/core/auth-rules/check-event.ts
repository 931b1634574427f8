import { domainOf } from '../ids.js';
import { isJsonObject } from '../json.js';
import { isStateEvent, type StateLookup } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import { ALLOW, reject, type AuthEvent, type AuthResult } from './auth-result.js';
import { selectAuthState } from './auth-events.js';
import { checkCreateEvent } from './create.js';
import { powerLevelOf, requiredPowerLevelForEvent } from './levels.js';
import { checkMemberEvent } from './member.js';
import { checkPowerLevelsEvent } from './power-levels.js';
import { EventType, membershipOf, ownValue } from './state-access.js';
import { checkThirdPartyInviteEvent } from './third-party-invite.js';

/**
 * The authorisation rules of room versions 3 to 11, as one pure function of (event, state).
 * Rule labels follow the numbering of the v6+ lists; v3 to v5 number everything after rule 3
 * one higher, for their m.room.aliases rule (labelled 'v3.4').
 *
 * `authState` is the state the event is checked against: the state before the event, the
 * event's own auth events (see `stateLookupOf`), or the current state of the room. Only the
 * entries of the auth events selection are consulted, whatever else it holds. Rule 2's checks on
 * the `auth_events` list itself (duplicates, unexpected or rejected entries) need that list:
 * they are `checkAuthEvents`; here rule 2.4 and 2.5 are applied to the entries consulted.
 * Signatures are verified before this (src/core/events); rule 4.2 only checks their presence.
 */
export function checkEventAuth(event: AuthEvent, authState: StateLookup, roomVersion: RoomVersion): AuthResult {
  const malformed = checkPduShape(event);
  if (malformed) return malformed;
  if (event.type === EventType.create) return checkCreateEvent(event, roomVersion);

  const selected = selectAuthState(event, authState, roomVersion);
  const state = selected.lookup;
  const create = state.get(EventType.create, '');
  if (!create) return reject('2.4', 'there is no m.room.create event in the state the event is checked against');
  // State from another room would let powers granted there act here.
  const foreign = selected.entries.find((entry) => entry.room_id !== event.room_id);
  if (foreign) {
    return reject('2.5', `${foreign.type} event ${foreign.event_id} belongs to room ${foreign.room_id}, not ${event.room_id}`);
  }

  if (ownValue(create.content, 'm.federate') === false && domainOf(event.sender) !== domainOf(create.sender)) {
    return reject('3', `the room does not federate (m.federate is false) and ${domainOf(event.sender)} is not the creator's server ${domainOf(create.sender)}`);
  }

  if (event.type === EventType.aliases && roomVersion.aliasesAuthRule) return checkAliasesEvent(event);

  if (event.type === EventType.member) return checkMemberEvent(event, state, roomVersion);

  const membership = membershipOf(event.sender, state);
  if (membership !== 'join') return reject('5', `${event.sender} is not joined to the room (membership ${membership ?? 'none'})`);

  if (event.type === EventType.thirdPartyInvite) return checkThirdPartyInviteEvent(event, state, roomVersion);

  const senderLevel = powerLevelOf(event.sender, state, roomVersion);
  const required = requiredPowerLevelForEvent(event.type, isStateEvent(event), state);
  if (required > senderLevel) {
    return reject('7', `sending ${event.type} needs power level ${required}; ${event.sender} has ${senderLevel}`);
  }

  if (typeof event.state_key === 'string' && event.state_key.startsWith('@') && event.state_key !== event.sender) {
    return reject('8', `state_key ${event.state_key} names another user than the sender ${event.sender}`);
  }

  if (event.type === EventType.powerLevels) return checkPowerLevelsEvent(event, state, roomVersion);

  return ALLOW; // 10
}

/**
 * Rule 4 of v3 to v5 (labelled 'v3.4.x', outside the v6+ numbering the other labels use): a
 * server states its own aliases, member or not. v6 removed the rule; `m.room.aliases` is then
 * an ordinary state event.
 */
function checkAliasesEvent(event: AuthEvent): AuthResult {
  if (typeof event.state_key !== 'string') return reject('v3.4.1', 'an m.room.aliases event must have a state_key');
  if (event.state_key !== domainOf(event.sender)) {
    return reject('v3.4.2', `the state_key ${JSON.stringify(event.state_key)} is not the sender's server ${domainOf(event.sender)}`);
  }
  return ALLOW; // v3.4.3
}

/**
 * Not a numbered rule: a PDU that does not have the event format never reaches the auth rules
 * (format checks come first on receipt). This guards callers that skipped them, so that the
 * rules below can read fields without throwing; it reports rule 'format'.
 */
function checkPduShape(event: AuthEvent): AuthResult | undefined {
  const fields: Array<[string, boolean]> = [
    ['type', typeof event.type === 'string'],
    ['sender', typeof event.sender === 'string'],
    ['room_id', typeof event.room_id === 'string'],
    ['content', isJsonObject(event.content)],
    ['prev_events', Array.isArray(event.prev_events)],
    ['state_key', event.state_key === undefined || typeof event.state_key === 'string'],
  ];
  const bad = fields.find(([, ok]) => !ok);
  return bad ? reject('format', `the event's ${bad[0]} is missing or has the wrong type`) : undefined;
}
