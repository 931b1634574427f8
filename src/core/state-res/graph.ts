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

/**
 * Room version 12's conflicted state subgraph (MSC4297): the events on an `auth_events` path from
 * one conflicted event to another. The paths' endpoints are the conflicted events themselves,
 * already in the full conflicted set, so this returns the events strictly reachable from a
 * conflicted event that lead (in zero or more steps) to one. They all lie in the auth chains of
 * the conflicted events, so nothing beyond the auth chains needs loading.
 */
export function conflictedSubgraph(conflicted: ReadonlySet<EventId>, events: EventSource): Set<EventId> {
  const reachable = authChainOf(conflicted, events);
  const leads = new Map<EventId, boolean>();
  // A cycle cannot occur between hash-named events; this only keeps malformed input finite.
  const visiting = new Set<EventId>();
  // Post-order without recursion: auth chains can be deeper than the call stack.
  for (const root of reachable) {
    const stack: EventId[] = [root];
    while (stack.length > 0) {
      const id = stack[stack.length - 1] as EventId;
      if (leads.has(id)) { stack.pop(); continue; }
      if (conflicted.has(id)) { leads.set(id, true); stack.pop(); continue; }
      visiting.add(id);
      const auth = requireEvent(events, id).auth_events;
      const pending = auth.filter((a) => !leads.has(a) && !visiting.has(a));
      if (pending.length > 0) { stack.push(...pending); continue; }
      leads.set(id, auth.some((a) => leads.get(a) === true));
      stack.pop();
    }
  }
  return new Set([...reachable].filter((id) => leads.get(id) === true));
}
