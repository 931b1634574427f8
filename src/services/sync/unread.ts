import { stateLookupOf } from '../../core/auth-rules/auth-events.js';
import { powerLevelsContent } from '../../core/auth-rules/levels.js';
import type { RoomId, UserId } from '../../core/ids.js';
import { isFromIgnoredUser } from '../../core/ignored-users.js';
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
      if (e.event.sender === userId || isFromIgnoredUser(e.event, ignored)) continue;
      const result = evaluatePushRules(ruleset, e.event, context);
      if (result.notify) counts.notification_count++;
      if (result.highlight) counts.highlight_count++;
    }
    this.counted.delete(key);
    this.counted.set(key, counts);
    if (this.counted.size > CACHE_SIZE) this.counted.delete(this.counted.keys().next().value as string);
    return { notification_count: counts.notification_count, highlight_count: counts.highlight_count };
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
