import { domainOf } from '../ids.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';
import { ALLOW, reject, type AuthEvent, type AuthResult } from './auth-result.js';
import { ownValue } from './state-access.js';

/**
 * Rule 1: an `m.room.create` event. It is decided on its own: it has no auth events and no
 * state before it, so none of the later rules apply.
 */
export function checkCreateEvent(event: AuthEvent, roomVersion: RoomVersion): AuthResult {
  if (event.prev_events.length > 0) return reject('1.1', 'a create event must not have prev_events');

  if (domainOf(event.room_id) !== domainOf(event.sender)) {
    return reject('1.2', `the room ID's domain ${domainOf(event.room_id)} does not match the sender's domain ${domainOf(event.sender)}`);
  }

  // "Recognised" means a version this server implements: it could not take part in any other.
  if (Object.hasOwn(event.content, 'room_version')) {
    const declared = ownValue(event.content, 'room_version');
    if (typeof declared !== 'string' || !getRoomVersion(declared)) {
      return reject('1.3', `content.room_version ${JSON.stringify(declared)} is not a recognised room version`);
    }
  }

  // v11 (MSC2175) dropped `creator`: the sender is the creator. A leftover `creator` is ignored.
  if (roomVersion.createHasCreator && !Object.hasOwn(event.content, 'creator')) {
    return reject('1.4', 'content has no creator property');
  }

  return ALLOW;
}
