import type { RoomId } from '../core/ids.js';

/** What the purge of forgotten rooms needs from storage. */
export interface PurgeStore {
  /**
   * Rooms in which no user is joined, invited or knocking, every user with a membership has
   * forgotten the room, and the last of them did so at or before `cutoffTs`.
   */
  eligibleRooms(cutoffTs: number, limit: number): Promise<RoomId[]>;
  /** Deletes every row belonging to the room; returns how many rows went, by table. */
  deleteRoom(roomId: RoomId): Promise<Record<string, number>>;
  /** Deletes transaction IDs (of sends and to-device messages) created before `beforeTs`; returns how many. */
  expireTransactionIds(beforeTs: number): Promise<number>;
}
