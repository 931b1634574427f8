import type { EventId } from '../ids.js';
import type { RoomEvent } from '../events/types.js';

/** A state map: `stateKeyOf(type, state_key)` to the event ID holding that entry. */
export type StateMap = ReadonlyMap<string, EventId>;

/** The events the caller loaded before resolving; looked up by ID, never fetched. */
export type EventSource = (id: EventId) => RoomEvent | undefined;

/**
 * Thrown when an event the algorithm needs was not supplied: the caller did not load the whole
 * auth chain of the state sets (see `resolveState`). Resolving with a gap would give a result
 * that other servers do not reach, so there is no partial answer.
 */
export class MissingEventError extends Error {
  constructor(readonly eventId: string) {
    super(`state resolution needs event ${eventId}, which was not supplied`);
    this.name = 'MissingEventError';
  }
}

export function requireEvent(events: EventSource, id: EventId): RoomEvent {
  const event = events(id);
  if (!event) throw new MissingEventError(id);
  return event;
}

/**
 * The union of the auth chains of `ids` (the spec's "auth chain": every event reachable through
 * `auth_events`, not the starting events themselves unless one cites another).
 */
export function authChainOf(ids: Iterable<EventId>, events: EventSource): Set<EventId> {
  const chain = new Set<EventId>();
  const stack: EventId[] = [];
  for (const id of ids) stack.push(...requireEvent(events, id).auth_events);
  while (stack.length > 0) {
    const id = stack.pop() as EventId;
    if (chain.has(id)) continue;
    chain.add(id);
    stack.push(...requireEvent(events, id).auth_events);
  }
  return chain;
}

/** ∪ Cᵢ − ∩ Cᵢ over the full auth chains Cᵢ of the state sets. */
export function authDifference(stateSets: readonly StateMap[], events: EventSource): Set<EventId> {
  const chains = stateSets.map((set) => authChainOf(set.values(), events));
  const difference = new Set<EventId>();
  for (const chain of chains) {
    for (const id of chain) {
      if (!chains.every((other) => other.has(id))) difference.add(id);
    }
  }
  return difference;
}
