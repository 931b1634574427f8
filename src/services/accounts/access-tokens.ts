import { createHash, randomBytes } from 'node:crypto';

/** A new access token: 256 random bits, URL-safe. Only its hash is ever stored. */
export function newAccessToken(): string {
  return `hth_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 suffices here: tokens are random and long, so a hash cannot be inverted by guessing. */
export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function newDeviceId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(10), (b) => alphabet[b % 26]).join('');
}

export function newOpaqueId(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}
