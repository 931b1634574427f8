import { stateLookupOf } from '../../core/auth-rules/auth-events.js';
import { powerLevelsContent } from '../../core/auth-rules/levels.js';
import { MAIN_THREAD } from '../../core/ephemeral/receipts.js';
import { relationOf } from '../../core/events/relations.js';
import type { RoomEvent } from '../../core/events/types.js';
import type { EventId, RoomId, UserId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
import type { PushRuleset } from '../../core/push-rules/types.js';
import { evaluatePushRules } from '../../core/push-rules/evaluate.js';
import type { Store } from '../../storage/store.js';
import type { PushRules } from '../user-data/push-rules.js';

/** At most this many events after the read receipt are evaluated at once. */
const UNREAD_WINDOW = 200;
/** Counts kept for this many (user, room) pairs, least recently used dropped first. */
const CACHE_SIZE = 10_000;

export interface UnreadCounts {
  notification_count: number;
  highlight_count: number;
}

interface Counted extends UnreadCounts {
  /** Counting starts after this position (the read receipt's event, or the join). */
  from: number;
  /** The push rules and ignore list the events were evaluated with; a change recounts. */
  inputs: string;
  /** The last event counted. */
  upTo: number;
}

/**
 * Unread counts for /sync: events after the user's read receipt (or their join) that their push
 * rules say notify (and highlight). Each event is evaluated once, with the room as it is when it is
 * first counted (member count, power levels, the user's display name), as Synapse evaluates an event
 * when it is sent: the counts of a (user, room) are kept, and the next sync evaluates only the events
 * after the last one counted, as long as the receipt and the push rules are unchanged; otherwise the
 * latest UNREAD_WINDOW events after the receipt are counted afresh. The kept counts are derived from
 * stored data only, so every process may keep its own.
 */
export class UnreadCounter {
  private readonly counted = new Map<string, Counted>();

  constructor(private readonly deps: { store: Store; pushRules: PushRules }) {}

  /** Events of users in `ignored` are withheld from the user's /sync (but state), so they do not count either. */
  async count(userId: UserId, roomId: RoomId, joinedAt: number, ignored: ReadonlySet<string>): Promise<UnreadCounts> {
    const { store } = this.deps;
    const receipts = await store.receipts.latestFor(roomId, userId);
    let from = joinedAt;
    for (const e of await store.events.getMany(receipts.map((r) => r.eventId))) from = Math.max(from, e.pos);
    const head = await store.events.head(roomId);
    if (!head || head.pos <= from) return { notification_count: 0, highlight_count: 0 };

    const ruleset = await this.deps.pushRules.ruleset(userId);
    const inputs = JSON.stringify([ruleset, [...ignored].sort()]);
    const key = `${userId}\u0000${roomId}`;
    const kept = this.counted.get(key);
    const resume = kept !== undefined && kept.from === from && kept.inputs === inputs && head.pos - kept.upTo <= UNREAD_WINDOW;
    // Nothing after the last event counted: the kept counts stand, without reading the room.
    if (resume && head.pos <= kept.upTo) return { notification_count: kept.notification_count, highlight_count: kept.highlight_count };
    const events = resume
      ? await store.events.page(roomId, { dir: 'f', after: kept.upTo, limit: UNREAD_WINDOW })
      : await store.events.page(roomId, { dir: 'b', after: from, limit: UNREAD_WINDOW });
    const context = await this.context(userId, roomId);
    const counts: Counted = resume ? { ...kept } : { notification_count: 0, highlight_count: 0, from, inputs, upTo: from };
    for (const e of events) {
      counts.upTo = Math.max(counts.upTo, e.pos);
      tally(counts, ruleset, e.event, context, ignored);
    }
    this.counted.delete(key);
    this.counted.set(key, counts);
    if (this.counted.size > CACHE_SIZE) this.counted.delete(this.counted.keys().next().value as string);
    return { notification_count: counts.notification_count, highlight_count: counts.highlight_count };
  }

  /**
   * The counts split by thread (a room event filter's `unread_thread_notifications`): the main
   * timeline's (events in no thread, and thread roots) after the user's unthreaded or `main`
   * receipt, each thread's after their unthreaded receipt or the one of that thread. Evaluated
   * afresh each time over the latest UNREAD_WINDOW events after the unthreaded receipt (not kept).
   */
  async countByThread(userId: UserId, roomId: RoomId, joinedAt: number, ignored: ReadonlySet<string>): Promise<{ main: UnreadCounts; threads: Map<EventId, UnreadCounts> }> {
    const { store } = this.deps;
    const receipts = await store.receipts.latestFor(roomId, userId);
    const positions = new Map((await store.events.getMany(receipts.map((r) => r.eventId))).map((e) => [e.event.event_id, e.pos]));
    const fromOf = new Map<string, number>();
    for (const r of receipts) {
      const thread = r.threadId ?? '';
      fromOf.set(thread, Math.max(fromOf.get(thread) ?? joinedAt, positions.get(r.eventId) ?? joinedAt));
    }
    const base = Math.max(joinedAt, fromOf.get('') ?? joinedAt);
    const main: UnreadCounts = { notification_count: 0, highlight_count: 0 };
    const threads = new Map<EventId, UnreadCounts>();
    const events = await store.events.page(roomId, { dir: 'b', after: base, limit: UNREAD_WINDOW });
    if (events.length === 0) return { main, threads };
    const [ruleset, context] = [await this.deps.pushRules.ruleset(userId), await this.context(userId, roomId)];
    for (const e of events) {
      const relation = relationOf(e.event.content);
      const root = relation?.relType === 'm.thread' ? relation.eventId : undefined;
      if (e.pos <= Math.max(base, fromOf.get(root ?? MAIN_THREAD) ?? base)) continue;
      const counts = root === undefined ? main : threads.get(root) ?? { notification_count: 0, highlight_count: 0 };
      tally(counts, ruleset, e.event, context, ignored);
      if (root !== undefined && (counts.notification_count > 0 || counts.highlight_count > 0)) threads.set(root, counts);
    }
    return { main, threads };
  }

  /** What the push rules are evaluated against in this room now. */
  private async context(userId: UserId, roomId: RoomId) {
    const { store } = this.deps;
    const state = await store.state.current(roomId, [['m.room.power_levels', ''], ['m.room.create', ''], ['m.room.member', userId]]);
    // As numbers, whatever the content holds: before v10 a level may be a string ("100").
    const powerLevels = powerLevelsContent(stateLookupOf(state.map((s) => s.event)));
    const memberCount = (await store.memberships.counts(roomId)).join ?? 0;
    const displayName = state.find((s) => s.event.type === 'm.room.member')?.event.content.displayname;
    return {
      userId, roomMemberCount: memberCount, powerLevels,
      ...(typeof displayName === 'string' ? { displayName } : {}),
    };
  }
}

/**
 * Counts the event if the user's push rules say it notifies. Their own events never do, nor those
 * /sync withholds from them (an ignored user's, but state).
 */
function tally(counts: UnreadCounts, ruleset: PushRuleset, event: RoomEvent, context: Parameters<typeof evaluatePushRules>[2], ignored: ReadonlySet<string>): void {
  if (event.sender === context.userId || isFromIgnoredUser(event, ignored)) return;
  const result = evaluatePushRules(ruleset, event, context);
  if (result.notify) counts.notification_count++;
  if (result.highlight) counts.highlight_count++;
}
