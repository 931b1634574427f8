import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { publicKeyBase64, signingKeyFromSeed } from '../../src/core/events/signing-key.js';
import { signJson } from '../../src/core/events/signing.js';
import { KeyRing, type TrustedKeyServer } from '../../src/services/federation/key-ring.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { FakeClock } from '../helpers/fake-clock.js';

const PEER = signingKeyFromSeed(new Uint8Array(32).fill(1), 'ed25519:p');
const NOTARY = signingKeyFromSeed(new Uint8Array(32).fill(2), 'ed25519:n');
const STRANGER = signingKeyFromSeed(new Uint8Array(32).fill(3), 'ed25519:n');
const BACKOFF = { initialMs: 60_000, maxMs: 3_600_000 };

/** The server the current test asks about: one per test, since the suite shares its store. */
let peerName = 'peer0.test';
let tests = 0;

function peerKeys(validUntil: number, signer = PEER, name = peerName) {
  const body = { server_name: name, valid_until_ts: validUntil, verify_keys: { [PEER.keyId]: { key: publicKeyBase64(PEER) } }, old_verify_keys: {} };
  return signJson(body, name, signer);
}

forEachBackend('key ring', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  /** A key ring over a scripted peer and notary and a store; every fetch is counted. */
  function setup(answer: () => Promise<unknown>, notaries: TrustedKeyServer[] = [], notaryAnswer?: () => Promise<unknown>) {
    tests += 1;
    peerName = `peer${tests}.test`;
    const name = peerName;
    const clock = new FakeClock();
    const calls = { server: 0, notary: 0 };
    const ring = new KeyRing({
      fetchServerKeys: (asked) => {
        assert.equal(asked, name);
        calls.server += 1;
        return answer();
      },
      fetchFromNotary: (notary, asked) => {
        assert.deepEqual([notary, asked], ['notary.test', name]);
        calls.notary += 1;
        return notaryAnswer ? notaryAnswer() : Promise.reject(new Error('no notary'));
      },
      trustedKeyServers: notaries,
      store: store.serverKeys,
      clock,
      random: () => 0.5,
      backoff: BACKOFF,
    });
    return { ring, clock, calls, name };
  }

  const NOTARY_CONFIG: TrustedKeyServer = { serverName: 'notary.test', verifyKeys: { [NOTARY.keyId]: publicKeyBase64(NOTARY) } };

  it('fetches once, then answers from the cache', async () => {
    const { ring, clock, calls, name } = setup(async () => peerKeys(new FakeClock().now() + 3_600_000));
    const now = clock.now();
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], now), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], now + 1000), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(calls.server, 1);
  });

  it('keeps the keys in the database: a new ring (a restart) answers without fetching', async () => {
    const first = setup(async () => peerKeys(first.clock.now() + 3_600_000));
    assert.deepEqual(await first.ring.keysFor(first.name, ['ed25519:p'], first.clock.now()), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(first.calls.server, 1);
    const second = setup(() => Promise.reject(new Error('must not be asked')));
    assert.deepEqual(await second.ring.keysFor(first.name, ['ed25519:p'], first.clock.now()), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(second.calls.server, 0);
  });

  it('concurrent lookups share one fetch', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { ring, clock, calls, name } = setup(async () => {
      await gate;
      return peerKeys(clock.now() + 3_600_000);
    });
    const lookups = [1, 2, 3].map(() => ring.keysFor(name, ['ed25519:p'], clock.now()));
    // Hold the fetch until every lookup has had time to read the store (a PostgreSQL read takes a
    // few milliseconds): without sharing, each of them would have fetched by then.
    while (calls.server === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    for (const keys of await Promise.all(lookups)) assert.deepEqual(keys, { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(calls.server, 1);
  });

  it('a key is usable for signatures made up to its valid_until_ts, not after', async () => {
    const { ring, clock, calls, name } = setup(async () => peerKeys(clock.now() + 1000));
    const until = clock.now() + 1000;
    assert.deepEqual(Object.keys(await ring.keysFor(name, ['ed25519:p'], until)), ['ed25519:p']);
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], until + 1), {});
    assert.equal(calls.server, 1, 'asked again only after the minimum interval');
    clock.advance(BACKOFF.initialMs);
    // The second answer is valid for longer: it renews the key.
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], until + 1), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(calls.server, 2);
  });

  it('a forged answer gives no key and caches nothing; the server is retried only after the back-off', async () => {
    let forged = true;
    const { ring, clock, calls, name } = setup(async () => peerKeys(clock.now() + 3_600_000, forged ? STRANGER : PEER));
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), {});
    assert.deepEqual({ ...(await store.serverKeys.get(name)) }, {}, 'nothing stored');
    forged = false;
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), {});
    assert.equal(calls.server, 1, 'no second fetch within the back-off');
    clock.advance(BACKOFF.initialMs); // retryDelayMs at jitter 0.5: 0.875 of the first step
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.equal(calls.server, 2);
  });

  it('failures in a row back off longer', async () => {
    const { ring, clock, calls, name } = setup(() => Promise.reject(new Error('unreachable')));
    await ring.keysFor(name, ['ed25519:p'], clock.now());
    clock.advance(BACKOFF.initialMs);
    await ring.keysFor(name, ['ed25519:p'], clock.now());
    assert.equal(calls.server, 2);
    clock.advance(BACKOFF.initialMs); // the second delay is 2 × 0.875 minutes
    await ring.keysFor(name, ['ed25519:p'], clock.now());
    assert.equal(calls.server, 2);
    clock.advance(BACKOFF.initialMs);
    await ring.keysFor(name, ['ed25519:p'], clock.now());
    assert.equal(calls.server, 3);
  });

  it('falls back to a trusted notary, checking both signatures', async () => {
    let notarySigner = STRANGER;
    const { ring, clock, calls, name } = setup(
      () => Promise.reject(new Error('unreachable')),
      [NOTARY_CONFIG],
      async () => ({ server_keys: [signJson(peerKeys(clock.now() + 3_600_000), 'notary.test', notarySigner)] }),
    );
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), {}, 'not signed by the configured notary key');
    notarySigner = NOTARY;
    clock.advance(BACKOFF.initialMs);
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), { 'ed25519:p': publicKeyBase64(PEER) });
    assert.deepEqual(calls, { server: 2, notary: 2 });
  });

  it('a notary answer must still be self-signed by the server', async () => {
    const { ring, clock, name } = setup(
      () => Promise.reject(new Error('unreachable')),
      [NOTARY_CONFIG],
      async () => ({ server_keys: [signJson(peerKeys(clock.now() + 3_600_000, STRANGER), 'notary.test', NOTARY)] }),
    );
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p'], clock.now()), {});
  });

  it('returns only the key IDs asked for', async () => {
    const { ring, clock, name } = setup(async () => peerKeys(clock.now() + 3_600_000));
    assert.deepEqual(await ring.keysFor(name, ['ed25519:p', 'ed25519:unknown'], clock.now()), { 'ed25519:p': publicKeyBase64(PEER) });
  });
}, describe);
