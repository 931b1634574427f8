import type { Clock } from '../../core/clock.js';
import type { Config } from '../../config/schema.js';
import { queueFull, tooLarge } from '../../core/errors.js';
import { domainOf, type DeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store, ToDeviceDelivery } from '../../storage/store.js';
import type { Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';

/** user ID -> device ID (or `*` for all of the user's devices) -> message content. */
export type ToDeviceMessages = ReadonlyMap<UserId, ReadonlyMap<string, JsonObject>>;

/** Messages per /sync response (the spec recommends 100); the rest follow in the next ones. */
const SYNC_LIMIT = 100;

export interface ToDeviceEvent {
  sender: UserId;
  type: string;
  content: JsonObject;
}

/**
 * Send-to-device messaging: `PUT /sendToDevice/{eventType}/{txnId}` queues one message per
 * recipient device; /sync hands a device its messages in order of arrival, and deletes them once
 * a later /sync's `since` shows the client has them. Messages for other servers are dropped (no
 * federation), as are those for unknown users or devices.
 *
 * Bounded (`to_device` settings): a message's content size and the messages one request queues
 * (413 `M_TOO_LARGE`), and the undelivered messages a device holds. A device whose queue is full
 * gets nothing from the request, so one device that never syncs cannot block the messages (room
 * keys) for its owner's live devices; when every recipient is full the request is refused with
 * 429 `M_LIMIT_EXCEEDED`, which the sender may retry once the recipient has synced.
 */
export class ToDevice {
  constructor(private readonly deps: { store: Store; clock: Clock; notifier: Notifier; serverName: string; limits: Config['toDevice'] }) {}

  async send(requester: Requester, eventType: string, txnId: string, messages: ToDeviceMessages): Promise<void> {
    const { store } = this.deps;
    this.checkSizes(messages);
    const all = await this.recipients(messages);
    if (all.length > this.deps.limits.maxMessagesPerRequest) throw tooManyMessages(this.deps.limits.maxMessagesPerRequest);
    const result = await store.transaction(async (tx) => {
      // The transaction ID is recorded even when nothing is delivered: a retry must stay a no-op.
      if (!(await tx.e2ee.toDevice.claimTxn(requester.userId, requester.deviceId, txnId, this.deps.clock.now()))) return undefined;
      if (all.length === 0) return undefined;
      // Concurrent sends may each find the last place free: a queue can overshoot by one message a sender.
      const full = await this.fullQueues(tx, all);
      const deliveries = all.filter((d) => !full.has(queueKey(d)));
      // Thrown inside the transaction: the transaction ID is not kept, so a retry is a new attempt.
      if (deliveries.length === 0) throw queueFull('The recipient devices have too many undelivered messages');
      const pos = await tx.counters.next('to_device');
      await tx.e2ee.toDevice.add(pos, requester.userId, eventType, deliveries, this.deps.clock.now());
      return { pos, userIds: [...new Set(deliveries.map((d) => d.userId))] };
    });
    if (result !== undefined) this.deps.notifier.announce(result);
  }

  /** 413 before any lookup: too many messages named, or one message's content too large. */
  private checkSizes(messages: ToDeviceMessages): void {
    const { maxContentBytes, maxMessagesPerRequest } = this.deps.limits;
    let named = 0;
    for (const byDevice of messages.values()) {
      named += byDevice.size;
      if (named > maxMessagesPerRequest) throw tooManyMessages(maxMessagesPerRequest);
      for (const content of byDevice.values()) {
        if (Buffer.byteLength(JSON.stringify(content)) > maxContentBytes) {
          throw tooLarge(`A to-device message's content may be at most ${maxContentBytes} bytes`);
        }
      }
    }
  }

  /** The recipients whose queues hold `maxPendingPerDevice` messages or more. */
  private async fullQueues(tx: Store, deliveries: readonly ToDeviceDelivery[]): Promise<Set<string>> {
    const counts = await tx.e2ee.toDevice.pendingCounts([...new Set(deliveries.map((d) => d.userId))]);
    return new Set(counts.filter((c) => c.count >= this.deps.limits.maxPendingPerDevice).map(queueKey));
  }

  /**
   * The device's messages after `since` (the position its last /sync token holds) up to `upTo`,
   * after deleting the ones `since` acknowledges. `pos` is the to-device position for the next
   * token: `upTo`, or the last message given when more are waiting.
   */
  async forSync(requester: Requester, since: number, upTo: number): Promise<{ events: ToDeviceEvent[]; pos: number }> {
    const { store } = this.deps;
    const { userId, deviceId } = requester;
    if (since > 0) await store.transaction((tx) => tx.e2ee.toDevice.deleteThrough(userId, deviceId, since));
    const pending = await store.e2ee.toDevice.pending(userId, deviceId, since, upTo, SYNC_LIMIT);
    const pos = pending.length === SYNC_LIMIT ? pending[pending.length - 1]!.pos : upTo;
    return { events: pending.map((m) => ({ sender: m.sender, type: m.type, content: m.content })), pos };
  }

  /** One delivery per existing local device; a message to a device by name wins over one to `*`. */
  private async recipients(messages: ToDeviceMessages): Promise<ToDeviceDelivery[]> {
    const out: ToDeviceDelivery[] = [];
    for (const [userId, byDevice] of messages) {
      if (domainOf(userId) !== this.deps.serverName) continue;
      const devices = (await this.deps.store.devices.list(userId)).map((d) => d.deviceId);
      const chosen = new Map<DeviceId, JsonObject>();
      const all = byDevice.get('*');
      if (all) for (const d of devices) chosen.set(d, all);
      for (const [deviceId, content] of byDevice) {
        if (deviceId !== '*' && devices.includes(deviceId as DeviceId)) chosen.set(deviceId as DeviceId, content);
      }
      for (const [deviceId, content] of chosen) out.push({ userId, deviceId, content });
    }
    return out;
  }
}

const queueKey = (d: { userId: UserId; deviceId: DeviceId }): string => `${d.userId} ${d.deviceId}`;

const tooManyMessages = (max: number) => tooLarge(`One request may queue at most ${max} to-device messages`);
