import type { JsonObject } from '../core/json.js';

/** Work that must reach another server, queued durably (src/services/federation/outbox.ts). */
export interface OutboxItem {
  /** Tells an item from a later one with the same supersede key. */
  id: number;
  kind: string;
  /** At most one item per key: e.g. room ID and user ID, so a newer membership replaces an older one. */
  supersedeKey: string;
  /** Candidate servers, in the order to try them. */
  destinations: string[];
  payload: JsonObject;
  /** Failed attempts so far. */
  attempts: number;
  nextAttemptTs: number;
  lastError: string | null;
  createdTs: number;
}

export interface OutboxStore {
  /** Queues the item, due at `createdTs`, replacing any item with its supersede key; returns its id. */
  enqueue(item: Pick<OutboxItem, 'kind' | 'supersedeKey' | 'destinations' | 'payload' | 'createdTs'>): Promise<number>;
  /** Drops the item with this key (superseded); returns whether there was one. */
  cancel(supersedeKey: string): Promise<boolean>;
  /**
   * Claims up to `limit` items due at `now`, earliest first, by moving their next attempt to
   * `leaseUntil`: another claimer (in any process) skips them until then.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxItem[]>;
  /** Removes the item (delivered or given up); false when it was replaced or cancelled meanwhile. */
  remove(id: number): Promise<boolean>;
  /** Records a failed attempt: one more attempt, the next one at `nextAttemptTs`. No-op when replaced. */
  reschedule(id: number, nextAttemptTs: number, lastError: string): Promise<void>;
  get(supersedeKey: string): Promise<OutboxItem | undefined>;
  count(): Promise<number>;
  /** When the earliest item is due (leases included), or undefined when the outbox is empty. */
  nextDueTs(): Promise<number | undefined>;
}
