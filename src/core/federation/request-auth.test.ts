import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verify } from 'node:crypto';
import { decodeBase64 } from '../events/base64.js';
import { canonicalJson } from '../events/canonical-json.js';
import { publicKeyBase64, signingKeyFromSeed } from '../events/signing.js';
import { ed25519PublicKey } from '../events/signing-key.js';
import { readRequestClaim, requestSigningObject, signRequest, verifyRequestClaim, type RequestClaim } from './request-auth.js';
import { parseXMatrixHeader } from './x-matrix-header.js';

// Spec appendices, "Cryptographic Test Vectors": the seed of key ed25519:1.
const KEY = signingKeyFromSeed(decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1') as Buffer, 'ed25519:1');
const PUBLIC = publicKeyBase64(KEY);
const US = 'destination.hs.example.com';
const THEM = 'origin.hs.example.com';
const PUT = { method: 'PUT', uri: '/_matrix/federation/v1/send/txn1?a=b%20c&a=d', content: { pdus: [], edus: [] } };

function claimOf(header: string): RequestClaim {
  const claim = readRequestClaim([header], US);
  assert.equal(typeof claim, 'object');
  return claim as RequestClaim;
}

describe('request signing (spec "Request Authentication")', () => {
  it('signs method, raw target with its query string, both names and the body, as canonical JSON', () => {
    const object = requestSigningObject({ ...PUT, origin: THEM, destination: US });
    assert.equal(
      canonicalJson(object),
      '{"content":{"edus":[],"pdus":[]},"destination":"destination.hs.example.com","method":"PUT",' +
        '"origin":"origin.hs.example.com","uri":"/_matrix/federation/v1/send/txn1?a=b%20c&a=d"}',
    );
    const header = signRequest({ ...PUT, origin: THEM, destination: US }, KEY);
    const credentials = parseXMatrixHeader(header);
    assert.deepEqual({ ...credentials, sig: undefined }, { origin: THEM, destination: US, key: 'ed25519:1', sig: undefined });
    // The signature checks out against those exact bytes with node:crypto alone.
    const sig = decodeBase64(credentials?.sig as string) as Buffer;
    assert.ok(verify(null, Buffer.from(canonicalJson(object)), ed25519PublicKey(KEY.publicKey) as never, sig));
    assert.match(header, /^X-Matrix origin="origin\.hs\.example\.com",destination="destination\.hs\.example\.com",key="ed25519:1",sig="[A-Za-z0-9+/]{86}"$/);
  });

  it('leaves content out of a request without a body', () => {
    assert.deepEqual(requestSigningObject({ method: 'GET', uri: '/_matrix/federation/v1/version', origin: THEM, destination: US }), {
      method: 'GET',
      uri: '/_matrix/federation/v1/version',
      origin: THEM,
      destination: US,
    });
  });
});

describe('request verification', () => {
  const header = signRequest({ ...PUT, origin: THEM, destination: US }, KEY);

  it('accepts the signed request and names the origin', () => {
    const claim = claimOf(header);
    assert.equal(claim.origin, THEM);
    assert.equal(verifyRequestClaim(PUT, claim, US, { 'ed25519:1': PUBLIC }), true);
  });

  it('refuses any change to the method, target, query string or body', () => {
    const claim = claimOf(header);
    const keys = { 'ed25519:1': PUBLIC };
    assert.equal(verifyRequestClaim({ ...PUT, method: 'POST' }, claim, US, keys), false);
    assert.equal(verifyRequestClaim({ ...PUT, uri: '/_matrix/federation/v1/send/txn1?a=b%20c' }, claim, US, keys), false);
    assert.equal(verifyRequestClaim({ ...PUT, uri: '/_matrix/federation/v1/send/txn1?a=b c&a=d' }, claim, US, keys), false);
    assert.equal(verifyRequestClaim({ ...PUT, content: { pdus: [], edus: [{}] } }, claim, US, keys), false);
    assert.equal(verifyRequestClaim({ method: PUT.method, uri: PUT.uri }, claim, US, keys), false);
  });

  it('refuses another key, and a claim whose keys are all unknown', () => {
    const claim = claimOf(header);
    const other = publicKeyBase64(signingKeyFromSeed(Buffer.alloc(32, 9), 'ed25519:1'));
    assert.equal(verifyRequestClaim(PUT, claim, US, { 'ed25519:1': other }), false);
    assert.equal(verifyRequestClaim(PUT, claim, US, { 'ed25519:2': PUBLIC }), false);
    assert.equal(verifyRequestClaim(PUT, claim, US, {}), false);
  });

  it('refuses a header naming another destination, and a signature made for another destination', () => {
    assert.equal(readRequestClaim([signRequest({ ...PUT, origin: THEM, destination: 'elsewhere' }, KEY)], US), 'wrong_destination');
    // Without a destination parameter (senders before v1.3) the signed JSON still names us.
    const forOther = parseXMatrixHeader(signRequest({ ...PUT, origin: THEM, destination: 'elsewhere' }, KEY));
    const stripped = `X-Matrix origin=${THEM},key="ed25519:1",sig="${forOther?.sig}"`;
    assert.equal(verifyRequestClaim(PUT, claimOf(stripped), US, { 'ed25519:1': PUBLIC }), false);
    const forUs = parseXMatrixHeader(header);
    assert.equal(verifyRequestClaim(PUT, claimOf(`X-Matrix origin=${THEM},key="ed25519:1",sig="${forUs?.sig}"`), US, { 'ed25519:1': PUBLIC }), true);
  });

  it('takes one signature per X-Matrix header; one failing with a known key fails the request', () => {
    const second = signingKeyFromSeed(Buffer.alloc(32, 7), 'ed25519:2');
    const both = [header, signRequest({ ...PUT, origin: THEM, destination: US }, second)];
    const claim = readRequestClaim(['Bearer abc', ...both], US) as RequestClaim;
    assert.deepEqual(Object.keys(claim.signatures), ['ed25519:1', 'ed25519:2']);
    const keys = { 'ed25519:1': PUBLIC, 'ed25519:2': publicKeyBase64(second) };
    assert.equal(verifyRequestClaim(PUT, claim, US, keys), true);
    assert.equal(verifyRequestClaim(PUT, claim, US, { 'ed25519:2': keys['ed25519:2'] }), true);
    const wrong = { ...keys, 'ed25519:2': publicKeyBase64(signingKeyFromSeed(Buffer.alloc(32, 8), 'ed25519:2')) };
    assert.equal(verifyRequestClaim(PUT, claim, US, wrong), false);
  });

  it('refuses missing, malformed, disagreeing and repeated-key headers', () => {
    assert.equal(readRequestClaim([], US), 'missing');
    assert.equal(readRequestClaim(['Bearer abc'], US), 'missing');
    assert.equal(readRequestClaim(['X-Matrix origin=a.example'], US), 'malformed');
    assert.equal(readRequestClaim(['X-Matrix origin="bad name!",key="ed25519:1",sig="x"'], US), 'malformed');
    assert.equal(readRequestClaim([header, header.replace(THEM, 'other.example')], US), 'malformed');
    assert.equal(readRequestClaim([header, header], US), 'malformed');
  });

  it('treats key IDs as plain keys, never as object properties', () => {
    const claim = claimOf(`X-Matrix origin=${THEM},key="__proto__",sig="abc"`);
    assert.deepEqual(Object.keys(claim.signatures), ['__proto__']);
    assert.equal(verifyRequestClaim(PUT, claimOf(`X-Matrix origin=${THEM},key=toString,sig=abc`), US, {}), false);
  });
});
