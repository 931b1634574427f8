/**
 * Pure helpers over the signed JSON objects of end-to-end encryption (device keys, one-time keys,
 * cross-signing keys): naming, comparing, merging and filtering their signatures, and checking
 * one (spec: "Signing JSON", "Cross-signing").
 */
import { canonicalJson, CanonicalJsonError } from '../events/canonical-json.js';
import { signingBytes, verifyJsonSignature } from '../events/signing.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';

export type Signatures = Record<string, Record<string, string>>;

/** Splits a key name `<algorithm>:<key_id>`; undefined when either part is empty. */
export function splitKeyName(name: string): { algorithm: string; keyId: string } | undefined {
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1) return undefined;
  return { algorithm: name.slice(0, colon), keyId: name.slice(colon + 1) };
}

/** The signatures of a key object, keeping only well-formed entries. */
export function signaturesOf(obj: JsonObject): Signatures {
  const out: Signatures = {};
  const raw = obj.signatures;
  if (!isJsonObject(raw)) return out;
  for (const [user, byKey] of Object.entries(raw)) {
    if (!isJsonObject(byKey)) continue;
    const own: Record<string, string> = {};
    for (const [keyId, sig] of Object.entries(byKey)) if (typeof sig === 'string') own[keyId] = sig;
    out[user] = own;
  }
  return out;
}

/** Whether two key objects are the same key: equal in everything but `signatures` and `unsigned`. */
export function sameSignedContent(a: JsonObject, b: JsonObject): boolean {
  try {
    return signingBytes(a) === signingBytes(b);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return false;
    throw err;
  }
}

/** Whether two JSON values are equal (canonical JSON: key order does not matter; non-canonical values never are). */
export function sameJson(a: JsonValue, b: JsonValue): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch (err) {
    if (err instanceof CanonicalJsonError) return false;
    throw err;
  }
}

/** `key` with `extra` signatures added to its own (an added signature replaces one with the same signer and key ID). */
export function withSignatures(key: JsonObject, extra: Signatures): JsonObject {
  const merged = signaturesOf(key);
  for (const [user, byKey] of Object.entries(extra)) merged[user] = { ...merged[user], ...byKey };
  return { ...key, signatures: merged };
}

/** `key` showing only the signatures made by the given users (others' signatures are private to them); none left, no `signatures`. */
export function withSignaturesBy(key: JsonObject, users: ReadonlySet<string>): JsonObject {
  if (!isJsonObject(key.signatures)) return key;
  const kept = Object.fromEntries(Object.entries(key.signatures).filter(([user]) => users.has(user)));
  if (Object.keys(kept).length > 0) return { ...key, signatures: kept };
  const { signatures: _hidden, ...rest } = key;
  return rest;
}

/**
 * The one public key of a cross-signing key object: `keys` must hold exactly one
 * `ed25519:<public key>` entry. Undefined for anything else.
 */
export function crossSigningPublicKey(key: JsonObject): { keyId: string; publicKey: string } | undefined {
  if (!isJsonObject(key.keys)) return undefined;
  const entries = Object.entries(key.keys);
  if (entries.length !== 1) return undefined;
  const [keyId, publicKey] = entries[0]!;
  if (!keyId.startsWith('ed25519:') || typeof publicKey !== 'string' || publicKey === '') return undefined;
  return { keyId, publicKey };
}

/** Whether `obj` carries a valid signature by `signer` (a user ID) with the Ed25519 key `keyId`. */
export function hasValidSignature(obj: JsonObject, signer: string, key: { keyId: string; publicKey: string }): boolean {
  return verifyJsonSignature(obj, signer, key.keyId, key.publicKey);
}
