import type { EventId } from '../ids.js';
import type { RoomEvent } from '../events/types.js';
import type { RoomVersion } from '../room-versions.js';
import { stateLookupOf } from '../auth-rules/auth-events.js';
import { powerLevelOf } from '../auth-rules/levels.js';
import { EventType } from '../auth-rules/state-access.js';
import { requireEvent, type EventSource } from './graph.js';

/** The spec's last two tie-breaks: `origin_server_ts`, then `event_id` (by code point, like every implementation). */
function byTimestampThenId(a: RoomEvent, b: RoomEvent): number {
  if (a.origin_server_ts !== b.origin_server_ts) return a.origin_server_ts < b.origin_server_ts ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/** The sender's power level "when looking at their respective auth_events". */
function senderPowerLevel(event: RoomEvent, events: EventSource, roomVersion: RoomVersion): number {
  const authState = stateLookupOf(event.auth_events.map((id) => requireEvent(events, id)));
  return powerLevelOf(event.sender, authState, roomVersion);
}

/**
 * Reverse topological power ordering of `ids`: Kahn's algorithm over the auth DAG restricted to
 * `ids`, taking at each step the smallest ready event (greater sender power first, then
 * timestamp, then ID). Auth events come before the events that cite them.
 */
export function reverseTopologicalPowerOrder(ids: ReadonlySet<EventId>, events: EventSource, roomVersion: RoomVersion): EventId[] {
  const power = new Map<EventId, number>();
  const waitingOn = new Map<EventId, number>();
  const citedBy = new Map<EventId, EventId[]>();
  for (const id of ids) {
    const event = requireEvent(events, id);
    power.set(id, senderPowerLevel(event, events, roomVersion));
    const inside = [...new Set(event.auth_events)].filter((authId) => ids.has(authId));
    waitingOn.set(id, inside.length);
    for (const authId of inside) {
      const dependents = citedBy.get(authId);
      if (dependents) dependents.push(id);
      else citedBy.set(authId, [id]);
    }
  }
  const before = (a: EventId, b: EventId): boolean => {
    const byPower = (power.get(b) as number) - (power.get(a) as number);
    if (byPower !== 0) return byPower < 0;
    return byTimestampThenId(requireEvent(events, a), requireEvent(events, b)) < 0;
  };
  const ready = new MinHeap<EventId>(before);
  for (const [id, count] of waitingOn) if (count === 0) ready.push(id);
  const order: EventId[] = [];
  while (ready.size > 0) {
    const id = ready.pop();
    order.push(id);
    for (const dependent of citedBy.get(id) ?? []) {
      const left = (waitingOn.get(dependent) as number) - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return order;
}

/** The `m.room.power_levels` event among an event's auth events, if it cites one. */
function powerLevelsAuthEvent(event: RoomEvent, events: EventSource): RoomEvent | undefined {
  for (const id of event.auth_events) {
    const authEvent = requireEvent(events, id);
    if (authEvent.type === EventType.powerLevels && authEvent.state_key === '') return authEvent;
  }
  return undefined;
}

/**
 * Mainline ordering of `ids` based on the power levels event `powerLevelsId` (none: every
 * position is ∞). Events whose power levels chain meets the mainline further back come first.
 */
export function mainlineOrder(ids: readonly EventId[], powerLevelsId: EventId | undefined, events: EventSource): EventId[] {
  const mainline = new Map<EventId, number>();
  for (let p = powerLevelsId ? requireEvent(events, powerLevelsId) : undefined, i = 0; p; p = powerLevelsAuthEvent(p, events), i++) {
    if (mainline.has(p.event_id)) break; // a malformed loop; real power levels chains end at the create event
    mainline.set(p.event_id, i);
  }
  const position = (event: RoomEvent): number => {
    const seen = new Set<EventId>();
    for (let e = powerLevelsAuthEvent(event, events); e && !seen.has(e.event_id); e = powerLevelsAuthEvent(e, events)) {
      const found = mainline.get(e.event_id);
      if (found !== undefined) return found;
      seen.add(e.event_id);
    }
    return Infinity;
  };
  const keyed = ids.map((id) => {
    const event = requireEvent(events, id);
    return { event, position: position(event) };
  });
  keyed.sort((a, b) => (a.position !== b.position ? (a.position > b.position ? -1 : 1) : byTimestampThenId(a.event, b.event)));
  return keyed.map((k) => k.event.event_id);
}

/** A binary heap; `before(a, b)` is true when a comes out first. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T {
    const items = this.items;
    const top = items[0] as T;
    const last = items.pop() as T;
    if (items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.before(items[left] as T, items[smallest] as T)) smallest = left;
      if (right < items.length && this.before(items[right] as T, items[smallest] as T)) smallest = right;
      if (smallest === i) return top;
      [items[i], items[smallest]] = [items[smallest] as T, items[i] as T];
      i = smallest;
    }
  }
}
