import { invalidSignature, notFound, type MatrixError } from '../../core/errors.js';
import { crossSigningPublicKey, hasValidSignature, sameSignedContent, signaturesOf, withSignatures } from '../../core/e2ee/key-json.js';
import { parseDeviceId, type UserId } from '../../core/ids.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../storage/store.js';
import type { Requester } from '../requester.js';
import type { DeviceLists } from './device-lists.js';

/** user ID -> key ID (a device ID, or a master key's public key) -> the key with the new signature(s). */
export type SignatureUpload = ReadonlyMap<UserId, ReadonlyMap<string, JsonObject>>;

type Signer = { keyId: string; publicKey: string };

/**
 * `POST /keys/signatures/upload`. Accepted signatures are merged into the stored key:
 * - a device of the uploader, signed by their self-signing key;
 * - the uploader's master key, signed by one of their devices;
 * - another user's master key, signed by the uploader's user-signing key (shown only to the
 *   uploader: /keys/query shows signatures by the key's owner and by the requester).
 * The signed object must be the stored key but for its signatures. Each rejected key is reported
 * in `failures` (M_INVALID_SIGNATURE, or M_NOT_FOUND for an unknown key); the others are kept.
 */
export class SignatureUploads {
  constructor(private readonly deps: { store: Store; deviceLists: DeviceLists }) {}

  async upload(requester: Requester, body: SignatureUpload): Promise<{ failures: Record<string, Record<string, Record<string, unknown>>> }> {
    const me = requester.userId;
    const failures: Record<string, Record<string, Record<string, unknown>>> = {};
    const change = await this.deps.store.transaction(async (tx) => {
      let accepted = false;
      for (const [target, byKey] of body) {
        for (const [keyId, signed] of byKey) {
          const error = target === me ? await this.own(tx, me, keyId, signed) : await this.others(tx, me, target, keyId, signed);
          if (error) (failures[target] ??= {})[keyId] = error.toBody();
          else accepted = true;
        }
      }
      return accepted ? this.deps.deviceLists.record(tx, me) : undefined;
    });
    this.deps.deviceLists.announce(change);
    return { failures };
  }

  private async own(tx: Store, me: UserId, keyId: string, signed: JsonObject): Promise<MatrixError | undefined> {
    const deviceId = parseDeviceId(keyId);
    const device = deviceId && (await tx.e2ee.deviceKeys.get(me, deviceId));
    if (deviceId && device) {
      const selfSigning = await tx.e2ee.crossSigning.get(me, 'self_signing');
      const signer = selfSigning && crossSigningPublicKey(selfSigning);
      if (!signer) return invalidSignature('There is no self-signing key to check the signature with');
      return merge(signed, device, me, signer, (key) => tx.e2ee.deviceKeys.put(me, deviceId, key));
    }
    const master = await tx.e2ee.crossSigning.get(me, 'master');
    if (!master || crossSigningPublicKey(master)?.publicKey !== keyId) return notFound('Unknown key');
    for (const signerKeyId of Object.keys(signaturesOf(signed)[me] ?? {})) {
      const signerDevice = parseDeviceId(signerKeyId.slice('ed25519:'.length));
      if (!signerKeyId.startsWith('ed25519:') || !signerDevice) continue;
      const publicKey = ((await tx.e2ee.deviceKeys.get(me, signerDevice))?.keys as JsonObject | undefined)?.[signerKeyId];
      if (typeof publicKey !== 'string') continue;
      const error = await merge(signed, master, me, { keyId: signerKeyId, publicKey }, (key) => tx.e2ee.crossSigning.put(me, 'master', key));
      if (!error) return undefined;
    }
    return invalidSignature('The master key is not signed by one of your devices');
  }

  private async others(tx: Store, me: UserId, target: UserId, keyId: string, signed: JsonObject): Promise<MatrixError | undefined> {
    const master = await tx.e2ee.crossSigning.get(target, 'master');
    if (!master || crossSigningPublicKey(master)?.publicKey !== keyId) return notFound('Unknown key');
    const userSigning = await tx.e2ee.crossSigning.get(me, 'user_signing');
    const signer = userSigning && crossSigningPublicKey(userSigning);
    if (!signer) return invalidSignature('There is no user-signing key to check the signature with');
    return merge(signed, master, me, signer, (key) => tx.e2ee.crossSigning.put(target, 'master', key));
  }
}

/** Checks `signer`'s signature on `signed` and adds it to the stored key (and only it). */
async function merge(signed: JsonObject, stored: JsonObject, signerUser: UserId, signer: Signer, save: (key: JsonObject) => Promise<void>): Promise<MatrixError | undefined> {
  if (!sameSignedContent(stored, signed)) return invalidSignature('The signed object does not match the stored key');
  if (!hasValidSignature(signed, signerUser, signer)) return invalidSignature('Invalid signature');
  const signature = signaturesOf(signed)[signerUser]![signer.keyId]!;
  await save(withSignatures(stored, { [signerUser]: { [signer.keyId]: signature } }));
  return undefined;
}
