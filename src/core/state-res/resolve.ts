import type { EventId } from '../ids.js';
import { stateKeyOf, type RoomEvent } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import { EventType, ownValue } from '../auth-rules/state-access.js';
import { authChainOf, authDifference, conflictedSubgraph, requireEvent, type EventSource, type StateMap } from './graph.js';
import { iterativeAuthChecks } from './iterative-auth.js';
import { mainlineOrder, reverseTopologicalPowerOrder } from './ordering.js';

/** State resolution v2 (room versions 2 to 11) and v2.1 (room version 12, MSC4297). */
export type StateResAlgorithm = 'v2' | 'v2.1';

/** The algorithm a room version resolves state with; undefined for v1 (and unknown versions). */
export function stateResAlgorithmOf(roomVersionId: string): StateResAlgorithm | undefined {
  if (roomVersionId === '12') return 'v2.1';
  return /^([2-9]|1[01])$/.test(roomVersionId) ? 'v2' : undefined;
}

export interface StateResInput {
  algorithm: StateResAlgorithm;
  /** Whose auth rules the iterative auth checks apply. */
  roomVersion: RoomVersion;
  /** The states to resolve, e.g. the states after each of an event's `prev_events`. */
  stateSets: readonly StateMap[];
  /**
   * Every event the algorithm reads, loaded up front: each event of each state set, and the
   * full auth chain of each (all events reachable through `auth_events`). That covers v2.1's
   * conflicted state subgraph too. A missing one throws `MissingEventError`.
   */
  events: EventSource;
  /** Events rejected on receipt; they are not used as auth events in the iterative checks. */
  isRejected?: (id: EventId) => boolean;
}

/**
 * Resolves state sets into one state map, as the server-server spec's "state resolution v2"
 * (content/rooms/fragments/v2-state-res.md) and room version 12's v2.1 define it. Pure and
 * synchronous: no storage, no clock; the result depends neither on the order of the state sets
 * nor on the order events are supplied in.
 */
export function resolveState(input: StateResInput): Map<string, EventId> {
  const { stateSets, events, roomVersion } = input;
  const isRejected = input.isRejected ?? (() => false);
  if (stateSets.length === 0) return new Map();
  const { unconflicted, conflicted } = splitConflicted(stateSets);
  if (conflicted.size === 0) return new Map(unconflicted);

  const full = new Set<EventId>([...conflicted, ...authDifference(stateSets, events)]);
  if (input.algorithm === 'v2.1') for (const id of conflictedSubgraph(conflicted, events)) full.add(id);

  // Step 1: power events of the full conflicted set, with the events of their auth chains that
  // are in that set (room version 12's text says so; v2's says "their auth chains", and Synapse
  // and Ruma take only the part in the full conflicted set there too: the rest is in every chain).
  const powerEvents = [...full].filter((id) => isPowerEvent(requireEvent(events, id)));
  const chains = authChainOf(powerEvents, events);
  const powerSet = new Set<EventId>(powerEvents);
  for (const id of chains) if (full.has(id)) powerSet.add(id);
  const powerOrder = reverseTopologicalPowerOrder(powerSet, events, roomVersion);

  // Step 2: v2 starts from the unconflicted state map, v2.1 from an empty one.
  const start = input.algorithm === 'v2.1' ? new Map<string, EventId>() : unconflicted;
  const partial = iterativeAuthChecks(start, powerOrder, events, roomVersion, isRejected);

  // Steps 3 and 4: the other events, in mainline order of the partially resolved power levels.
  const rest = [...full].filter((id) => !powerSet.has(id));
  const mainline = mainlineOrder(rest, partial.get(stateKeyOf(EventType.powerLevels, '')), events);
  const resolved = iterativeAuthChecks(partial, mainline, events, roomVersion, isRejected);

  // Step 5: the unconflicted state map wins.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}

/** Keys with the same event in every state set are unconflicted; every other entry is conflicted. */
export function splitConflicted(stateSets: readonly StateMap[]): { unconflicted: Map<string, EventId>; conflicted: Set<EventId> } {
  const unconflicted = new Map<string, EventId>();
  const conflicted = new Set<EventId>();
  const keys = new Set<string>(stateSets.flatMap((set) => [...set.keys()]));
  for (const key of keys) {
    const values = stateSets.map((set) => set.get(key));
    const first = values[0];
    if (first !== undefined && values.every((v) => v === first)) unconflicted.set(key, first);
    else for (const v of values) if (v !== undefined) conflicted.add(v);
  }
  return { unconflicted, conflicted };
}

/**
 * Power events: events that may take an ability away. The spec names power levels, join rules
 * and kicks/bans (a leave or ban sent by someone else); like Synapse and Ruma we also count the
 * create event, and only the empty state key of the room-wide types, which are the ones that act.
 */
export function isPowerEvent(event: RoomEvent): boolean {
  if (event.state_key === '' && (event.type === EventType.powerLevels || event.type === EventType.joinRules || event.type === EventType.create)) {
    return true;
  }
  if (event.type !== EventType.member || typeof event.state_key !== 'string' || event.state_key === event.sender) return false;
  const membership = ownValue(event.content, 'membership');
  return membership === 'leave' || membership === 'ban';
}
