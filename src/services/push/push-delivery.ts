import { retryDelayMs, type BackoffPolicy } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import type { PushAction } from '../../core/push-rules/types.js';
import { tweaksOf } from '../../core/push-rules/evaluate.js';
import { gatewayNotification } from '../../core/push/gateway-notification.js';
import type { JsonObject } from '../../core/json.js';
import type { NotificationRecord, PusherRecord, Store } from '../../storage/store.js';
import type { PushGateway } from './gateway-client.js';

/** A gateway that failed is tried again after 10 s, doubling up to an hour. */
export const PUSH_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 3_600_000 };
/** After this many failures in a row (more than a day of retries) a notification is given up. */
export const PUSH_MAX_FAILURES = 30;
/** Pushers served per pass, and notifications per pusher per pass. */
const PUSHERS_PER_PASS = 50;
const NOTIFICATIONS_PER_PUSHER = 20;

/**
 * Sends recorded notifications to the users' http pushers, one request per notification and
 * pusher, in order. A pusher's position advances only after its gateway took a notification, so
 * a crash re-sends at most the one in flight; a failure waits the backoff (core/backoff.ts, the
 * one retry policy) before the same notification is tried again. Notifications of rooms the user
 * has left since are passed over. Pushkeys the gateway rejects lose their pushers.
 */
export class PushDelivery {
  constructor(private readonly deps: { store: Store; clock: Clock; gateway: PushGateway; random: () => number }) {}

  /** Serves every pusher that is due; resolves to how many notifications were sent or passed over. */
  async deliverDue(): Promise<number> {
    const due = await this.deps.store.pushers.due(this.deps.clock.now(), PUSHERS_PER_PASS);
    // Pushers are independent: one slow gateway (up to its deadline) does not hold up the others.
    const done = await Promise.all(due.map((pusher) => this.serve(pusher)));
    return done.reduce((a, b) => a + b, 0);
  }

  private async serve(pusher: PusherRecord): Promise<number> {
    const { store, clock } = this.deps;
    const pending = await store.notifications.after(pusher.userId, pusher.deliveredPos, NOTIFICATIONS_PER_PUSHER);
    let done = 0;
    for (const n of pending) {
      const membership = (await store.memberships.get(n.roomId, pusher.userId))?.membership;
      const body = membership === 'join' || membership === 'invite' ? await this.body(pusher, n) : undefined;
      if (body !== undefined) {
        let rejected: string[];
        try {
          rejected = await this.deps.gateway.notify(String(pusher.data.url), body);
        } catch {
          if (pusher.failures + 1 < PUSH_MAX_FAILURES) {
            await store.pushers.fail(pusher, clock.now() + retryDelayMs(PUSH_BACKOFF, pusher.failures + 1, this.deps.random()));
            return done;
          }
          rejected = [];
        }
        if (rejected.length > 0) await store.pushers.delete(pusher.appId, rejected, pusher.userId);
        if (rejected.includes(pusher.pushkey)) return done + 1;
      }
      await store.pushers.advance(pusher, n.pos);
      pusher = { ...pusher, failures: 0 };
      done++;
    }
    return done;
  }

  /**
   * The gateway request for one notification, or undefined when its event is gone (purged) or was
   * redacted before it could be pushed: its content must not leave the server any more.
   */
  private async body(pusher: PusherRecord, n: NotificationRecord): Promise<JsonObject | undefined> {
    const { store } = this.deps;
    const stored = await store.events.get(n.eventId);
    if (!stored || stored.redactedBy !== null) return undefined;
    const { event } = stored;
    const full = pusher.data.format !== 'event_id_only';
    const sender = full ? await store.state.currentEvent(n.roomId, 'm.room.member', event.sender) : undefined;
    const name = full ? await store.state.currentEvent(n.roomId, 'm.room.name', '') : undefined;
    return gatewayNotification({
      event,
      userId: pusher.userId,
      device: { appId: pusher.appId, pushkey: pusher.pushkey, pushkeyTs: pusher.pushkeyTs, data: pusher.data },
      tweaks: tweaksOf(n.actions as PushAction[]),
      unread: await store.notifications.unreadCount(pusher.userId),
      senderDisplayName: stringOr(sender?.event.content.displayname),
      roomName: stringOr(name?.event.content.name),
    });
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
