/**
 * Signing and checking server-server requests (server-server API, "Request Authentication"):
 * the origin signs a JSON object of the method, the request target, both server names and the
 * parsed body, and sends the signature in an `Authorization: X-Matrix` header.
 */
import { signJson, verifyJsonSignature, type SigningKey } from '../events/signing.js';
import { isValidServerName } from '../ids.js';
import { formatXMatrixHeader, parseXMatrixHeader, type XMatrixCredentials } from './x-matrix-header.js';

export interface FederationRequest {
  method: string;
  /** The raw request target: the path from `/_matrix/...` with `?` and the query string, as sent. */
  uri: string;
  origin: string;
  destination: string;
  /** The parsed JSON body; undefined when the request has none (it is then left out of the JSON). */
  content?: unknown;
}

/** The object that is signed (before its `signatures`). */
export function requestSigningObject(request: FederationRequest): Record<string, unknown> {
  const { method, uri, origin, destination, content } = request;
  const object: Record<string, unknown> = { method, uri, origin, destination };
  if (content !== undefined) object['content'] = content;
  return object;
}

/** The `Authorization` header value for a request we send, signed with our key. */
export function signRequest(request: FederationRequest, key: SigningKey): string {
  const signed = signJson(requestSigningObject(request), request.origin, key);
  const sig = signed.signatures[request.origin]?.[key.keyId] as string;
  return formatXMatrixHeader({ origin: request.origin, destination: request.destination, key: key.keyId, sig });
}

/** What the `Authorization` headers of a received request claim, before any key is fetched. */
export interface RequestClaim {
  origin: string;
  /** Signature by key ID, one entry for each X-Matrix header. */
  signatures: Record<string, string>;
}

export type ClaimFailure = 'missing' | 'malformed' | 'wrong_destination';

/**
 * Reads the X-Matrix headers of a request received by `ourName` (all `Authorization` header
 * values, in order; other schemes are skipped). Every X-Matrix header must parse and name the
 * same origin, a valid server name; a `destination`, when present, must be `ourName` (the spec's
 * 401). The caller then fetches the origin's keys and calls `verifyRequestClaim`.
 */
export function readRequestClaim(headerValues: readonly string[], ourName: string): RequestClaim | ClaimFailure {
  const xMatrix = headerValues.filter((v) => /^X-Matrix(?: |$)/i.test(v));
  if (xMatrix.length === 0) return 'missing';
  const parsed: XMatrixCredentials[] = [];
  for (const value of xMatrix) {
    const credentials = parseXMatrixHeader(value);
    if (credentials === undefined || !isValidServerName(credentials.origin)) return 'malformed';
    parsed.push(credentials);
  }
  const origin = (parsed[0] as XMatrixCredentials).origin;
  // No prototype: key IDs come from the request, and `__proto__` or `toString` must be plain keys.
  const signatures = Object.create(null) as Record<string, string>;
  for (const credentials of parsed) {
    // Headers that disagree on the origin, or sign twice with one key, are not one claim.
    if (credentials.origin !== origin || Object.hasOwn(signatures, credentials.key)) return 'malformed';
    if (credentials.destination !== undefined && credentials.destination !== ourName) return 'wrong_destination';
    signatures[credentials.key] = credentials.sig;
  }
  return { origin, signatures };
}

/**
 * Whether the claim holds: at least one of its signatures verifies with the origin's keys
 * (`keys`: public key by key ID, unpadded Base64 or raw bytes), and none made with a key in
 * `keys` fails. Signatures by keys the caller could not find are ignored. The signed JSON
 * names `ourName` as destination whether or not the header did: senders older than spec v1.3
 * signed it without putting it in the header.
 */
export function verifyRequestClaim(
  request: Omit<FederationRequest, 'origin' | 'destination'>,
  claim: RequestClaim,
  ourName: string,
  keys: Readonly<Record<string, string | Uint8Array>>,
): boolean {
  const object = requestSigningObject({ ...request, origin: claim.origin, destination: ourName });
  let verified = false;
  for (const [keyId, sig] of Object.entries(claim.signatures)) {
    if (!Object.hasOwn(keys, keyId)) continue;
    const publicKey = keys[keyId] as string | Uint8Array;
    const signed = { ...object, signatures: { [claim.origin]: { [keyId]: sig } } };
    if (!verifyJsonSignature(signed, claim.origin, keyId, publicKey)) return false;
    verified = true;
  }
  return verified;
}
