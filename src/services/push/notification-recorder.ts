import { stateLookupOf } from '../../core/auth-rules/auth-events.js';
import { powerLevelsContent, type PowerLevels } from '../../core/auth-rules/levels.js';
import { domainOf, type RoomId, type UserId } from '../../core/ids.js';
import { isWithheldNotification } from '../../core/ignored-users.js';
import { evaluatePushRules } from '../../core/push-rules/evaluate.js';
import type { PushRuleset } from '../../core/push-rules/types.js';
import type { NotificationRecord, Store, StoredEvent } from '../../storage/store.js';
import { ignoredUsersOfMany } from '../user-data/ignored-users.js';
import type { PushRules } from '../user-data/push-rules.js';

/** Members whose rules are read or evaluated between two yields to the event loop. */
const YIELD_EVERY = 250;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Events evaluated per transaction. */
const BATCH = 100;

/**
 * Records a notification row for every (event, local user) whose push rules say notify, off the
 * send path: events are read in stream order after a stored position, and the rows and the new
 * position are written in one transaction, so a crash re-evaluates a batch, never skips one
 * (re-recorded rows are ignored). The work per event does not grow in round trips with the
 * room's size: its joined members, their display names and the power levels are one query each,
 * and the rulesets of everyone in the batch one more.
 *
 * The recipients are the local users joined when the event was sent (joined before it and still
 * joined) and the target of an invite; their own events never notify them, nor what /sync
 * withholds from them (messages and invites of users they ignore).
 */
export class NotificationRecorder {
  private running: Promise<number> | undefined;

  constructor(private readonly deps: { store: Store; pushRules: PushRules; serverName: string }) {}

  /** Evaluates every event not yet evaluated; resolves to how many notifications were recorded. A running pass is joined. */
  catchUp(): Promise<number> {
    this.running ??= this.deps.store.runAlone('push-evaluation', () => this.all()).then((n) => n ?? 0).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async all(): Promise<number> {
    let recorded = 0;
    for (;;) {
      const { store } = this.deps;
      // Never past a write still under way: progress moves on only over positions that are settled.
      const events = await store.events.after(await store.notifications.progress(), await store.events.readablePos(), BATCH);
      if (events.length === 0) return recorded;
      const rows = await this.evaluate(events);
      await store.transaction(async (tx) => {
        await tx.notifications.add(rows);
        await tx.notifications.setProgress(events[events.length - 1]!.pos);
      });
      recorded += rows.length;
    }
  }

  private async evaluate(events: StoredEvent[]): Promise<NotificationRecord[]> {
    const rooms = new Map<RoomId, StoredEvent[]>();
    for (const e of events) rooms.set(e.event.room_id, [...(rooms.get(e.event.room_id) ?? []), e]);
    const contexts = new Map<RoomId, RoomContext>();
    for (const roomId of rooms.keys()) contexts.set(roomId, await this.roomContext(roomId));
    const everyone = new Set<UserId>();
    for (const c of contexts.values()) for (const m of c.members) everyone.add(m.userId);
    for (const e of events) { const t = inviteTarget(e); if (t && this.isLocal(t)) everyone.add(t); }
    // In slices, yielding between them: a room of thousands must not hold the event loop (and so
    // every request, leaves included) for the whole evaluation.
    const rulesets = new Map<UserId, PushRuleset>();
    const ignoring = new Map<UserId, ReadonlySet<string>>();
    const users = [...everyone];
    for (let i = 0; i < users.length; i += YIELD_EVERY) {
      const slice = users.slice(i, i + YIELD_EVERY);
      for (const [u, r] of await this.deps.pushRules.rulesets(slice)) rulesets.set(u, r);
      for (const [u, ignored] of await ignoredUsersOfMany(this.deps.store, slice)) ignoring.set(u, ignored);
      await yieldToRequests();
    }

    const rows: NotificationRecord[] = [];
    for (const e of events) {
      const context = contexts.get(e.event.room_id)!;
      const recipients = context.members.filter((m) => m.pos < e.pos).map((m) => m.userId);
      const target = inviteTarget(e);
      if (target && this.isLocal(target) && !recipients.includes(target)) recipients.push(target);
      for (const [n, userId] of recipients.entries()) {
        if (n > 0 && n % YIELD_EVERY === 0) await yieldToRequests();
        const ruleset = rulesets.get(userId);
        if (!ruleset) continue;
        // Spec ("Ignoring Users"): what /sync withholds from the user does not notify them either.
        const ignored = ignoring.get(userId);
        if (ignored && isWithheldNotification(e.event, userId, ignored)) continue;
        const displayName = context.displayNames.get(userId);
        const result = evaluatePushRules(ruleset, e.event, {
          userId, roomMemberCount: context.joinedCount, powerLevels: context.powerLevels,
          ...(displayName === undefined ? {} : { displayName }),
        });
        if (!result.notify) continue;
        rows.push({
          userId, roomId: e.event.room_id, eventId: e.event.event_id, pos: e.pos,
          highlight: result.highlight, actions: [...result.actions], ts: e.event.origin_server_ts,
        });
      }
    }
    return rows;
  }

  /** The room as its events are evaluated against, as `sync/unread.ts` evaluates them: joined local members, their names, the member count, the power levels. */
  private async roomContext(roomId: RoomId): Promise<RoomContext> {
    const { store } = this.deps;
    const joined = await store.memberships.members(roomId, ['join']);
    const members = joined.filter((m) => this.isLocal(m.userId)).map((m) => ({ userId: m.userId, pos: m.pos }));
    const keys: Array<readonly [string, string]> = [['m.room.power_levels', ''], ['m.room.create', ''], ...members.map((m) => ['m.room.member', m.userId] as const)];
    const state = (await store.state.current(roomId, keys)).map((s) => s.event);
    const displayNames = new Map<UserId, string>();
    for (const e of state) {
      if (e.type === 'm.room.member' && typeof e.content.displayname === 'string') displayNames.set(e.state_key as UserId, e.content.displayname);
    }
    // As numbers, whatever the content holds (before v10 a level may be a string), as /sync's unread counts read them.
    const powerLevels = powerLevelsContent(stateLookupOf(state));
    return { members, displayNames, joinedCount: joined.length, powerLevels };
  }

  private isLocal(userId: string): boolean {
    return domainOf(userId as UserId) === this.deps.serverName;
  }
}

interface RoomContext {
  /** Joined local members, with the position of their join. */
  members: Array<{ userId: UserId; pos: number }>;
  displayNames: Map<UserId, string>;
  /** Every joined member, local or not: the `room_member_count` condition counts them all. */
  joinedCount: number;
  powerLevels: PowerLevels;
}

function inviteTarget(e: StoredEvent): UserId | undefined {
  const { event } = e;
  return event.type === 'm.room.member' && event.content.membership === 'invite' ? event.state_key as UserId : undefined;
}
