import type { Clock } from '../../core/clock.js';
import { presenceEvent } from '../../core/ephemeral/presence.js';
import { receiptContent } from '../../core/ephemeral/receipts.js';
import type { RoomId, UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { MembershipRecord } from '../../storage/room-store.js';
import type { Store } from '../../storage/store.js';
import type { Typing } from '../ephemeral/typing.js';
import type { AccountData } from '../user-data/account-data.js';
import type { PushRules } from '../user-data/push-rules.js';
import { UnreadCounter, type UnreadCounts } from './unread.js';

export interface StreamPositions {
  accountData: number;
  receipts: number;
  presence: number;
  typing: number;
}

type Event = { type: string; content: JsonObject; sender?: string };

/** The non-timeline parts of /sync: account data, ephemeral events, presence, unread counts. */
export class SyncExtras {
  private readonly unreadCounter: UnreadCounter;

  constructor(private readonly deps: { store: Store; clock: Clock; accountData: AccountData; typing: Typing; pushRules: PushRules }) {
    this.unreadCounter = new UnreadCounter(deps);
  }

  async positions(): Promise<StreamPositions> {
    const c = this.deps.store.counters;
    const [accountData, receipts, presence] = await Promise.all([c.current('account_data'), c.current('receipts'), c.current('presence')]);
    return { accountData, receipts, presence, typing: this.deps.typing.position };
  }

  accountData(userId: UserId, since: number | undefined, upTo: number) {
    return this.deps.accountData.changes(userId, since, upTo);
  }

  /** Typing and receipts of the given rooms since the given positions (since 0: everything current). */
  async ephemeral(userId: UserId, roomIds: RoomId[], since: { receipts: number; typing: number }, upTo: number): Promise<Map<RoomId, Event[]>> {
    const out = new Map<RoomId, Event[]>();
    const add = (roomId: RoomId, e: Event) => out.set(roomId, [...(out.get(roomId) ?? []), e]);
    const typing = since.typing === 0
      ? new Map(roomIds.map((r) => [r, this.deps.typing.forRoom(r)] as const).filter(([, users]) => users.length > 0))
      : this.deps.typing.changedSince(roomIds, since.typing);
    for (const [roomId, users] of typing) add(roomId, { type: 'm.typing', content: { user_ids: users } });
    const receipts = await this.deps.store.receipts.changedSince(roomIds, since.receipts, upTo);
    for (const [roomId, records] of receipts) {
      const content = receiptContent(records, userId);
      if (content) add(roomId, { type: 'm.receipt', content: content as unknown as JsonObject });
    }
    return out;
  }

  /**
   * Presence of the users who share a joined room with this user: what changed since `since`, and
   * the current presence of users who newly share a room with them (either side joined after
   * `since.events`), whose earlier changes this user never saw.
   */
  async presence(joinedRooms: readonly MembershipRecord[], since: { presence: number; events: number } | undefined, upTo: number): Promise<Event[]> {
    const known = new Set<UserId>();
    const fresh = new Set<UserId>();
    for (const mine of joinedRooms) {
      for (const m of await this.deps.store.memberships.members(mine.roomId, ['join'])) {
        const isNew = since !== undefined && (mine.pos > since.events || m.pos > since.events);
        (isNew ? fresh : known).add(m.userId);
      }
    }
    for (const u of fresh) known.delete(u);
    const { presence } = this.deps.store;
    const records = [
      ...(fresh.size > 0 ? await presence.changedSince([...fresh], 0, upTo) : []),
      ...(known.size > 0 && (since?.presence ?? 0) < upTo ? await presence.changedSince([...known], since?.presence ?? 0, upTo) : []),
    ];
    const now = this.deps.clock.now();
    return records.map((r) => presenceEvent(r.userId, r, now) as unknown as Event);
  }

  /** Unread notification and highlight counts of the user in the room (see UnreadCounter). */
  unread(userId: UserId, roomId: RoomId, joinedAt: number, ignored: ReadonlySet<string>): Promise<UnreadCounts> {
    return this.unreadCounter.count(userId, roomId, joinedAt, ignored);
  }

  /** The same split by thread (`unread_thread_notifications`): the main timeline's, and each thread's by root. */
  unreadByThread(userId: UserId, roomId: RoomId, joinedAt: number, ignored: ReadonlySet<string>) {
    return this.unreadCounter.countByThread(userId, roomId, joinedAt, ignored);
  }
}
