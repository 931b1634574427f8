/**
 * Ed25519 server signing keys (spec appendices, "Signing Details"; server-server API,
 * "Retrieving server keys"), and the one-key-a-line text form Synapse uses for its signing key
 * file (`ed25519 <version> <unpadded base64 seed>`), so that a key file can move between
 * servers. Reading and writing the file is done elsewhere: core does no I/O.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';

export interface SigningKey {
  /** `ed25519:<version>`, the signing key identifier used in `signatures` and key listings. */
  readonly keyId: string;
  /** The 32-byte Ed25519 seed: the whole secret. */
  readonly seed: Buffer;
  /** The 32-byte raw public key. */
  readonly publicKey: Buffer;
  /** The seed as a node:crypto key, built once so signing does not re-parse it. */
  readonly privateKey: KeyObject;
}

export class SigningKeyFormatError extends Error {
  override readonly name = 'SigningKeyFormatError';
}

export const ED25519_PREFIX = 'ed25519:';
/** Key versions we mint or accept for our own keys: the spec's `[a-zA-Z0-9_]` character set. */
const KEY_ID = /^ed25519:[A-Za-z0-9_]+$/;

// DER wrappers for a raw Ed25519 key (RFC 8410): node:crypto takes keys only in these forms.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function signingKeyFromSeed(seed: Uint8Array, keyId: string): SigningKey {
  if (!KEY_ID.test(keyId)) throw new SigningKeyFormatError(`invalid signing key id ${JSON.stringify(keyId)}`);
  if (seed.length !== 32) throw new SigningKeyFormatError(`an ed25519 seed is 32 bytes, not ${seed.length}`);
  const seedCopy = Buffer.from(seed);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seedCopy]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { keyId, seed: seedCopy, publicKey: spki.subarray(SPKI_ED25519_PREFIX.length), privateKey };
}

/**
 * A new random key from `random` (node:crypto's `randomBytes` outside tests: core reads no randomness
 * of its own). Without `keyId` the version is `a_` and four random letters, the shape Synapse uses,
 * so that a later key gets a different ID from the one it replaces.
 */
export function generateSigningKey(random: (size: number) => Buffer, keyId?: string): SigningKey {
  return signingKeyFromSeed(random(32), keyId ?? `${ED25519_PREFIX}a_${randomLetters(4, random)}`);
}

function randomLetters(count: number, random: (size: number) => Buffer): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  // 256 is not a multiple of 52, so some letters are slightly likelier: harmless for a label.
  return Array.from(random(count), (byte) => letters[byte % letters.length]).join('');
}

/** The public key as published in `/_matrix/key/v2/server`: unpadded standard Base64. */
export function publicKeyBase64(key: SigningKey): string {
  return encodeBase64(key.publicKey);
}

/** A node:crypto public key from 32 raw bytes; undefined when they are not an Ed25519 key. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** The key file line for `key`, without a line terminator. */
export function formatSigningKeyLine(key: SigningKey): string {
  return `ed25519 ${key.keyId.slice(ED25519_PREFIX.length)} ${encodeBase64(key.seed)}`;
}

/** Parses one key file line; throws `SigningKeyFormatError` when it is malformed. */
export function parseSigningKeyLine(line: string): SigningKey {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3) throw new SigningKeyFormatError('expected "ed25519 <version> <base64 seed>"');
  const [algorithm, version, seedBase64] = parts as [string, string, string];
  if (algorithm !== 'ed25519') throw new SigningKeyFormatError(`unsupported key algorithm ${JSON.stringify(algorithm)}`);
  const seed = decodeBase64(seedBase64);
  if (seed === undefined) throw new SigningKeyFormatError('the seed is not valid base64');
  return signingKeyFromSeed(seed, `${ED25519_PREFIX}${version}`);
}

/** Parses a whole key file: one key a line, blank lines ignored. Errors name the line. */
export function parseSigningKeyFile(text: string): SigningKey[] {
  const keys: SigningKey[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      keys.push(parseSigningKeyLine(line));
    } catch (err) {
      if (err instanceof SigningKeyFormatError) throw new SigningKeyFormatError(`line ${index + 1}: ${err.message}`);
      throw err;
    }
  });
  return keys;
}
