import type { SigningKey } from './signing-key.js';
import { publicKeyBase64 } from './signing-key.js';
import { signJson } from './signing.js';

/** How long a published key response may be cached by other servers (Synapse publishes a day too). */
export const SERVER_KEY_VALIDITY_MS = 24 * 3_600_000;

/**
 * The body of `GET /_matrix/key/v2/server`: the server's public key, self-signed, valid for a day
 * from `now`. Hearth has one key and has never retired one, so old_verify_keys is empty.
 */
export function serverKeys(serverName: string, key: SigningKey, now: number) {
  const body: { server_name: string; valid_until_ts: number; verify_keys: Record<string, { key: string }>; old_verify_keys: Record<string, { key: string; expired_ts: number }> } = {
    server_name: serverName,
    valid_until_ts: now + SERVER_KEY_VALIDITY_MS,
    verify_keys: { [key.keyId]: { key: publicKeyBase64(key) } },
    old_verify_keys: {},
  };
  return signJson(body, serverName, key);
}
