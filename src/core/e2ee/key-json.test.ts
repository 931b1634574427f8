import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { generateSigningKey, publicKeyBase64, signJson } from '../events/signing.js';
import {
  crossSigningPublicKey, hasValidSignature, sameJson, sameSignedContent, splitKeyName, withSignatures, withSignaturesBy,
} from './key-json.js';

describe('end-to-end key JSON', () => {
  it('splits key names at the first colon', () => {
    assert.deepEqual(splitKeyName('signed_curve25519:AAAAHg'), { algorithm: 'signed_curve25519', keyId: 'AAAAHg' });
    assert.deepEqual(splitKeyName('ed25519:a:b'), { algorithm: 'ed25519', keyId: 'a:b' });
    for (const bad of ['nocolon', ':id', 'alg:']) assert.equal(splitKeyName(bad), undefined, bad);
  });

  it('compares keys without their signatures, and JSON regardless of key order', () => {
    const a = { user_id: '@a:hs', keys: { k: 'v' }, signatures: { '@a:hs': { 'ed25519:X': 's1' } } };
    const b = { keys: { k: 'v' }, user_id: '@a:hs', signatures: {}, unsigned: { device_display_name: 'x' } };
    assert.equal(sameSignedContent(a, b), true);
    assert.equal(sameSignedContent(a, { ...b, keys: { k: 'w' } }), false);
    assert.equal(sameJson({ x: 1, y: [1, 2] }, { y: [1, 2], x: 1 }), true);
    assert.equal(sameJson({ x: 1.5 }, { x: 1.5 }), false, 'not canonical JSON: never equal');
  });

  it('merges signatures and shows only those of the given users', () => {
    const key = { keys: {}, signatures: { '@a:hs': { 'ed25519:A': 'sa' } } };
    const merged = withSignatures(key, { '@a:hs': { 'ed25519:B': 'sb' }, '@b:hs': { 'ed25519:C': 'sc' } });
    assert.deepEqual(merged.signatures, { '@a:hs': { 'ed25519:A': 'sa', 'ed25519:B': 'sb' }, '@b:hs': { 'ed25519:C': 'sc' } });
    assert.deepEqual(withSignaturesBy(merged, new Set(['@b:hs'])).signatures, { '@b:hs': { 'ed25519:C': 'sc' } });
    assert.deepEqual(withSignaturesBy(merged, new Set(['@c:hs'])), { keys: {} });
  });

  it('reads the one public key of a cross-signing key and checks signatures made with it', () => {
    const signer = generateSigningKey(randomBytes);
    const publicKey = publicKeyBase64(signer);
    const master = { user_id: '@a:hs', usage: ['master'], keys: { [`ed25519:${publicKey}`]: publicKey } };
    const pk = crossSigningPublicKey(master);
    assert.deepEqual(pk, { keyId: `ed25519:${publicKey}`, publicKey });
    assert.equal(crossSigningPublicKey({ keys: { a: 'x', b: 'y' } }), undefined);
    assert.equal(crossSigningPublicKey({ keys: { 'curve25519:x': 'x' } }), undefined);
    const signed = signJson({ user_id: '@a:hs', usage: ['self_signing'], keys: { 'ed25519:S': 'S' } }, '@a:hs', { ...signer, keyId: pk!.keyId });
    assert.equal(hasValidSignature(signed, '@a:hs', pk!), true);
    assert.equal(hasValidSignature({ ...signed, usage: ['user_signing'] }, '@a:hs', pk!), false);
    assert.equal(hasValidSignature(signed, '@b:hs', pk!), false);
  });
});
