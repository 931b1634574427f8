import { isInRoom, stateKeyOf, type RoomEvent, type StateLookup } from '../events/types.js';
import type { JsonObject } from '../json.js';
import { isJsonObject } from '../json.js';
import { ALLOW, reject, type AuthEvent, type AuthResult } from './auth-result.js';
import type { RoomVersion } from '../room-versions.js';
import { EventType, ownValue } from './state-access.js';

/** The fields of an event that decide which state it is authorised against. */
export interface AuthSelectionInput {
  type: string;
  sender: string;
  state_key?: string;
  content: JsonObject;
}

/**
 * The server-server spec's "auth events selection": the (type, state_key) pairs of the state
 * that may appear in an event's `auth_events`. Every served version selects the create event;
 * the authorising user's membership only where the version has restricted joins (v8+). A
 * create event has no auth events.
 */
export function authEventTypesFor(event: AuthSelectionInput, roomVersion: RoomVersion): Array<[string, string]> {
  if (event.type === EventType.create) return [];
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  const add = (type: string, stateKey: string): void => {
    const key = stateKeyOf(type, stateKey);
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push([type, stateKey]);
  };
  add(EventType.create, '');
  add(EventType.powerLevels, '');
  add(EventType.member, event.sender);
  if (event.type !== EventType.member) return pairs;

  const content = isJsonObject(event.content) ? event.content : {};
  const membership = ownValue(content, 'membership');
  if (typeof event.state_key === 'string') add(EventType.member, event.state_key);
  if (isInRoom(membership)) add(EventType.joinRules, '');
  if (membership === 'invite') {
    const invite = ownValue(content, 'third_party_invite');
    const signed = isJsonObject(invite) ? ownValue(invite, 'signed') : undefined;
    const token = isJsonObject(signed) ? ownValue(signed, 'token') : undefined;
    if (typeof token === 'string') add(EventType.thirdPartyInvite, token);
  }
  if (membership === 'join' && roomVersion.restrictedJoinRule) {
    const authoriser = ownValue(content, 'join_authorised_via_users_server');
    if (typeof authoriser === 'string') add(EventType.member, authoriser);
  }
  return pairs;
}

/** A StateLookup over a list of state events; a later entry for the same key wins. */
export function stateLookupOf(events: Iterable<RoomEvent>): StateLookup {
  const map = new Map<string, RoomEvent>();
  for (const event of events) {
    if (typeof event.state_key === 'string') map.set(stateKeyOf(event.type, event.state_key), event);
  }
  return { get: (type, stateKey) => map.get(stateKeyOf(type, stateKey)) };
}

/** The part of some state that the auth rules may consult for this event, and its entries. */
export interface SelectedAuthState {
  lookup: StateLookup;
  entries: RoomEvent[];
}

/**
 * Restricts a state to the auth events selection of `event`. Checking against the full state
 * before the event and against the event's own auth events then read exactly the same entries,
 * which is what makes the two checks of "checks performed on receipt of a PDU" comparable.
 */
export function selectAuthState(event: AuthSelectionInput, authState: StateLookup, roomVersion: RoomVersion): SelectedAuthState {
  const entries: RoomEvent[] = [];
  for (const [type, stateKey] of authEventTypesFor(event, roomVersion)) {
    const found = authState.get(type, stateKey);
    // A lookup that answers with some other entry would let unrelated state decide the event.
    if (found && found.type === type && found.state_key === stateKey) entries.push(found);
  }
  return { lookup: stateLookupOf(entries), entries };
}

/**
 * Rule 2 of the auth rules (v3+), on the events named by `event.auth_events` (in any order).
 * `checkEventAuth` only sees state, so a caller holding the actual auth events (a PDU received
 * over federation) runs this first, then `checkEventAuth` against `stateLookupOf(authEvents)`.
 * `isRejected` says whether an auth event was itself rejected (rule 2.3); stored state never
 * holds rejected events, so it defaults to "none are".
 */
export function checkAuthEvents(
  event: AuthEvent,
  authEvents: readonly RoomEvent[],
  roomVersion: RoomVersion,
  isRejected: (authEvent: RoomEvent) => boolean = () => false,
): AuthResult {
  // Rule 1 decides create events before rule 2 is reached.
  if (event.type === EventType.create) return ALLOW;
  if (!Array.isArray(event.auth_events)) return reject('format', "the event's auth_events is not a list");

  const byId = new Map(authEvents.map((e) => [e.event_id as string, e]));
  const listed: RoomEvent[] = [];
  for (const id of event.auth_events) {
    const authEvent = byId.get(id);
    if (!authEvent) return reject('2', `auth event ${id} was not supplied; it must be fetched before the event can be authorised`);
    listed.push(authEvent);
  }
  // One pass per sub-rule, so that the rule reported is the first the spec's order reaches.
  const seen = new Map<string, string>();
  for (const authEvent of listed) {
    // A non-state event has no (type, state_key) pair, so it can match no selected pair.
    if (typeof authEvent.state_key !== 'string') continue;
    const key = stateKeyOf(authEvent.type, authEvent.state_key);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return reject('2.1', `auth events ${earlier} and ${authEvent.event_id} are both ${pairText(authEvent)}`);
    }
    seen.set(key, authEvent.event_id);
  }
  const expected = new Set(authEventTypesFor(event, roomVersion).map(([type, key]) => stateKeyOf(type, key)));
  for (const authEvent of listed) {
    const key = typeof authEvent.state_key === 'string' ? stateKeyOf(authEvent.type, authEvent.state_key) : undefined;
    if (key === undefined || !expected.has(key)) {
      return reject('2.2', `auth event ${authEvent.event_id} ${pairText(authEvent)} is not in the auth events selection for this event`);
    }
  }
  const rejected = listed.find((authEvent) => isRejected(authEvent));
  if (rejected) return reject('2.3', `auth event ${rejected.event_id} was itself rejected`);
  if (!seen.has(stateKeyOf(EventType.create, ''))) {
    return reject('2.4', 'there is no m.room.create event among the auth events');
  }
  const foreign = listed.find((authEvent) => authEvent.room_id !== event.room_id);
  if (foreign) return reject('2.5', `auth event ${foreign.event_id} belongs to room ${foreign.room_id}, not ${event.room_id}`);
  return ALLOW;
}

function pairText(event: RoomEvent): string {
  return `(${event.type}, ${JSON.stringify(event.state_key ?? null)})`;
}
