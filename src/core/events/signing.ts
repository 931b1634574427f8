/**
 * Signing and verifying JSON and events (spec appendices, "Signing JSON" and "Checking for a
 * Signature"; server-server API, "Signing Events").
 */
import { sign, verify } from 'node:crypto';
import type { EventId } from '../ids.js';
import type { RoomVersion } from '../room-versions.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { canonicalJson, CanonicalJsonError } from './canonical-json.js';
import { computeContentHash, eventIdFromReferenceHash, omitKeys, redactedSigningBytes, sha256 } from './hashes.js';
import { redactObject } from './redaction.js';
import { ED25519_PREFIX, ed25519PublicKey, type SigningKey } from './signing-key.js';
import type { Pdu, UnsignedPdu } from './types.js';

export {
  generateSigningKey,
  signingKeyFromSeed,
  publicKeyBase64,
  formatSigningKeyLine,
  parseSigningKeyLine,
  parseSigningKeyFile,
  SigningKeyFormatError,
  type SigningKey,
} from './signing-key.js';

type Signatures = Record<string, Record<string, string>>;

/** The bytes a JSON signature covers: canonical JSON without `signatures` and `unsigned`. */
export function signingBytes(obj: object): string {
  return canonicalJson(omitKeys(obj, ['signatures', 'unsigned']));
}

/** Unpadded Base64 Ed25519 signature of `bytes`. */
export function signBytes(bytes: string | Uint8Array, key: SigningKey): string {
  // Ed25519 hashes internally, so node:crypto takes no digest name (null).
  return encodeBase64(sign(null, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, key.privateKey));
}

/**
 * Returns a copy of `obj` signed by `serverName` with `key`, added to any signatures it
 * already carries (other servers' signatures stay valid: they do not cover `signatures`).
 */
export function signJson<T extends object>(obj: T, serverName: string, key: SigningKey): T & { signatures: Signatures } {
  const signature = signBytes(signingBytes(obj), key);
  return { ...obj, signatures: addSignature(existingSignatures(obj), serverName, key.keyId, signature) };
}

/**
 * Whether `obj` carries a valid signature by `serverName` with `keyId`. False, never a throw,
 * for anything wrong: no such signature, an algorithm other than ed25519, bad Base64, a key
 * that is not 32 bytes, an object that is not canonical JSON, or a signature that does not match.
 */
export function verifyJsonSignature(
  obj: object,
  serverName: string,
  keyId: string,
  publicKey: string | Uint8Array,
): boolean {
  if (!keyId.startsWith(ED25519_PREFIX)) return false;
  const signature = existingSignatures(obj)[serverName]?.[keyId];
  if (typeof signature !== 'string') return false;
  const signatureBytes = decodeBase64(signature);
  const keyBytes = typeof publicKey === 'string' ? decodeBase64(publicKey) : publicKey;
  if (signatureBytes === undefined || signatureBytes.length !== 64 || keyBytes === undefined) return false;
  const keyObject = ed25519PublicKey(keyBytes);
  if (keyObject === undefined) return false;
  let bytes: string;
  try {
    bytes = signingBytes(obj);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return false;
    throw err;
  }
  return verify(null, Buffer.from(bytes, 'utf8'), keyObject, signatureBytes);
}

/**
 * Hashes and signs a new event: the content hash goes into `hashes.sha256`, then the REDACTED
 * event is signed, so the signature stays checkable after a redaction while the hash detects
 * any change to what redaction removes. Signatures already on the input are kept.
 *
 * The signed bytes are also the reference-hash input (redacted, without `signatures` and
 * `unsigned`), so the event ID is their SHA-256: `eventId === computeEventId(pdu, roomVersion)`.
 */
export function hashAndSignEvent(
  event: UnsignedPdu,
  serverName: string,
  key: SigningKey,
  roomVersion: RoomVersion,
): { pdu: Pdu; eventId: EventId } {
  const hashed = { ...event, hashes: { sha256: computeContentHash(event) } };
  const bytes = redactedSigningBytes(hashed, roomVersion);
  const signatures = addSignature(existingSignatures(event), serverName, key.keyId, signBytes(bytes, key));
  return { pdu: { ...hashed, signatures }, eventId: eventIdFromReferenceHash(sha256(bytes), roomVersion) };
}

/** Who is expected to have signed, and the public key to check it with. */
export interface ExpectedSigner {
  serverName: string;
  keyId: string;
  /** Raw 32 bytes, or unpadded Base64 as published in key listings. */
  publicKey: string | Uint8Array;
}

/**
 * Whether a received event carries a valid signature by `signer`, checked on its redacted
 * form: this holds for the full event and for a redacted copy alike. The content hash is
 * checked separately (`checkContentHash`).
 */
export function verifyEventSignature(event: object, roomVersion: RoomVersion, signer: ExpectedSigner): boolean {
  return verifyJsonSignature(redactObject(event, roomVersion), signer.serverName, signer.keyId, signer.publicKey);
}

function existingSignatures(obj: object): Signatures {
  const signatures = (obj as { signatures?: unknown }).signatures;
  return typeof signatures === 'object' && signatures !== null ? (signatures as Signatures) : {};
}

function addSignature(signatures: Signatures, serverName: string, keyId: string, signature: string): Signatures {
  const previous: unknown = signatures[serverName];
  const own = typeof previous === 'object' && previous !== null ? (previous as Record<string, string>) : {};
  return { ...signatures, [serverName]: { ...own, [keyId]: signature } };
}
