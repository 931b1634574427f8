import type { EventId } from '../ids.js';
import { stateKeyOf, type StateLookup } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import { stateLookupOf } from '../auth-rules/auth-events.js';
import { checkEventAuth } from '../auth-rules/check-event.js';
import { requireEvent, type EventSource } from './graph.js';

/**
 * The spec's iterative auth checks: each state event in `order` is checked with the auth rules
 * against the state built so far, falling back to the event's own (non-rejected) auth events for
 * a key that state lacks, and applied when allowed. The auth rules only read the entries of the
 * event's auth events selection (`selectAuthState`), so this lookup is all the adapter they need.
 */
export function iterativeAuthChecks(
  initial: ReadonlyMap<string, EventId>,
  order: readonly EventId[],
  events: EventSource,
  roomVersion: RoomVersion,
  isRejected: (id: EventId) => boolean,
): Map<string, EventId> {
  const state = new Map(initial);
  for (const id of order) {
    const event = requireEvent(events, id);
    if (typeof event.state_key !== 'string') continue; // only state events take part
    const fromAuthEvents = stateLookupOf(event.auth_events.filter((authId) => !isRejected(authId)).map((authId) => requireEvent(events, authId)));
    const lookup: StateLookup = {
      get: (type, stateKey) => {
        const found = state.get(stateKeyOf(type, stateKey));
        return found === undefined ? fromAuthEvents.get(type, stateKey) : requireEvent(events, found);
      },
    };
    if (checkEventAuth(event, lookup, roomVersion).allowed) state.set(stateKeyOf(event.type, event.state_key), id);
  }
  return state;
}
