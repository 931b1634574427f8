// Hearth as a notary for other servers' keys (issue 15): `GET /_matrix/key/v2/query/{serverName}`
// and `POST /_matrix/key/v2/query` answer each server's own signed answer, from the key ring
// (fetched when needed), with Hearth's signature added; bounded to 50 servers a query; fetches
// keep to the deny-list. And `federation.trusted_key_servers`: the key ring asks those notaries
// when a server cannot answer itself. The key ring keeps its answers in memory and its keys in the
// database (the contract of that is test/federation/key-ring.test.ts): one backend suffices.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { serverKeys } from '../../src/core/events/server-keys.js';
import { generateSigningKey, publicKeyBase64, type SigningKey } from '../../src/core/events/signing-key.js';
import { signJson, verifyJsonSignature } from '../../src/core/events/signing.js';
import { FakePeers, type FakePeer } from '../helpers/fake-peers.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const SS = 'server-server';
const OURS = 'notary.hs.test';
const QUERY = '/_matrix/key/v2/query';
const SERVER_KEYS = '/_matrix/key/v2/server';
const HOUR = 3_600_000;

interface KeyAnswer {
  server_name: string;
  valid_until_ts: number;
  verify_keys: Record<string, { key: string }>;
  signatures: Record<string, Record<string, string>>;
}

const signedBy = (answer: KeyAnswer, name: string, key: SigningKey) => verifyJsonSignature(answer, name, key.keyId, publicKeyBase64(key));

function call(fed: FastifyInstance, method: InjectOptions['method'], url: string, body?: unknown) {
  return fed.inject({ method, url, ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
}

describe('notary: other servers\' keys', () => {
  let s: TestServer;
  let fed: FastifyInstance;
  const ourKey = generateSigningKey(randomBytes);
  const peers = new FakePeers(() => s.clock.now());
  const up = peers.add('up.test');
  const other = peers.add('other.test');
  const down = peers.add('down.test');
  down.up = false;
  const fetches = (peer: FakePeer) => peers.to(peer.name, { withKeys: true }).filter((r) => r.path === SERVER_KEYS).length;

  before(async () => {
    s = await startTestServer({ config: { server_name: OURS, federation: { port: 0 } }, signingKey: ourKey, federationRequester: peers });
    fed = s.app.federationHttp!;
    await fed.ready();
  });
  after(() => s.close());

  /** Checks a notary answer for `peer`: its own self-signature intact, and ours. */
  const assertNotarised = (answer: KeyAnswer, peer: FakePeer) => {
    assert.equal(answer.server_name, peer.name);
    assert.deepEqual(answer.verify_keys, { [peer.key.keyId]: { key: publicKeyBase64(peer.key) } });
    assert.ok(signedBy(answer, peer.name, peer.key), 'the server\'s own signature');
    assert.ok(signedBy(answer, OURS, ourKey), 'the notary\'s signature');
  };

  it('GET query/{serverName}: the server\'s answer as fetched, signed by it and by this server; then from the key ring', async () => {
    const url = `${QUERY}/${up.name}`;
    const res = await call(fed, 'GET', url);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url, SS);
    const [answer] = res.json().server_keys as KeyAnswer[];
    assertNotarised(answer!, up);
    assert.equal(answer!.valid_until_ts, s.clock.now() + 24 * HOUR, 'the server\'s own valid_until_ts');
    assert.equal(fetches(up), 1);
    const again = await call(fed, 'GET', url);
    assert.deepEqual(again.json(), res.json());
    assert.equal(fetches(up), 1, 'answered from the key ring');
  });

  it('minimum_valid_until_ts beyond the held answer: fetched again once the back-off allows; until then the held one', async () => {
    const url = `${QUERY}/${up.name}`;
    const held = (await call(fed, 'GET', url)).json().server_keys[0] as KeyAnswer;
    const later = held.valid_until_ts + 1;
    const early = await call(fed, 'GET', `${url}?minimum_valid_until_ts=${later}`);
    assert.equal(early.statusCode, 200);
    assert.equal(early.json().server_keys[0].valid_until_ts, held.valid_until_ts, 'within the back-off: the held answer');
    const before = fetches(up);
    s.clock.advance(2 * HOUR);
    const res = await call(fed, 'GET', `${url}?minimum_valid_until_ts=${later}`);
    assert.equal(res.statusCode, 200);
    const [fresh] = res.json().server_keys as KeyAnswer[];
    assertNotarised(fresh!, up);
    assert.equal(fresh!.valid_until_ts, s.clock.now() + 24 * HOUR);
    assert.equal(fetches(up), before + 1);
    // Without a minimum, "now" is asked: the held answer is still valid.
    await call(fed, 'GET', url);
    assert.equal(fetches(up), before + 1);
  });

  it('POST query: each server named, ours included; an unreachable one left out; a missing key ID fetches again', async () => {
    s.clock.advance(2 * HOUR);
    const before = fetches(other);
    const body = { server_keys: { [other.name]: {}, [down.name]: {}, [OURS]: { [ourKey.keyId]: {} } } };
    const res = await call(fed, 'POST', QUERY, body);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', QUERY, SS);
    const answers = res.json().server_keys as KeyAnswer[];
    assert.deepEqual(answers.map((a) => a.server_name).sort(), [OURS, other.name].sort());
    assertNotarised(answers.find((a) => a.server_name === other.name)!, other);
    assert.ok(signedBy(answers.find((a) => a.server_name === OURS)!, OURS, ourKey));
    assert.equal(fetches(other), before + 1);
    s.clock.advance(2 * HOUR);
    const unknownKey = await call(fed, 'POST', QUERY, { server_keys: { [other.name]: { 'ed25519:gone': {} } } });
    assert.equal(unknownKey.statusCode, 200);
    assertNotarised(unknownKey.json().server_keys[0], other);
    assert.equal(fetches(other), before + 2, 'asked again for the key it did not have');
  });

  it('413 M_TOO_LARGE past 50 servers, before anything is fetched; 50 are answered', async () => {
    const names = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}.many.test`, {}]));
    const asked = peers.requests.length;
    const res = await call(fed, 'POST', QUERY, { server_keys: names(51) });
    assertMatrixError(res, 413, 'M_TOO_LARGE', 'POST', QUERY, SS);
    assert.equal(peers.requests.length, asked);
    const fifty = await call(fed, 'POST', QUERY, { server_keys: names(50) });
    assert.equal(fifty.statusCode, 200, fifty.body);
    assert.deepEqual(fifty.json(), { server_keys: [] });
    assert.equal(peers.requests.length, asked + 50, 'each of the 50 asked once (none exists)');
  });
});

describe('federation.trusted_key_servers', () => {
  let s: TestServer;
  let fed: FastifyInstance;
  const peers = new FakePeers(() => s.clock.now());
  const configured = peers.add('configured.test');
  const fetchedNotary = peers.add('fetched.test');
  const target = generateSigningKey(randomBytes);
  const downName = 'down.test';
  /** The notary's answer about down.test: the server's own answer with the notary's signature added. */
  const notaryAnswer = (notary: FakePeer) => () => ({
    server_keys: [signJson(serverKeys(downName, target, s.clock.now()), notary.name, notary.key)],
  });
  const queries = (notary: FakePeer) => peers.to(notary.name, { withKeys: true }).filter((r) => r.path === QUERY);

  before(async () => {
    const trusted = [{ server_name: configured.name, verify_keys: { [configured.key.keyId]: publicKeyBase64(configured.key) } }, { server_name: fetchedNotary.name }];
    s = await startTestServer({ config: { server_name: 'hs.test', federation: { port: 0, trusted_key_servers: trusted } }, federationRequester: peers });
    fed = s.app.federationHttp!;
    await fed.ready();
  });
  after(() => s.close());

  it('none by default: a server that cannot be reached has no keys, and no notary is asked', async () => {
    const plainPeers = new FakePeers();
    const plain = await startTestServer({ federationRequester: plainPeers });
    try {
      assert.deepEqual(await plain.app.services.federation.keyRing.keysFor(downName, [target.keyId], plain.clock.now()), {});
      assert.deepEqual(plainPeers.requests.map((r) => `${r.destination} ${r.path}`), [`${downName} ${SERVER_KEYS}`]);
    } finally {
      await plain.close();
    }
  });

  it('a server that cannot be reached: the configured notary\'s answer, checked with its configured key; Hearth passes it on as a notary', async () => {
    configured.on('POST', /^\/_matrix\/key\/v2\/query$/, notaryAnswer(configured));
    const ring = s.app.services.federation.keyRing;
    assert.deepEqual(await ring.keysFor(downName, [target.keyId], s.clock.now()), { [target.keyId]: publicKeyBase64(target) });
    const [asked] = queries(configured);
    assert.deepEqual(asked?.body, { server_keys: { [downName]: {} } });
    assert.equal(queries(fetchedNotary).length, 0, 'the first notary answered');
    const res = await call(fed, 'GET', `${QUERY}/${downName}`);
    assert.equal(res.statusCode, 200, res.body);
    const [answer] = res.json().server_keys as KeyAnswer[];
    assert.ok(verifyJsonSignature(answer!, downName, target.keyId, publicKeyBase64(target)));
    assert.ok(signedBy(answer!, configured.name, configured.key), 'the first notary\'s signature stays');
    assert.equal(Object.keys(answer!.signatures).length, 3, 'the server, the notary, and Hearth');
  });
});

describe('trusted notaries: forged answers and notaries without configured keys', () => {
  const peers = new FakePeers(() => s.clock.now());
  let s: TestServer;
  const configured = peers.add('configured.test');
  const fetchedNotary = peers.add('fetched.test');
  const target = generateSigningKey(randomBytes);
  /** A key under the notary's key ID that is not its key. */
  const impostor = (notary: FakePeer) => ({ ...generateSigningKey(randomBytes), keyId: notary.key.keyId });
  const answerBy = (name: string, signer: SigningKey, about = 'down.test', key = target) => () => ({ server_keys: [signJson(serverKeys(about, key, s.clock.now()), name, signer)] });
  let configuredAnswer = answerBy(configured.name, impostor(configured));
  let fetchedAnswer = answerBy(fetchedNotary.name, fetchedNotary.key);

  before(async () => {
    configured.on('POST', /^\/_matrix\/key\/v2\/query$/, () => configuredAnswer());
    fetchedNotary.on('POST', /^\/_matrix\/key\/v2\/query$/, () => fetchedAnswer());
    const trusted = [{ server_name: configured.name, verify_keys: { [configured.key.keyId]: publicKeyBase64(configured.key) } }, { server_name: fetchedNotary.name }];
    s = await startTestServer({ config: { federation: { trusted_key_servers: trusted } }, federationRequester: peers });
  });
  after(() => s.close());

  it('an answer not signed with the configured key is refused; a notary without configured keys is checked with its own, fetched from it', async () => {
    const keys = await s.app.services.federation.keyRing.keysFor('down.test', [target.keyId], s.clock.now());
    assert.deepEqual(keys, { [target.keyId]: publicKeyBase64(target) });
    assert.deepEqual(peers.to(fetchedNotary.name, { withKeys: true }).map((r) => r.path), [QUERY, SERVER_KEYS], 'its keys fetched from it');
    assert.deepEqual(peers.to(configured.name, { withKeys: true }).map((r) => r.path), [QUERY], 'a configured key is never fetched');
  });

  it('an answer its fetched keys do not verify, or about another server, is refused', async () => {
    const other = generateSigningKey(randomBytes);
    fetchedAnswer = answerBy(fetchedNotary.name, impostor(fetchedNotary), 'other.test', other);
    configuredAnswer = answerBy(configured.name, configured.key, 'down.test', other);
    assert.deepEqual(await s.app.services.federation.keyRing.keysFor('other.test', [other.keyId], s.clock.now()), {});
    assert.equal(peers.to(fetchedNotary.name, { withKeys: true }).filter((r) => r.path === QUERY).length, 2, 'both notaries were asked');
  });
});

describe('notary fetches keep to the deny-list', () => {
  let s: TestServer;
  let listener: Server;
  let connections = 0;

  before(async () => {
    // Something listening on a loopback port: a notary query for it must not connect.
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    s = await startTestServer({ config: { federation: { port: 0 } } });
    await s.app.federationHttp!.ready();
  });
  after(async () => {
    await s.close();
    listener.close();
  });

  it('a server name that is a loopback address gets no keys, and nothing connects to it', async () => {
    const address = listener.address();
    const name = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    for (const res of [await call(s.app.federationHttp!, 'GET', `${QUERY}/${name}`), await call(s.app.federationHttp!, 'POST', QUERY, { server_keys: { [name]: {} } })]) {
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { server_keys: [] });
    }
    assert.equal(connections, 0);
  });
});
