import type { JsonObject } from '../../core/json.js';
import type { SyncToken } from '../../core/sync-token.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import { deviceListDelta } from './device-list-delta.js';
import { oneTimeKeyCounts } from './one-time-keys.js';
import type { ToDevice } from './to-device.js';

export interface E2eeSyncSection {
  /** `to_device`, `device_lists`, `device_one_time_keys_count`, `device_unused_fallback_key_types`. */
  body: JsonObject;
  /** Whether there is nothing a waiting client must be woken for (key counts are not news). */
  empty: boolean;
  /** The to-device position for `next_batch` (short of `now` when messages are left for the next sync). */
  toDevice: number;
}

/** What /sync reports for end-to-end encryption (spec: "Extensions to /sync" of E2EE and of send-to-device). */
export class E2eeSync {
  constructor(private readonly deps: { store: Store; toDevice: ToDevice }) {}

  async positions(): Promise<Pick<SyncToken, 'toDevice' | 'deviceLists'>> {
    const c = this.deps.store.counters;
    const [toDevice, deviceLists] = await Promise.all([c.current('to_device'), c.current('device_lists')]);
    return { toDevice, deviceLists };
  }

  /** `device_lists` only on an incremental sync, as the spec says; the rest on every sync. */
  async section(requester: Requester, since: SyncToken | undefined, now: SyncToken): Promise<E2eeSyncSection> {
    const { store } = this.deps;
    const { userId, deviceId } = requester;
    const toDevice = await this.deps.toDevice.forSync(requester, since?.toDevice ?? 0, now.toDevice);
    const lists = since === undefined ? { changed: [], left: [] } : await deviceListDelta(store, userId, since, now);
    const body = {
      to_device: { events: toDevice.events },
      device_lists: lists,
      device_one_time_keys_count: await oneTimeKeyCounts(store, userId, deviceId),
      device_unused_fallback_key_types: await store.e2ee.fallbackKeys.unusedAlgorithms(userId, deviceId),
    };
    const empty = toDevice.events.length === 0 && lists.changed.length === 0 && lists.left.length === 0;
    return { body: body as unknown as JsonObject, empty, toDevice: toDevice.pos };
  }
}
