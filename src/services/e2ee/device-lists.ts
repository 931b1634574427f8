import { invalidParam } from '../../core/errors.js';
import type { DeviceId, UserId } from '../../core/ids.js';
import { parseSyncToken } from '../../core/sync-token.js';
import type { Store } from '../../storage/store.js';
import type { Change, Notifier } from '../notifier.js';
import type { Requester } from '../requester.js';
import { deviceListDelta, type DeviceListDelta } from './device-list-delta.js';

/**
 * The device-list stream: a user's devices or keys changed. A change is recorded inside the
 * writing transaction (`record`) and announced after commit (`announce`) to the user and to
 * everyone who shares a room with them, whose /sync then reports the user in `device_lists.changed`.
 */
export class DeviceLists {
  constructor(private readonly deps: { store: Store; notifier: Notifier }) {}

  /** Records a change of the user's devices or keys in `tx`; returns what to announce once it commits. */
  async record(tx: Store, userId: UserId): Promise<Change> {
    const pos = await tx.counters.next('device_lists');
    await tx.e2ee.deviceLists.markChanged(userId, pos);
    // Read inside the transaction so that nothing can fail between the commit and the announcement.
    const userIds = await tx.e2ee.deviceLists.sharingRoomWith(userId);
    userIds.add(userId);
    return { pos, userIds: [...userIds] };
  }

  announce(change: Change | undefined): void {
    if (change) this.deps.notifier.announce(change);
  }

  /**
   * Deletes devices of the user in `tx` (the store removes their access tokens, keys and to-device
   * messages with them) and, when one of them had published identity keys, records a device-list
   * change. `allExcept` deletes every device but that one (or every device when undefined).
   */
  async deleteDevices(tx: Store, userId: UserId, which: { deviceIds: readonly DeviceId[] } | { allExcept: DeviceId | undefined }): Promise<Change | undefined> {
    const withKeys = await tx.e2ee.deviceKeys.deviceIdsWithKeys(userId);
    let hadKeys: boolean;
    if ('deviceIds' in which) {
      for (const id of which.deviceIds) await tx.devices.delete(userId, id);
      hadKeys = withKeys.some((id) => which.deviceIds.includes(id));
    } else {
      await tx.devices.deleteAll(userId, which.allExcept);
      hadKeys = withKeys.some((id) => id !== which.allExcept);
    }
    return hadKeys ? this.record(tx, userId) : undefined;
  }

  /** `GET /keys/changes`: the device-list news between two /sync tokens. */
  async changes(requester: Requester, fromToken: string, toToken: string): Promise<DeviceListDelta> {
    const from = parseSyncToken(fromToken);
    const to = parseSyncToken(toToken);
    if (!from) throw invalidParam('Invalid `from` token');
    if (!to) throw invalidParam('Invalid `to` token');
    return deviceListDelta(this.deps.store, requester.userId, from, to);
  }
}
