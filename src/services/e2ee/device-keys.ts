import { invalidParam } from '../../core/errors.js';
import { sameJson, sameSignedContent, signaturesOf, withSignatures, withSignaturesBy } from '../../core/e2ee/key-json.js';
import { domainOf, type DeviceId, type UserId } from '../../core/ids.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { CrossSigningKeyType, Store } from '../../storage/store.js';
import type { Change } from '../notifier.js';
import type { Quotas } from '../quotas.js';
import type { Requester } from '../requester.js';
import type { DeviceLists } from './device-lists.js';
import { addOneTimeKeys, oneTimeKeyCounts, parsePublishedKeys } from './one-time-keys.js';

export interface KeyUpload {
  deviceKeys?: JsonObject;
  oneTimeKeys?: JsonObject;
  fallbackKeys?: JsonObject;
}

type KeysByUser = Record<string, JsonObject>;

export interface KeyQueryResult {
  device_keys: Record<string, Record<string, JsonObject>>;
  master_keys: KeysByUser;
  self_signing_keys: KeysByUser;
  user_signing_keys: KeysByUser;
  failures: Record<string, JsonObject>;
}

/** `POST /keys/upload` and `POST /keys/query`: a device's identity, one-time and fallback keys. */
export class DeviceKeys {
  constructor(private readonly deps: { store: Store; serverName: string; deviceLists: DeviceLists; quotas: Quotas }) {}

  async upload(requester: Requester, input: KeyUpload): Promise<{ one_time_key_counts: Record<string, number> }> {
    const { store, deviceLists } = this.deps;
    const { userId, deviceId } = requester;
    const uploaded = input.deviceKeys;
    if (uploaded && (uploaded.user_id !== userId || uploaded.device_id !== deviceId)) {
      throw invalidParam('device_keys.user_id and device_keys.device_id must be those of the uploading device');
    }
    const oneTime = parsePublishedKeys(input.oneTimeKeys, 'one_time_keys');
    const fallback = parsePublishedKeys(input.fallbackKeys, 'fallback_keys');
    if (new Set(fallback.map((k) => k.algorithm)).size !== fallback.length) throw invalidParam('fallback_keys: at most one key per algorithm');
    const change = await store.transaction(async (tx) => {
      let change: Change | undefined;
      if (uploaded) {
        const current = await tx.e2ee.deviceKeys.get(userId, deviceId);
        // The same keys again keep the signatures others added since (cross-signing); new keys start afresh.
        const next = current && sameSignedContent(current, uploaded) ? withSignatures(uploaded, signaturesOf(current)) : uploaded;
        if (!current || !sameJson(current, next)) {
          await tx.e2ee.deviceKeys.put(userId, deviceId, next);
          change = await deviceLists.record(tx, userId);
        }
      }
      await this.deps.quotas.withinDeviceKeys(tx, userId, deviceId, async () => {
        await addOneTimeKeys(tx, userId, deviceId, oneTime);
        for (const key of fallback) await tx.e2ee.fallbackKeys.put(userId, deviceId, key);
      });
      return change;
    });
    deviceLists.announce(change);
    return { one_time_key_counts: await oneTimeKeyCounts(store, userId, deviceId) };
  }

  /**
   * Identity keys of the requested users' devices (all of them for an empty list), with their
   * display names, and the users' cross-signing keys; the user-signing key only of the requester.
   * Signatures are shown when made by the key's owner or by the requester. Users of other servers
   * are left out: there is no federation to ask.
   */
  async query(requester: Requester, users: ReadonlyMap<UserId, readonly DeviceId[]>): Promise<KeyQueryResult> {
    const { store, serverName } = this.deps;
    const local = [...users.keys()].filter((u) => domainOf(u) === serverName);
    const out: KeyQueryResult = { device_keys: {}, master_keys: {}, self_signing_keys: {}, user_signing_keys: {}, failures: {} };
    const visible = (owner: UserId, key: JsonObject) => withSignaturesBy(key, new Set([owner, requester.userId]));
    for (const u of local) out.device_keys[u] = {};
    for (const d of await store.e2ee.deviceKeys.ofUsers(local)) {
      const wanted = users.get(d.userId) ?? [];
      if (wanted.length > 0 && !wanted.includes(d.deviceId)) continue;
      const unsigned = isJsonObject(d.keys.unsigned) ? d.keys.unsigned : {};
      out.device_keys[d.userId]![d.deviceId] = {
        ...visible(d.userId, d.keys),
        unsigned: { ...unsigned, ...(d.displayName !== null ? { device_display_name: d.displayName } : {}) },
      };
    }
    const types: CrossSigningKeyType[] = ['master', 'self_signing'];
    const field = { master: out.master_keys, self_signing: out.self_signing_keys, user_signing: out.user_signing_keys };
    for (const k of await store.e2ee.crossSigning.ofUsers(local, types)) field[k.type][k.userId] = visible(k.userId, k.key);
    if (users.has(requester.userId)) {
      const own = await store.e2ee.crossSigning.get(requester.userId, 'user_signing');
      if (own) out.user_signing_keys[requester.userId] = own;
    }
    return out;
  }
}
