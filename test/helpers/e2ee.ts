import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { generateSigningKey, publicKeyBase64, signJson, type SigningKey } from '../../src/core/events/signing.js';
import { V3 } from './rest.js';
import type { TestServer, TestUser } from './test-server.js';

/** Client-side key material for end-to-end encryption tests: real Ed25519 keys and signatures. */

/** An Ed25519 key whose key ID is `ed25519:<suffix>` (a device ID, or the public key itself for cross-signing). */
export function ed25519Key(suffix?: string): SigningKey & { publicBase64: string } {
  const key = generateSigningKey(randomBytes);
  const publicBase64 = publicKeyBase64(key);
  return { ...key, keyId: `ed25519:${suffix ?? publicBase64}`, publicBase64 };
}

/** A device's identity keys, self-signed by its Ed25519 key (as clients upload them). */
export function signedDeviceKeys(user: TestUser, deviceId = user.deviceId, key = ed25519Key(deviceId)): Record<string, unknown> {
  const unsigned = {
    user_id: user.userId,
    device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`curve25519:${deviceId}`]: `curve-${deviceId}`, [`ed25519:${deviceId}`]: key.publicBase64 },
  };
  return signJson(unsigned, user.userId, key);
}

export interface CrossSigningSet {
  master: SigningKey & { publicBase64: string };
  selfSigning: SigningKey & { publicBase64: string };
  userSigning: SigningKey & { publicBase64: string };
  body: { master_key: Record<string, unknown>; self_signing_key: Record<string, unknown>; user_signing_key: Record<string, unknown> };
}

/** A user's three cross-signing keys, the self-signing and user-signing ones signed by the master key. */
export function crossSigningKeys(user: TestUser): CrossSigningSet {
  const master = ed25519Key();
  const selfSigning = ed25519Key();
  const userSigning = ed25519Key();
  const keyObject = (usage: string, k: typeof master) => ({ user_id: user.userId, usage: [usage], keys: { [k.keyId]: k.publicBase64 } });
  return {
    master,
    selfSigning,
    userSigning,
    body: {
      master_key: keyObject('master', master),
      self_signing_key: signJson(keyObject('self_signing', selfSigning), user.userId, master),
      user_signing_key: signJson(keyObject('user_signing', userSigning), user.userId, master),
    },
  };
}

/** Logs `user` in again, as a new device (optionally with a chosen device ID). */
export async function newDevice(s: TestServer, user: TestUser, deviceId?: string): Promise<TestUser> {
  const localpart = user.userId.slice(1, user.userId.indexOf(':'));
  const res = await s.request('POST', `${V3}/login`, {
    body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: localpart }, password: user.password, ...(deviceId ? { device_id: deviceId } : {}) },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { ...user, accessToken: res.json().access_token, deviceId: res.json().device_id };
}

/** The `auth` dict of a password stage for `user`. */
export const passwordAuth = (user: TestUser, session?: string) => ({
  type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password, ...(session ? { session } : {}),
});
