import type { Clock } from '../../core/clock.js';
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
 */
export class ToDevice {
  constructor(private readonly deps: { store: Store; clock: Clock; notifier: Notifier; serverName: string }) {}

  async send(requester: Requester, eventType: string, txnId: string, messages: ToDeviceMessages): Promise<void> {
    const { store } = this.deps;
    const deliveries = await this.recipients(messages);
    const result = await store.transaction(async (tx) => {
      // The transaction ID is recorded even when nothing is delivered: a retry must stay a no-op.
      if (!(await tx.e2ee.toDevice.claimTxn(requester.userId, requester.deviceId, txnId, this.deps.clock.now()))) return undefined;
      if (deliveries.length === 0) return undefined;
      const pos = await tx.counters.next('to_device');
      await tx.e2ee.toDevice.add(pos, requester.userId, eventType, deliveries);
      return pos;
    });
    if (result !== undefined) this.deps.notifier.announce({ pos: result, userIds: [...new Set(deliveries.map((d) => d.userId))] });
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
