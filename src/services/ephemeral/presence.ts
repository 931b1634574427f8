import type { Clock } from '../../core/clock.js';
import { CURRENTLY_ACTIVE_MS, LAST_ACTIVE_GRANULARITY_MS, presenceContent, type PresenceContent, type PresenceState } from '../../core/ephemeral/presence.js';
import { forbidden, notFound } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Store } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { BucketRule, RateLimiter } from '../rate-limiter.js';
import type { Requester } from '../requester.js';

/**
 * Presence (`/presence/{userId}/status`). A user may see the presence of users they share a
 * joined room with. A change of state or status message takes a new position in the presence
 * stream and wakes /sync; mere activity only updates `last_active_ts`, so that clients that
 * report presence on every /sync do not wake each other in a loop. A change wakes only the syncs of
 * those who may see it: the user and the users sharing a joined room with them.
 */
export class Presence {
  /** `limit`: the per-user rule for changes made by /sync (`coarse`); absent when rate limits are off. */
  constructor(private readonly deps: { store: Store; clock: Clock; notifier: Notifier; limit?: { limiter: RateLimiter; rule: BucketRule } }) {}

  async set(requester: Requester, userId: UserId, presence: PresenceState, statusMsg: string | null): Promise<void> {
    if (requester.userId !== userId) throw forbidden('Cannot set the presence of other users');
    await this.update(userId, presence, statusMsg);
  }

  async get(requester: Requester, userId: UserId): Promise<PresenceContent | { presence: 'offline' }> {
    const { store } = this.deps;
    if (requester.userId !== userId) {
      if (!(await store.accounts.exists(userId))) throw notFound('Unknown user');
      if (!(await this.shareRoom(requester.userId, userId))) throw forbidden('You are not allowed to see their presence');
    }
    const record = await store.presence.get(userId);
    return record ? presenceContent(record, this.deps.clock.now()) : { presence: 'offline' };
  }

  /**
   * Records the user's presence and activity now. `statusMsg` undefined keeps the current message
   * (what /sync's `set_presence` wants); null clears it. With `coarse` (a /sync), activity is
   * recorded to the minute, like Synapse does: a client syncing in a loop does not write, and wait
   * for a disk sync, on every request. A /sync's change beyond the user's presence limit is ignored
   * (a GET is not refused for it): toggling presence by /sync cannot flood the server with writes.
   */
  async update(userId: UserId, presence: PresenceState, statusMsg?: string | null, options: { coarse?: boolean } = {}): Promise<void> {
    const now = this.deps.clock.now();
    const pos = await this.deps.store.transaction(async (tx) => {
      const old = await tx.presence.get(userId);
      const message = statusMsg === undefined ? (old?.statusMsg ?? null) : statusMsg;
      // Unchanged, and `currently_active` (what a client derives from activity) unchanged too.
      const stillActive = presence !== 'online' || (old !== undefined && now - old.lastActiveTs < CURRENTLY_ACTIVE_MS);
      if (old && old.presence === presence && old.statusMsg === message && stillActive) {
        if (!options.coarse || now - old.lastActiveTs >= LAST_ACTIVE_GRANULARITY_MS) await tx.presence.touch(userId, now);
        return undefined;
      }
      const { limit } = this.deps;
      if (options.coarse && limit && limit.limiter.take('presence', userId, limit.rule) > 0) return undefined;
      const pos = await tx.counters.next('presence');
      await tx.presence.put({ userId, presence, statusMsg: message, lastActiveTs: now, pos });
      return pos;
    });
    if (pos !== undefined) this.deps.notifier.announce({ pos, userIds: await this.audience(userId) });
  }

  /** The user and everyone sharing a joined room with them: the only syncs a change of theirs concerns. */
  private async audience(userId: UserId): Promise<UserId[]> {
    const { memberships } = this.deps.store;
    const users = new Set<UserId>([userId]);
    for (const m of await memberships.roomsOf(userId, ['join'])) {
      for (const member of await memberships.members(m.roomId, ['join'])) users.add(member.userId);
    }
    return [...users];
  }

  private async shareRoom(a: UserId, b: UserId): Promise<boolean> {
    const [ra, rb] = await Promise.all([
      this.deps.store.memberships.roomsOf(a, ['join']),
      this.deps.store.memberships.roomsOf(b, ['join']),
    ]);
    const mine = new Set(ra.map((m) => m.roomId));
    return rb.some((m) => mine.has(m.roomId));
  }
}
