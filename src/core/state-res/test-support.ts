/**
 * Builders for the state resolution tests. The vectors of test/fixtures/state-res keep just the
 * fields state resolution reads; the rest of a PDU is filled in here (hashes and signatures are
 * placeholders: no rule of the resolution reads them).
 */
import type { EventId, RoomId, UserId } from '../ids.js';
import type { JsonObject } from '../json.js';
import { domainOf } from '../ids.js';
import { stateKeyOf, type RoomEvent } from '../events/types.js';
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
