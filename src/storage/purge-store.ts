import type { RoomId } from '../core/ids.js';

/** What the purge of forgotten rooms needs from storage. */
export interface PurgeStore {
  /**
   * Rooms in which no user is joined, invited or knocking, every user with a membership has
   * forgotten the room, and the last of them did so at or before `cutoffTs`. The one definition of
   * purge eligibility (LEAVING.md); `isEligible` applies the same rule to one room.
   */
  eligibleRooms(cutoffTs: number, limit: number): Promise<RoomId[]>;
  /**
   * Whether the room is eligible as `eligibleRooms` defines it; without `cutoffTs`, however
   * recently the last user forgot it (every local user forgot the room: it waits for the purge).
   */
  isEligible(roomId: RoomId, cutoffTs?: number): Promise<boolean>;
  /** Deletes every row belonging to the room; returns how many rows went, by table. */
  deleteRoom(roomId: RoomId): Promise<Record<string, number>>;
  /**
   * Deletes the room's timeline events (never a state event, so never the create event nor any
   * state, current or past) before stream position `beforePos` or sent before `beforeTs`, with their
   * transaction IDs and notifications; those sent by users of `keepServer` are kept. Returns how many events went.
   */
  deleteHistory(roomId: RoomId, before: { pos?: number; ts?: number }, keepServer: string | null): Promise<number>;
  /** Deletes transaction IDs (of sends and to-device messages) created before `beforeTs`; returns how many. */
  expireTransactionIds(beforeTs: number): Promise<number>;
  /** Deletes to-device messages queued before `beforeTs` and still undelivered; returns how many. */
  expireToDeviceMessages(beforeTs: number): Promise<number>;
}
