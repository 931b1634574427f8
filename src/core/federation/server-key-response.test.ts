import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverKeys } from '../events/server-keys.js';
import { publicKeyBase64, signingKeyFromSeed } from '../events/signing-key.js';
import { signJson } from '../events/signing.js';
import { verifyServerKeyResponse } from './server-key-response.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const KEY = signingKeyFromSeed(new Uint8Array(32).fill(1), 'ed25519:a');
const OTHER = signingKeyFromSeed(new Uint8Array(32).fill(2), 'ed25519:a');
const OLD = signingKeyFromSeed(new Uint8Array(32).fill(3), 'ed25519:old');

function unsigned(name = 'peer.test') {
  return {
    server_name: name,
    valid_until_ts: NOW + 1000,
    verify_keys: { [KEY.keyId]: { key: publicKeyBase64(KEY) } },
    old_verify_keys: { [OLD.keyId]: { key: publicKeyBase64(OLD), expired_ts: NOW - 5000 } },
  };
}

describe('verifying a server key response', () => {
  it('returns current and old keys with their validity', () => {
    const verified = verifyServerKeyResponse(signJson(unsigned(), 'peer.test', KEY), 'peer.test');
    assert.deepEqual(verified, {
      serverName: 'peer.test',
      validUntilTs: NOW + 1000,
      keys: {
        'ed25519:a': { key: publicKeyBase64(KEY), validUntilTs: NOW + 1000 },
        'ed25519:old': { key: publicKeyBase64(OLD), validUntilTs: NOW - 5000 },
      },
    });
  });

  it('accepts what serverKeys publishes', () => {
    assert.equal(verifyServerKeyResponse(serverKeys('hearth.test', KEY, NOW), 'hearth.test')?.keys['ed25519:a']?.key, publicKeyBase64(KEY));
  });

  it('refuses a signature by a key not in verify_keys (forged)', () => {
    assert.equal(verifyServerKeyResponse(signJson(unsigned(), 'peer.test', OTHER), 'peer.test'), undefined);
  });

  it('refuses an answer signed only by an old key', () => {
    assert.equal(verifyServerKeyResponse(signJson(unsigned(), 'peer.test', OLD), 'peer.test'), undefined);
  });

  it('refuses a changed body after signing', () => {
    const signed = signJson(unsigned(), 'peer.test', KEY);
    assert.equal(verifyServerKeyResponse({ ...signed, valid_until_ts: NOW + 10_000_000 }, 'peer.test'), undefined);
  });

  it('refuses another server name, even self-signed', () => {
    assert.equal(verifyServerKeyResponse(signJson(unsigned('evil.test'), 'evil.test', KEY), 'peer.test'), undefined);
  });

  it('refuses an unsigned answer, a missing valid_until_ts, a non-object', () => {
    assert.equal(verifyServerKeyResponse(unsigned(), 'peer.test'), undefined);
    const { valid_until_ts: _dropped, ...noValidity } = unsigned();
    assert.equal(verifyServerKeyResponse(signJson(noValidity, 'peer.test', KEY), 'peer.test'), undefined);
    assert.equal(verifyServerKeyResponse([], 'peer.test'), undefined);
    assert.equal(verifyServerKeyResponse('keys', 'peer.test'), undefined);
  });

  it('skips a malformed old key but keeps the rest', () => {
    const body = { ...unsigned(), old_verify_keys: { 'ed25519:bad': { key: 'x' } } };
    assert.deepEqual(Object.keys(verifyServerKeyResponse(signJson(body, 'peer.test', KEY), 'peer.test')?.keys ?? {}), ['ed25519:a']);
  });
});
