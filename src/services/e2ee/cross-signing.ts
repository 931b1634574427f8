import { forbidden, invalidParam, invalidSignature, missingParam } from '../../core/errors.js';
import { crossSigningPublicKey, hasValidSignature, sameSignedContent } from '../../core/e2ee/key-json.js';
import { parseDeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { CrossSigningKeyType, Store } from '../../storage/store.js';
import type { UserInteractiveAuth } from '../accounts/uia.js';
import type { Requester } from '../requester.js';
import type { DeviceLists } from './device-lists.js';

export type CrossSigningUpload = Partial<Record<CrossSigningKeyType, JsonObject>>;

export interface CrossSigningDeps {
  store: Store;
  uia: UserInteractiveAuth;
  deviceLists: DeviceLists;
}

const TYPES: CrossSigningKeyType[] = ['master', 'self_signing', 'user_signing'];

/**
 * `POST /keys/device_signing/upload`: a user's master, self-signing and user-signing keys. The
 * self-signing and user-signing keys must be signed by the master key (the one uploaded with them,
 * else the stored one). Replacing keys needs the password (user-interactive auth); the first
 * upload, and uploading exactly the stored keys again, do not (spec v1.11; as Synapse does).
 */
export class CrossSigning {
  constructor(private readonly deps: CrossSigningDeps) {}

  async upload(requester: Requester, keys: CrossSigningUpload, auth: unknown): Promise<void> {
    const { store, deviceLists } = this.deps;
    const userId = requester.userId;
    for (const type of TYPES) {
      const key = keys[type];
      if (key) await this.check(userId, type, key);
    }
    const master = keys.master ?? (await store.e2ee.crossSigning.get(userId, 'master'));
    for (const type of ['self_signing', 'user_signing'] as const) {
      const key = keys[type];
      if (!key) continue;
      if (!master) throw missingParam('No master key is available to check the signature with');
      const signer = crossSigningPublicKey(master)!;
      if (!hasValidSignature(key, userId, signer)) throw invalidSignature(`The ${type} key is not signed by the master key`);
    }
    const stored = Object.fromEntries(await Promise.all(TYPES.map(async (t) => [t, await store.e2ee.crossSigning.get(userId, t)] as const)));
    const uploaded = TYPES.filter((t) => keys[t] !== undefined);
    const unchanged = uploaded.every((t) => stored[t] !== undefined && sameSignedContent(stored[t]!, keys[t]!));
    if (unchanged) return;
    if (stored.master) {
      await this.deps.uia.require({
        purpose: 'device_signing_upload',
        flows: [{ stages: ['m.login.password'] }],
        auth,
        userId,
        checkStage: this.deps.uia.passwordStage(userId),
      });
    }
    const change = await store.transaction(async (tx) => {
      for (const t of uploaded) await tx.e2ee.crossSigning.put(userId, t, keys[t]!);
      return deviceLists.record(tx, userId);
    });
    deviceLists.announce(change);
  }

  /** The shape rules of one uploaded key: the uploader's, for this usage, one Ed25519 key that is not a device ID. */
  private async check(userId: UserId, type: CrossSigningKeyType, key: JsonObject): Promise<void> {
    const usage = key.usage;
    if (key.user_id !== userId || !Array.isArray(usage) || !usage.includes(type)) {
      throw invalidParam(`Invalid ${type} key: it must belong to the uploader and have usage "${type}"`);
    }
    const publicKey = crossSigningPublicKey(key);
    if (!publicKey) throw invalidParam(`Invalid ${type} key: keys must hold exactly one ed25519 key`);
    const asDevice = parseDeviceId(publicKey.publicKey);
    if (asDevice && (await this.deps.store.devices.get(userId, asDevice))) throw forbidden('Key ID in use');
  }
}
