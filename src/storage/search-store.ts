import type { RoomId, UserId, EventId } from '../core/ids.js';
import type { SearchKey } from '../core/search.js';
import type { StoredEvent } from './room-store.js';

/** A room to search and the last position the searcher may read there (their leave), if bounded. */
export interface SearchRange {
  roomId: RoomId;
  upTo?: number;
}

export interface SearchQuery {
  ranges: readonly SearchRange[];
  /** Every word must occur (see `searchWords`). */
  words: readonly string[];
  keys: readonly SearchKey[];
  order: 'rank' | 'recent';
  /** `rank`: results to pass over; `recent`: only events before this position. */
  offset?: number;
  beforePos?: number;
  limit: number;
}

/** A matching event and how well it matches (higher is better; comparable only within one query). */
export interface SearchHit {
  stored: StoredEvent;
  rank: number;
}

/** The full-text index of room events (filled by `events.append`, emptied by redaction and the purge). */
export interface SearchStore {
  /**
   * Indexed events matching every word under one of the keys, within the ranges: best first
   * (`rank`; ties newest first) or newest first (`recent`). Redacted events are never returned.
   */
  find(q: SearchQuery): Promise<SearchHit[]>;
}

export type ReportTarget =
  | { kind: 'event'; roomId: RoomId; eventId: EventId }
  | { kind: 'room'; roomId: RoomId }
  | { kind: 'user'; userId: UserId };

export interface Report {
  id: number;
  reporter: UserId;
  target: ReportTarget;
  reason: string | null;
  score: number | null;
  receivedTs: number;
}

/** Reports of events, rooms and users, kept for the server's admins. */
export interface ReportStore {
  add(report: Omit<Report, 'id'>): Promise<number>;
  /** Reports newest first, those with an ID below `beforeId` when given, at most `limit`. */
  list(o: { beforeId?: number; limit: number }): Promise<Report[]>;
  /**
   * Reports of events by ID (`dir` 'b': newest first), skipping `offset`, at most `limit`, and how many
   * match in all: `reporter` and `roomId` keep those whose IDs contain them (case-insensitive).
   */
  eventReports(o: { offset: number; limit: number; dir: 'f' | 'b'; reporter?: string; roomId?: string }): Promise<{ reports: Report[]; total: number }>;
  get(id: number): Promise<Report | undefined>;
  /** False when there was no such report. */
  delete(id: number): Promise<boolean>;
}
