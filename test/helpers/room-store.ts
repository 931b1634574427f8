// Builds room events for Store contract tests: what RoomWriter stores, without hashing or signing
// (the store keeps the PDU as given and never checks either).
import { before } from 'node:test';
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

/** Who creates the rooms `roomEvents` creates. */
export const ROOM_CREATOR = '@creator:hs' as UserId;

/**
 * Appends events to rooms the way RoomWriter chains them: each points at the room's head and is
 * one deeper. Event IDs are `$<room>-<n>`, unique per writer. The rows of `rooms` (the events table
 * refers to them) are created before the suite's tests.
 */
export function roomEvents(storeOf: () => Store, rooms: readonly RoomId[] = []) {
  const createRoom = (roomId: RoomId) =>
    storeOf().rooms.create({ roomId, version: '10', creator: ROOM_CREATOR, isPublic: false, createdTs: 1 });
  before(async () => {
    for (const roomId of rooms) await createRoom(roomId);
  });
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
    createRoom,
    member: (roomId: RoomId, userId: UserId, membership: Membership, sender: UserId = userId, extra: JsonObject = {}) =>
      append(roomId, { type: 'm.room.member', sender, stateKey: userId, content: { membership, ...extra } }),
    message: (roomId: RoomId, sender: UserId, body: string) =>
      append(roomId, { type: 'm.room.message', sender, content: { msgtype: 'm.text', body } }),
  };
}

/** A promise and the function that resolves it: to hold one transaction open while another starts. */
export function latch(): { done: Promise<void>; open: () => void } {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}
