import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import { decodeBase64 } from './base64.js';
import { checkContentHash, computeEventId } from './hashes.js';
import {
  formatSigningKeyLine,
  generateSigningKey,
  hashAndSignEvent,
  parseSigningKeyFile,
  parseSigningKeyLine,
  publicKeyBase64,
  signingKeyFromSeed,
  SigningKeyFormatError,
  signJson,
  verifyEventSignature,
  verifyJsonSignature,
} from './signing.js';
import type { UnsignedPdu } from './types.js';

const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const v11 = ROOM_VERSIONS['11'] as RoomVersion;

// Spec appendices, "Cryptographic Test Vectors".
const SEED = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1') as Buffer;
const KEY = signingKeyFromSeed(SEED, 'ed25519:1');
const SERVER = 'domain';

describe('signing JSON: spec test vectors', () => {
  it('signs the empty object', () => {
    assert.deepEqual(signJson({}, SERVER, KEY), {
      signatures: {
        domain: {
          'ed25519:1': 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ',
        },
      },
    });
  });

  it('signs an object with data values', () => {
    assert.deepEqual(signJson({ one: 1, two: 'Two' }, SERVER, KEY), {
      one: 1,
      signatures: {
        domain: {
          'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
        },
      },
      two: 'Two',
    });
  });

  it('verifies what it signs, against the derived public key', () => {
    const signed = signJson({ one: 1, two: 'Two' }, SERVER, KEY);
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:1', publicKeyBase64(KEY)), true);
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:1', KEY.publicKey), true);
  });
});

describe('signing events: spec test vectors (event format of room versions 1-10)', () => {
  // These vectors keep `origin`, which v11 redacts away, so they hold for v10 only.
  it('hashes and signs the minimal event', () => {
    const event = {
      room_id: '!x:domain',
      sender: '@a:domain',
      origin: 'domain',
      origin_server_ts: 1000000,
      signatures: {},
      hashes: {},
      type: 'X',
      content: {},
      prev_events: [],
      auth_events: [],
      depth: 3,
      unsigned: { age_ts: 1000000 },
    };
    const { pdu } = hashAndSignEvent(event as unknown as UnsignedPdu, SERVER, KEY, v10);
    assert.deepEqual(pdu, {
      auth_events: [],
      content: {},
      depth: 3,
      hashes: { sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos' },
      origin: 'domain',
      origin_server_ts: 1000000,
      prev_events: [],
      room_id: '!x:domain',
      sender: '@a:domain',
      signatures: {
        domain: {
          'ed25519:1': 'KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg',
        },
      },
      type: 'X',
      unsigned: { age_ts: 1000000 },
    });
  });

  it('hashes and signs the event with redactable content', () => {
    const event = {
      content: { body: 'Here is the message content' },
      event_id: '$0:domain',
      origin: 'domain',
      origin_server_ts: 1000000,
      type: 'm.room.message',
      room_id: '!r:domain',
      sender: '@u:domain',
      signatures: {},
      unsigned: { age_ts: 1000000 },
    };
    const { pdu } = hashAndSignEvent(event as unknown as UnsignedPdu, SERVER, KEY, v10);
    assert.deepEqual(pdu, {
      content: { body: 'Here is the message content' },
      event_id: '$0:domain',
      hashes: { sha256: 'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g' },
      origin: 'domain',
      origin_server_ts: 1000000,
      type: 'm.room.message',
      room_id: '!r:domain',
      sender: '@u:domain',
      signatures: {
        domain: {
          'ed25519:1': 'Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA',
        },
      },
      unsigned: { age_ts: 1000000 },
    });
    assert.equal(verifyEventSignature(pdu, v10, { serverName: SERVER, keyId: 'ed25519:1', publicKey: KEY.publicKey }), true);
  });
});

describe('signing events in v10 and v11 rooms', () => {
  const member = {
    type: 'm.room.member',
    room_id: '!room:hearth.test',
    sender: '@alice:hearth.test',
    state_key: '@alice:hearth.test',
    content: { membership: 'join', displayname: 'Alice' },
    origin_server_ts: 1700000000000,
    depth: 4,
    prev_events: ['$abc'],
    auth_events: ['$def', '$ghi'],
  } as unknown as UnsignedPdu;
  const signer = { serverName: 'hearth.test', keyId: 'ed25519:1', publicKey: publicKeyBase64(KEY) };

  for (const rv of [v10, v11]) {
    it(`v${rv.id}: signature covers the redacted form, the hash covers the rest`, () => {
      const { pdu, eventId } = hashAndSignEvent(member, 'hearth.test', KEY, rv);
      assert.equal(eventId, computeEventId(pdu, rv));
      assert.equal(checkContentHash(pdu), true);
      assert.equal(verifyEventSignature(pdu, rv, signer), true);

      // Changing what redaction removes keeps the signature valid but breaks the hash.
      const renamed = { ...pdu, content: { ...pdu.content, displayname: 'Mallory' } };
      assert.equal(verifyEventSignature(renamed, rv, signer), true);
      assert.equal(checkContentHash(renamed), false);

      // Changing what redaction keeps breaks the signature.
      const banned = { ...pdu, content: { ...pdu.content, membership: 'ban' } };
      assert.equal(verifyEventSignature(banned, rv, signer), false);
    });
  }

  it('keeps signatures already on the event', () => {
    const withOther = { ...member, signatures: { 'other.test': { 'ed25519:x': 'c2ln' } } } as unknown as UnsignedPdu;
    const { pdu } = hashAndSignEvent(withOther, 'hearth.test', KEY, v11);
    assert.deepEqual(Object.keys(pdu.signatures).sort(), ['hearth.test', 'other.test']);
  });
});

describe('verifyJsonSignature failures', () => {
  const signed = signJson({ a: 1, unsigned: { age: 5 } }, SERVER, KEY);
  const pub = publicKeyBase64(KEY);

  it('ignores unsigned but not other changes', () => {
    assert.equal(verifyJsonSignature({ ...signed, unsigned: { age: 99 } }, SERVER, 'ed25519:1', pub), true);
    assert.equal(verifyJsonSignature({ ...signed, a: 2 }, SERVER, 'ed25519:1', pub), false);
  });

  it('is false, not a throw, for every malformed input', () => {
    const other = publicKeyBase64(generateSigningKey(randomBytes));
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:1', other), false);
    assert.equal(verifyJsonSignature(signed, 'elsewhere', 'ed25519:1', pub), false);
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:2', pub), false);
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:1', 'not base64!'), false);
    assert.equal(verifyJsonSignature(signed, SERVER, 'ed25519:1', 'AAAA'), false);
    assert.equal(verifyJsonSignature({ ...signed, f: 0.5 }, SERVER, 'ed25519:1', pub), false);
    const badSig = { ...signed, signatures: { [SERVER]: { 'ed25519:1': '%%%' } } };
    assert.equal(verifyJsonSignature(badSig, SERVER, 'ed25519:1', pub), false);
    const wrongAlg = { ...signed, signatures: { [SERVER]: { 'curve25519:1': signed.signatures[SERVER]?.['ed25519:1'] ?? '' } } };
    assert.equal(verifyJsonSignature(wrongAlg, SERVER, 'curve25519:1', pub), false);
  });
});

describe('signing keys', () => {
  it('generates a random key with a Synapse-shaped id', () => {
    const key = generateSigningKey(randomBytes);
    assert.match(key.keyId, /^ed25519:a_[A-Za-z]{4}$/);
    assert.equal(key.seed.length, 32);
    assert.equal(key.publicKey.length, 32);
    assert.equal(generateSigningKey(randomBytes, 'ed25519:mine').keyId, 'ed25519:mine');
  });

  it('derives the same key from the same seed', () => {
    const again = signingKeyFromSeed(Buffer.from(SEED), 'ed25519:1');
    assert.equal(publicKeyBase64(again), publicKeyBase64(KEY));
  });

  it('rejects bad seeds and key ids', () => {
    assert.throws(() => signingKeyFromSeed(Buffer.alloc(31), 'ed25519:1'), SigningKeyFormatError);
    assert.throws(() => signingKeyFromSeed(SEED, 'ed25519:'), SigningKeyFormatError);
    assert.throws(() => signingKeyFromSeed(SEED, 'rsa:1'), SigningKeyFormatError);
    assert.throws(() => signingKeyFromSeed(SEED, 'ed25519:a b'), SigningKeyFormatError);
  });

  it('formats and parses the key file line', () => {
    const line = formatSigningKeyLine(KEY);
    assert.equal(line, 'ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0');
    const parsed = parseSigningKeyLine(line);
    assert.equal(parsed.keyId, 'ed25519:1');
    assert.deepEqual(parsed.seed, KEY.seed);
  });

  it('parses a whole file, accepting padding and blank lines', () => {
    const other = generateSigningKey(randomBytes);
    const text = `${formatSigningKeyLine(KEY)}=\n\n${formatSigningKeyLine(other)}\n`;
    const keys = parseSigningKeyFile(text);
    assert.deepEqual(keys.map((k) => k.keyId), ['ed25519:1', other.keyId]);
    assert.deepEqual(keys[1]?.seed, other.seed);
  });

  it('names the bad line', () => {
    assert.throws(() => parseSigningKeyFile(`${formatSigningKeyLine(KEY)}\ned25519 2\n`), /line 2:/);
    assert.throws(() => parseSigningKeyLine('rsa 1 AAAA'), SigningKeyFormatError);
    assert.throws(() => parseSigningKeyLine('ed25519 1 %%%'), SigningKeyFormatError);
    assert.throws(() => parseSigningKeyLine('ed25519 1 AAAA'), /32 bytes/);
  });
});
