/**
 * Receipts (Client-Server API "Receipts"): the types a client may send, thread IDs, and the
 * `m.receipt` event content /sync delivers.
 */
import { parseEventId } from '../ids.js';

/** Receipts kept in the receipts stream. `m.fully_read` is a receipt type too, but it is stored as room account data. */
export type ReceiptType = 'm.read' | 'm.read.private';
export const RECEIPT_TYPES: readonly ReceiptType[] = ['m.read', 'm.read.private'];
export const FULLY_READ = 'm.fully_read';

export function isReceiptType(value: string): value is ReceiptType {
  return (RECEIPT_TYPES as readonly string[]).includes(value);
}

/** The thread of receipts on events outside any thread. */
export const MAIN_THREAD = 'main';

/** Whether `threadId` names a thread: `main` or a thread root's event ID. Returns a reason when it does not. */
export function checkThreadId(threadId: unknown): string | undefined {
  if (typeof threadId !== 'string' || threadId === '') return 'thread_id must be a non-empty string';
  if (threadId !== MAIN_THREAD && parseEventId(threadId) === undefined) return 'thread_id must be "main" or an event ID';
  return undefined;
}

/** One user's receipt of one type (and thread) in a room. */
export interface ReceiptEntry {
  userId: string;
  receiptType: string;
  /** null for an unthreaded receipt. */
  threadId: string | null;
  eventId: string;
  ts: number;
}

type ReceiptContent = Record<string, Record<string, Record<string, { ts: number; thread_id?: string }>>>;

/**
 * The content of the `m.receipt` event that shows `receipts` (of one room) to `viewer`:
 * `{ eventId: { receiptType: { userId: { ts, thread_id? } } } }`. Private receipts are only
 * ever shown to their owner. Undefined when nothing is left to show.
 */
export function receiptContent(receipts: readonly ReceiptEntry[], viewer: string): ReceiptContent | undefined {
  const content: ReceiptContent = {};
  let any = false;
  for (const r of receipts) {
    if (r.receiptType === 'm.read.private' && r.userId !== viewer) continue;
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = r.threadId === null ? { ts: r.ts } : { ts: r.ts, thread_id: r.threadId };
    any = true;
  }
  return any ? content : undefined;
}
