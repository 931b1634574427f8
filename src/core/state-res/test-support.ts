/**
 * Builders for the state resolution tests. The vectors of test/fixtures/state-res keep just the
 * fields state resolution reads; the rest of a PDU is filled in here (hashes and signatures are
 * placeholders: no rule of the resolution reads them).
 */
import type { EventId, RoomId, UserId } from '../ids.js';
import type { JsonObject } from '../json.js';
import { domainOf } from '../ids.js';
import { stateKeyOf, type RoomEvent } from '../events/types.js';
import { authEventTypesFor } from '../auth-rules/auth-events.js';
import type { RoomVersion } from '../room-versions.js';
import type { EventSource, StateMap } from './graph.js';

export interface FixtureEvent {
  event_id: string;
  type: string;
  sender: string;
  state_key?: string;
  content: JsonObject;
  origin_server_ts: number;
  prev_events: string[];
  auth_events: string[];
}

export function toRoomEvent(e: FixtureEvent, roomId = '!room:example.com'): RoomEvent {
  const event: RoomEvent = {
    event_id: e.event_id as EventId,
    type: e.type,
    room_id: roomId as RoomId,
    sender: e.sender as UserId,
    content: e.content,
    origin_server_ts: e.origin_server_ts,
    depth: 1,
    prev_events: e.prev_events as EventId[],
    auth_events: e.auth_events as EventId[],
    hashes: { sha256: 'placeholder' },
    signatures: { [domainOf(e.sender)]: { 'ed25519:a': 'placeholder' } },
  };
  if (e.state_key !== undefined) event.state_key = e.state_key;
  return event;
}

/** An event source over `events`. */
export function sourceOf(events: Iterable<RoomEvent>): EventSource {
  const byId = new Map<string, RoomEvent>();
  for (const event of events) byId.set(event.event_id, event);
  return (id) => byId.get(id);
}

/** The state map holding these state events (later entries win). */
export function stateMapOf(events: Iterable<RoomEvent>): StateMap {
  const map = new Map<string, EventId>();
  for (const event of events) if (typeof event.state_key === 'string') map.set(stateKeyOf(event.type, event.state_key), event.event_id);
  return map;
}

/** The event IDs of a state map, sorted, for comparing with a vector's expected state. */
export function idsOf(state: StateMap): string[] {
  return [...state.values()].sort();
}

/** An event of a DAG scenario: a node name stands for the event ID `$NAME:example.com`. */
export interface DagNode {
  id: string;
  sender: string;
  type: string;
  state_key?: string;
  content: JsonObject;
}

/** `[A, B, C]` says A's prev event is B and B's is C. */
export type EdgeChain = string[];

export const nodeEventId = (node: string): EventId => `$${node}:example.com` as EventId;

/**
 * Replays a DAG as a server would see it: events in lexicographically smallest topological
 * order (parents first, then by node name), each given `origin_server_ts` in that order, its
 * auth events chosen from the state before it by the auth events selection, and the state
 * before an event with several prev events resolved by `resolve`, in a room of `roomVersion`. Returns the state after each
 * node and the events built.
 */
export function replayDag(
  nodes: readonly DagNode[],
  chains: readonly EdgeChain[],
  resolve: (stateSets: StateMap[], events: EventSource) => StateMap,
  roomVersion: RoomVersion,
): { stateAfter: Map<string, StateMap>; events: Map<string, RoomEvent> } {
  const prevs = new Map<string, Set<string>>(nodes.map((n) => [n.id, new Set<string>()]));
  for (const chain of chains) for (let i = 0; i + 1 < chain.length; i++) prevs.get(chain[i] as string)?.add(chain[i + 1] as string);
  const byNode = new Map(nodes.map((n) => [n.id, n]));
  const events = new Map<string, RoomEvent>();
  const source: EventSource = (id) => events.get(id);
  const stateAfter = new Map<string, StateMap>();
  let ts = 0;
  while (stateAfter.size < nodes.length) {
    const ready = [...prevs].filter(([id, p]) => !stateAfter.has(id) && [...p].every((q) => stateAfter.has(q))).map(([id]) => id).sort();
    const id = ready[0];
    if (id === undefined) throw new Error('the scenario has a cycle or names an unknown node');
    const node = byNode.get(id) as DagNode;
    const prevStates = [...(prevs.get(id) as Set<string>)].sort().map((p) => stateAfter.get(p) as StateMap);
    const before = prevStates.length === 0 ? new Map() : prevStates.length === 1 ? (prevStates[0] as StateMap) : resolve(prevStates, source);
    const auth = authEventTypesFor(node, roomVersion)
      .map(([type, key]) => before.get(stateKeyOf(type, key)))
      .filter((authId): authId is EventId => authId !== undefined);
    const event = toRoomEvent({ ...node, event_id: nodeEventId(id), origin_server_ts: ts++, prev_events: [...(prevs.get(id) as Set<string>)].map(nodeEventId), auth_events: auth });
    events.set(event.event_id, event);
    const after = new Map(before);
    if (typeof event.state_key === 'string') after.set(stateKeyOf(event.type, event.state_key), event.event_id);
    stateAfter.set(id, after);
  }
  return { stateAfter, events };
}
