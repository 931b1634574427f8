import type { QuotaConfig } from '../config/schema.js';
import { userLimitExceeded, type MatrixError } from '../core/errors.js';
import type { DeviceId, RoomId, UserId } from '../core/ids.js';
import type { Store } from '../storage/store.js';

/** Pushers one account may have: a handful per device is plenty, and each costs a request per notification. */
export const MAX_PUSHERS_PER_USER = 100;

/**
 * Per-user quotas (config `quotas`, SECURITY.md). Each check runs inside the writing transaction,
 * after taking the user's quota lock, so concurrent writes of one user are counted one after
 * another and cannot overshoot; a refusal throws, which rolls the whole write back. Replacing
 * something without growing it is always allowed, even over a quota (data stored before it existed).
 */
export class Quotas {
  constructor(readonly limits: QuotaConfig) {}

  /** Before an account data entry is created or replaced: its entries and bytes must stay within the quota. */
  async checkAccountData(tx: Store, entry: { userId: UserId; roomId: RoomId | ''; type: string; bytes: number }, notCounted: readonly string[]): Promise<void> {
    const { userId, roomId, type, bytes } = entry;
    await tx.accounts.lock(userId);
    const before = await tx.accountData.size(userId, roomId, type);
    if (before !== undefined && bytes <= before) return;
    const usage = await tx.accountData.usage(userId, notCounted);
    const { accountDataEntries, accountDataBytes } = this.limits;
    if (before === undefined && usage.entries + 1 > accountDataEntries) {
      throw this.refuse(`You may keep at most ${accountDataEntries} account data entries; delete some (set them to {}) first`);
    }
    if (usage.bytes - (before ?? 0) + bytes > accountDataBytes) {
      throw this.refuse(`Your account data may hold at most ${accountDataBytes} bytes in all`);
    }
  }

  /** Before a device is created (login, registration): a device that exists already is always fine. */
  async checkNewDevice(tx: Store, userId: UserId, deviceId: DeviceId): Promise<void> {
    await tx.accounts.lock(userId);
    if (await tx.devices.get(userId, deviceId)) return;
    if ((await tx.devices.count(userId)) >= this.limits.devices) {
      throw this.refuse(`You may have at most ${this.limits.devices} devices; log out of some first`);
    }
  }

  /** Before a pusher is set: replacing one of the user's is always fine, a new one must fit. */
  async checkNewPusher(tx: Store, userId: UserId, key: { appId: string; pushkey: string }): Promise<void> {
    await tx.accounts.lock(userId);
    const pushers = await tx.pushers.list(userId);
    if (pushers.some((p) => p.appId === key.appId && p.pushkey === key.pushkey)) return;
    if (pushers.length >= MAX_PUSHERS_PER_USER) throw this.refuse(`You may have at most ${MAX_PUSHERS_PER_USER} pushers; delete some first`);
  }

  /**
   * Runs `write` (an upload of one-time and fallback keys) and refuses it when it left the device
   * holding more keys than the quota, and more than before.
   */
  async withinDeviceKeys<T>(tx: Store, userId: UserId, deviceId: DeviceId, write: () => Promise<T>): Promise<T> {
    await tx.accounts.lock(userId);
    const before = await this.deviceKeyCount(tx, userId, deviceId);
    const value = await write();
    const after = await this.deviceKeyCount(tx, userId, deviceId);
    if (after > before && after > this.limits.oneTimeKeysPerDevice) {
      throw this.refuse(`A device may hold at most ${this.limits.oneTimeKeysPerDevice} unclaimed one-time and fallback keys`);
    }
    return value;
  }

  /** After a filter is stored: the oldest beyond the quota are deleted rather than the upload refused. */
  async trimFilters(tx: Store, userId: UserId): Promise<void> {
    await tx.accounts.lock(userId);
    await tx.filters.trim(userId, this.limits.filters);
  }

  private async deviceKeyCount(tx: Store, userId: UserId, deviceId: DeviceId): Promise<number> {
    const counts = await tx.e2ee.oneTimeKeys.counts(userId, deviceId);
    const fallback = await tx.e2ee.fallbackKeys.algorithms(userId, deviceId);
    return Object.values(counts).reduce((a, b) => a + b, 0) + fallback.length;
  }

  /** An upload that would take the user's media past `media_bytes`. */
  refuseMedia(): MatrixError {
    return this.refuse(`Your uploads may hold at most ${this.limits.mediaBytes} bytes in all`);
  }

  private refuse(message: string): MatrixError {
    return userLimitExceeded(message, this.limits.infoUri);
  }
}
