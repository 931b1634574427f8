import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventId, type EventId, type RoomId, type UserId } from '../ids.js';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import {
  checkContentHash,
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  eventIdFromReferenceHash,
} from './hashes.js';
import type { Pdu } from './types.js';

const v3 = ROOM_VERSIONS['3'] as RoomVersion;
const v4 = ROOM_VERSIONS['4'] as RoomVersion;
const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const v11 = ROOM_VERSIONS['11'] as RoomVersion;

const pdu: Pdu = {
  type: 'm.room.message',
  room_id: '!r:hearth.test' as RoomId,
  sender: '@u:hearth.test' as UserId,
  content: { msgtype: 'm.text', body: 'hello' },
  origin_server_ts: 1700000000000,
  depth: 7,
  prev_events: ['$prev' as EventId],
  auth_events: ['$create' as EventId],
  hashes: { sha256: '' },
  signatures: {},
};
const hashed: Pdu = { ...pdu, hashes: { sha256: computeContentHash(pdu) } };

describe('content hash', () => {
  it('matches the spec vector for the minimal event', () => {
    // Spec appendices, "Event Signing": the hash of the minimal event.
    const minimal = {
      room_id: '!x:domain', sender: '@a:domain', origin: 'domain', origin_server_ts: 1000000, signatures: {},
      hashes: {}, type: 'X', content: {}, prev_events: [], auth_events: [], depth: 3, unsigned: { age_ts: 1000000 },
    };
    assert.equal(computeContentHash(minimal), '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos');
  });

  it('ignores unsigned, signatures and hashes, and nothing else', () => {
    const base = computeContentHash(pdu);
    assert.equal(computeContentHash({ ...pdu, unsigned: { age: 1 }, signatures: { x: { y: 'z' } }, hashes: { sha256: 'q' } }), base);
    assert.notEqual(computeContentHash({ ...pdu, depth: 8 }), base);
    assert.notEqual(computeContentHash({ ...pdu, content: { ...pdu.content, body: 'bye' } }), base);
    assert.equal(base.length, 43);
  });

  it('checkContentHash accepts a matching hash, padded or not, and rejects the rest', () => {
    assert.equal(checkContentHash(hashed), true);
    assert.equal(checkContentHash({ ...hashed, hashes: { sha256: `${hashed.hashes.sha256}=` } }), true);
    assert.equal(checkContentHash({ ...hashed, content: {} }), false);
    assert.equal(checkContentHash({ ...hashed, hashes: { sha256: '!' } }), false);
    assert.equal(checkContentHash({ ...hashed, hashes: {} }), false);
    assert.equal(checkContentHash({ type: 'x' }), false);
  });
});

describe('reference hash and event ID', () => {
  it('is "$" and 43 URL-safe characters, and parses as an event ID', () => {
    for (const rv of [v10, v11]) {
      const id = computeEventId(hashed, rv);
      assert.equal(id.length, 44);
      assert.match(id, /^\$[A-Za-z0-9_-]{43}$/);
      assert.equal(parseEventId(id), id);
    }
  });

  it('is the URL-safe encoding of the 32-byte reference hash', () => {
    const hash = computeReferenceHash(hashed, v11);
    assert.equal(hash.length, 32);
    assert.equal(computeEventId(hashed, v11), `$${hash.toString('base64url')}`);
    assert.equal(eventIdFromReferenceHash(new Uint8Array(32).fill(0xff), v11), `$${'_'.repeat(42)}8`);
  });

  it('v3 uses the standard alphabet (`+`, `/`), v4 and later the URL-safe one, over the same hash', () => {
    assert.equal(eventIdFromReferenceHash(new Uint8Array(32).fill(0xff), v3), `$${'/'.repeat(42)}8`);
    // Bytes whose 6-bit groups are 62 and 63, the two places where the alphabets differ.
    const plusSlash = Uint8Array.from([...Array.from({ length: 10 }, () => [0xfb, 0xff, 0xbf]).flat(), 0xfb, 0xff]);
    assert.equal(eventIdFromReferenceHash(plusSlash, v3), `$${'+/'.repeat(21)}8`);
    assert.equal(eventIdFromReferenceHash(plusSlash, v4), `$${'-_'.repeat(21)}8`);
    const hash = computeReferenceHash(hashed, v3);
    // v3 and v4 redact alike, so only the encoding of the one hash differs.
    assert.deepEqual(hash, computeReferenceHash(hashed, v4));
    assert.equal(computeEventId(hashed, v3), `$${hash.toString('base64').replace(/=+$/, '')}`);
    assert.equal(computeEventId(hashed, v4), `$${hash.toString('base64url')}`);
    assert.equal(parseEventId(computeEventId(hashed, v3)), computeEventId(hashed, v3));
  });

  it('ignores signatures and unsigned', () => {
    const id = computeEventId(hashed, v10);
    assert.equal(computeEventId({ ...hashed, signatures: { s: { 'ed25519:1': 'x' } }, unsigned: { age: 3 } }, v10), id);
  });

  it('covers unredacted content only through the content hash', () => {
    const id = computeEventId(hashed, v10);
    // Same hashes, different content: redaction removes the content, so the ID is unchanged;
    // the content hash check is what detects the change.
    assert.equal(computeEventId({ ...hashed, content: { body: 'other' } }, v10), id);
    const rehashed = { ...hashed, content: { body: 'other' } };
    assert.notEqual(computeEventId({ ...rehashed, hashes: { sha256: computeContentHash(rehashed) } }, v10), id);
  });

  it('differs between v10 and v11 when a key only v10 keeps is present', () => {
    const withOrigin = { ...hashed, origin: 'hearth.test' } as Pdu;
    assert.notEqual(computeEventId(withOrigin, v10), computeEventId(hashed, v10));
    assert.equal(computeEventId(withOrigin, v11), computeEventId(hashed, v11));
  });
});
