import { invalidParam } from '../../core/errors.js';
import { sameJson, splitKeyName } from '../../core/e2ee/key-json.js';
import { domainOf, type DeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { PublishedKey, Store } from '../../storage/store.js';

/** Olm's one-time key algorithm: the count clients look for even when it is zero. */
const SIGNED_CURVE25519 = 'signed_curve25519';

/** Parses an upload's `one_time_keys` or `fallback_keys` map (`<algorithm>:<key_id>` -> key). */
export function parsePublishedKeys(map: JsonObject | undefined, field: string): PublishedKey[] {
  if (map === undefined) return [];
  return Object.entries(map).map(([name, value]) => {
    const parts = splitKeyName(name);
    if (!parts) throw invalidParam(`${field}: key names must be <algorithm>:<key_id>, got ${JSON.stringify(name)}`);
    return { ...parts, value };
  });
}

/**
 * Stores uploaded one-time keys in `tx`. Uploading a key again unchanged is a no-op (a retried
 * request); a different key under an ID already in use is refused.
 */
export async function addOneTimeKeys(tx: Store, userId: UserId, deviceId: DeviceId, keys: readonly PublishedKey[]): Promise<void> {
  if (keys.length === 0) return;
  const existing = await tx.e2ee.oneTimeKeys.find(userId, deviceId, keys);
  const stored = new Map(existing.map((k) => [`${k.algorithm}:${k.keyId}`, k.value]));
  const fresh: PublishedKey[] = [];
  for (const key of keys) {
    const name = `${key.algorithm}:${key.keyId}`;
    const before = stored.get(name);
    if (before === undefined) fresh.push(key);
    else if (!sameJson(before, key.value)) throw invalidParam(`One-time key ${name} already exists with a different value`);
  }
  await tx.e2ee.oneTimeKeys.add(userId, deviceId, fresh);
}

/** Unclaimed one-time keys of a device per algorithm, `signed_curve25519` always present. */
export async function oneTimeKeyCounts(store: Store, userId: UserId, deviceId: DeviceId): Promise<Record<string, number>> {
  return { [SIGNED_CURVE25519]: 0, ...(await store.e2ee.oneTimeKeys.counts(userId, deviceId)) };
}

export type ClaimResult = { one_time_keys: Record<string, Record<string, Record<string, JsonObject | string>>>; failures: Record<string, JsonObject> };

/**
 * `POST /keys/claim`: for each requested device and algorithm, its oldest one-time key (removed:
 * no one else will get it) or, when none is left, its fallback key (kept, marked used). Devices
 * without either are absent from the result. Users of other servers are not reachable (no federation).
 */
export class OneTimeKeys {
  constructor(private readonly deps: { store: Store; serverName: string }) {}

  async claim(query: ReadonlyMap<UserId, ReadonlyMap<DeviceId, string>>): Promise<ClaimResult> {
    const result: ClaimResult = { one_time_keys: {}, failures: {} };
    await this.deps.store.transaction(async (tx) => {
      for (const [userId, devices] of query) {
        if (domainOf(userId) !== this.deps.serverName) continue;
        for (const [deviceId, algorithm] of devices) {
          const key = (await tx.e2ee.oneTimeKeys.claim(userId, deviceId, algorithm)) ?? (await tx.e2ee.fallbackKeys.claim(userId, deviceId, algorithm));
          if (!key) continue;
          const forUser = (result.one_time_keys[userId] ??= {});
          forUser[deviceId] = { [`${key.algorithm}:${key.keyId}`]: key.value as JsonObject | string };
        }
      }
    });
    return result;
  }
}
