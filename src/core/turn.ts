import { createHmac } from 'node:crypto';

/**
 * TURN REST credentials as coturn checks them with `use-auth-secret`: the username is
 * `<expiry in Unix seconds>:<user ID>` and the password base64(HMAC-SHA1(shared secret, username)),
 * so the TURN server verifies them without asking the homeserver.
 */
export function turnCredentials(sharedSecret: string, userId: string, expiresAtMs: number): { username: string; password: string } {
  const username = `${Math.floor(expiresAtMs / 1000)}:${userId}`;
  return { username, password: createHmac('sha1', sharedSecret).update(username).digest('base64') };
}
