import type { RoomId, UserId } from '../core/ids.js';
import type { JsonObject } from '../core/json.js';
import type { RoomFacts } from '../core/admin/room-list.js';

/** What the room side of the admin API needs from storage (src/services/admin/). */

/** One room as the admin room list shows it, read in a fixed number of queries for any number of rooms. */
export type RoomSummary = RoomFacts;

/** The state types a summary carries. */
export const SUMMARY_STATE_TYPES = [
  'm.room.create', 'm.room.name', 'm.room.topic', 'm.room.avatar', 'm.room.canonical_alias',
  'm.room.encryption', 'm.room.join_rules', 'm.room.guest_access', 'm.room.history_visibility',
] as const;

export interface RoomSummaryStore {
  /** Summaries of every room of this server's own (none held out of band), or of one room. */
  summaries(serverName: string, roomId?: RoomId): Promise<RoomSummary[]>;
}

export interface RoomBlockStore {
  /** Who blocked the room, or undefined when it is not blocked. */
  get(roomId: RoomId): Promise<{ blockedBy: UserId } | undefined>;
  /** Blocks the room (keeping the first blocker when already blocked). */
  block(roomId: RoomId, blockedBy: UserId, ts: number): Promise<void>;
  unblock(roomId: RoomId): Promise<void>;
}

export type AdminJobKind = 'delete_room' | 'purge_history';
/** A job's stage; `complete` and `failed` are final, any other still has work to do. */
export type AdminJobStatus = 'shutting_down' | 'purging' | 'active' | 'complete' | 'failed';
export const FINAL_JOB_STATUSES: readonly AdminJobStatus[] = ['complete', 'failed'];

export interface AdminJob {
  id: string;
  kind: AdminJobKind;
  roomId: RoomId;
  params: JsonObject;
  status: AdminJobStatus;
  error: string | null;
  result: JsonObject | null;
  createdTs: number;
}

export interface AdminJobStore {
  /** Stores a new job, free to be claimed at once. */
  create(job: Omit<AdminJob, 'error' | 'result'>): Promise<void>;
  get(id: string): Promise<AdminJob | undefined>;
  /** The room's jobs of a kind, oldest first. */
  forRoom(roomId: RoomId, kind: AdminJobKind): Promise<AdminJob[]>;
  /**
   * Takes the job until `leaseUntil` if it is unfinished and nobody holds it at `now`; false when
   * another process holds it or it is finished. One statement, so two claimers cannot both win.
   */
  claim(id: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Unfinished jobs nobody holds at `now`, oldest first, at most `limit`. */
  claimable(now: number, limit: number): Promise<string[]>;
  /** Records progress (and extends the lease of the holder). */
  update(id: string, fields: { status: AdminJobStatus; error?: string | null; result?: JsonObject | null; leaseUntil: number; ts: number }): Promise<void>;
}
