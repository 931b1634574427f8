// Builds room events for Store contract tests: what RoomWriter stores, without hashing or signing
// (the store keeps the PDU as given and never checks either).
import type { Membership, RoomEvent } from '../../src/core/events/types.js';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import type { JsonObject } from '../../src/core/json.js';
import type { Store, StoredEvent } from '../../src/storage/store.js';

export interface EventSpec {
  type: string;
  sender: UserId;
  content?: JsonObject;
  stateKey?: string;
}

/**
 * Appends events to rooms the way RoomWriter chains them: each points at the room's head and is
 * one deeper. Event IDs are `$<room>-<n>`, unique per writer.
 */
export function roomEvents(storeOf: () => Store) {
  let n = 0;
  const build = async (store: Store, roomId: RoomId, spec: EventSpec): Promise<RoomEvent> => {
    const head = await store.events.head(roomId);
    n++;
    return {
      event_id: `$${roomId.slice(1, roomId.indexOf(':'))}-${n}` as EventId,
      type: spec.type, room_id: roomId, sender: spec.sender, content: spec.content ?? {},
      ...(spec.stateKey === undefined ? {} : { state_key: spec.stateKey }),
      origin_server_ts: 1000 + n, depth: (head?.depth ?? 0) + 1, prev_events: head ? [head.eventId] : [], auth_events: [],
      hashes: { sha256: 'x' }, signatures: {},
    };
  };
  const append = async (roomId: RoomId, spec: EventSpec, store: Store = storeOf()): Promise<StoredEvent> =>
    store.events.append(await build(store, roomId, spec));
  return {
    build,
    append,
    /** A room row (the events table refers to it). */
    createRoom: (roomId: RoomId, creator: UserId) =>
      storeOf().rooms.create({ roomId, version: '10', creator, isPublic: false, createdTs: 1 }),
    member: (roomId: RoomId, userId: UserId, membership: Membership, sender: UserId = userId, extra: JsonObject = {}) =>
      append(roomId, { type: 'm.room.member', sender, stateKey: userId, content: { membership, ...extra } }),
    message: (roomId: RoomId, sender: UserId, body: string) =>
      append(roomId, { type: 'm.room.message', sender, content: { msgtype: 'm.text', body } }),
  };
}
