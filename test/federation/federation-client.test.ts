// The outbound federation client and the key ring against an in-process HTTPS peer on
// 127.0.0.1, with a certificate from a throwaway CA made here with openssl.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serverKeys } from '../../src/core/events/server-keys.js';
import { publicKeyBase64, signingKeyFromSeed } from '../../src/core/events/signing-key.js';
import { signJson } from '../../src/core/events/signing.js';
import { readRequestClaim, verifyRequestClaim } from '../../src/core/federation/request-auth.js';
import { FederationClient, FederationRequestError } from '../../src/services/federation/federation-client.js';
import { WELL_KNOWN_MAX_REDIRECTS, wellKnownFetcher } from '../../src/services/federation/node-network.js';
import { federationKeyRing } from '../../src/services/federation/outbound.js';
import { ServerResolver, type FederationDns } from '../../src/services/federation/server-resolver.js';
import { useFreshStore } from '../helpers/backends.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { hasOpenssl, makeCertificates } from '../helpers/test-certificates.js';

const HOST = '127.0.0.1';
const OURS = signingKeyFromSeed(new Uint8Array(32).fill(7), 'ed25519:ours');
const PEER_KEY = signingKeyFromSeed(new Uint8Array(32).fill(8), 'ed25519:peer');
const FORGER = signingKeyFromSeed(new Uint8Array(32).fill(9), 'ed25519:peer');
const MAX_BYTES = 4096;

type KeyMode = 'ok' | 'forged' | 'wrong-name' | 'expired' | 'huge' | 'slow';

function keyBody(serverName: string, validUntil: number) {
  return { server_name: serverName, valid_until_ts: validUntil, verify_keys: { [PEER_KEY.keyId]: { key: publicKeyBase64(PEER_KEY) } }, old_verify_keys: {} };
}

/** DNS that knows no name: every test destination is an IP literal. */
const noDns: FederationDns = { resolveSrv: async () => [], lookup: async () => [] };

describe('outbound federation over HTTPS', { skip: hasOpenssl ? false : 'openssl is not installed: it makes the test certificates' }, () => {
  let dir: string;
  let server: Server;
  let peerName: string;
  let ca: Buffer;
  let keyMode: KeyMode = 'ok';
  let wellKnownMode: 'ok' | 'loop' | 'huge' = 'ok';
  const received: { method: string; url: string; host: string; authorization: string[]; body: string }[] = [];
  const agents: Agent[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-fedclient-'));
    const files = makeCertificates(dir, HOST);
    ca = readFileSync(files.ca);
    server = createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const auth = req.headers.authorization;
        received.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', authorization: auth === undefined ? [] : [auth], body });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.url === '/_matrix/key/v2/server') {
          const now = Date.now();
          if (keyMode === 'slow') return; // never answers
          if (keyMode === 'huge') return json(200, { ...serverKeys(peerName, PEER_KEY, now), padding: 'x'.repeat(MAX_BYTES) });
          // Lists the peer's key but is signed by another key with the same ID.
          if (keyMode === 'forged') return json(200, signJson(keyBody(peerName, now + 60_000), peerName, FORGER));
          if (keyMode === 'wrong-name') return json(200, serverKeys('127.0.0.2:8448', PEER_KEY, now));
          if (keyMode === 'expired') return json(200, signJson(keyBody(peerName, now - 1000), peerName, PEER_KEY));
          return json(200, serverKeys(peerName, PEER_KEY, now));
        }
        if (req.url === '/.well-known/matrix/server' || req.url?.startsWith('/hop')) {
          if (wellKnownMode === 'loop') {
            res.writeHead(302, { Location: `/hop${received.length}` });
            return res.end();
          }
          if (wellKnownMode === 'huge') return json(200, { 'm.server': 'x'.repeat(70 * 1024) });
          if (req.url === '/.well-known/matrix/server') {
            res.writeHead(301, { Location: '/hop' });
            return res.end();
          }
          res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=600' });
          return res.end(JSON.stringify({ 'm.server': 'matrix.example.org:443' }));
        }
        if (req.url?.startsWith('/_matrix/federation/v1/echo')) return json(200, { ok: true });
        if (req.url === '/_matrix/federation/v1/pair') return json(200, [200, { accepted: true }]);
        if (req.url === '/_matrix/federation/v1/refuse') return json(403, { errcode: 'M_FORBIDDEN', error: 'no' });
        if (req.url === '/_matrix/federation/v1/text') {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return res.end('hello');
        }
        json(404, { errcode: 'M_UNRECOGNIZED', error: 'unknown' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    peerName = `${HOST}:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    for (const agent of agents) agent.destroy();
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(options: { allowPrivate?: boolean; trustCa?: boolean; timeoutMs?: number } = {}) {
    const agent = new Agent({ keepAlive: true, ca: options.trustCa === false ? undefined : ca });
    agents.push(agent);
    const allowPrivate = options.allowPrivate ?? true;
    const clock = new FakeClock(Date.now());
    const fetchWellKnown = wellKnownFetcher({ dns: noDns, agent, allowPrivate, timeoutMs: 2000 });
    const resolver = new ServerResolver({ dns: noDns, fetchWellKnown, clock, allowPrivate });
    return {
      clock,
      client: new FederationClient({ serverName: 'hearth.test', signingKey: OURS, resolver, agent, timeoutMs: options.timeoutMs ?? 2000, maxResponseBytes: MAX_BYTES }),
    };
  }

  async function refusal(promise: Promise<unknown>): Promise<FederationRequestError> {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FederationRequestError, `expected a FederationRequestError, got ${String(err)}`);
    return err;
  }

  it('signs the request as us, for the destination, with the raw target and body', async () => {
    received.length = 0;
    const body = { pdus: [], note: 'é' };
    const answer = await client().client.request({ destination: peerName, method: 'PUT', path: '/_matrix/federation/v1/echo/1', query: { a: ['1', '2'], b: 'x y' }, body });
    assert.deepEqual(answer, { ok: true });
    assert.equal(received.length, 1);
    const [seen] = received;
    assert.equal(seen?.url, '/_matrix/federation/v1/echo/1?a=1&a=2&b=x+y');
    assert.equal(seen?.host, peerName);
    assert.deepEqual(JSON.parse(seen?.body ?? ''), body);
    const claim = readRequestClaim(seen?.authorization ?? [], peerName);
    assert.ok(typeof claim === 'object' && claim.origin === 'hearth.test');
    const keys = { [OURS.keyId]: publicKeyBase64(OURS) };
    assert.equal(verifyRequestClaim({ method: 'PUT', uri: seen.url, content: body }, claim, peerName, keys), true);
    assert.equal(verifyRequestClaim({ method: 'PUT', uri: seen.url, content: { other: 1 } }, claim, peerName, keys), false);
  });

  it('a non-2xx answer is "refused" with the status and errcode', async () => {
    const err = await refusal(client().client.request({ destination: peerName, method: 'GET', path: '/_matrix/federation/v1/refuse' }));
    assert.deepEqual([err.kind, err.status, err.errcode], ['refused', 403, 'M_FORBIDDEN']);
  });

  it('a 2xx that is not a JSON object is a "bad response"', async () => {
    const err = await refusal(client().client.request({ destination: peerName, method: 'GET', path: '/_matrix/federation/v1/text' }));
    assert.deepEqual([err.kind, err.status], ['bad_response', 200]);
  });

  it('a v1 `[status, object]` answer gives its object when asked for, and is a "bad response" otherwise', async () => {
    const c = client().client;
    assert.deepEqual(await c.request({ destination: peerName, method: 'PUT', path: '/_matrix/federation/v1/pair', body: {}, v1Envelope: true }), { accepted: true });
    const err = await refusal(c.request({ destination: peerName, method: 'PUT', path: '/_matrix/federation/v1/pair', body: {} }));
    assert.deepEqual([err.kind, err.status], ['bad_response', 200]);
    const notPair = await refusal(c.request({ destination: peerName, method: 'GET', path: '/_matrix/federation/v1/text', v1Envelope: true }));
    assert.deepEqual([notPair.kind, notPair.status], ['bad_response', 200]);
  });

  it('refuses loopback without allowPrivateAddresses: nothing is sent', async () => {
    received.length = 0;
    const err = await refusal(client({ allowPrivate: false }).client.request({ destination: peerName, method: 'GET', path: '/_matrix/federation/v1/echo' }));
    assert.equal(err.kind, 'unreachable');
    assert.equal(received.length, 0);
  });

  it('verifies the certificate: a peer signed by an unknown CA is unreachable', async () => {
    received.length = 0;
    const err = await refusal(client({ trustCa: false }).client.request({ destination: peerName, method: 'GET', path: '/_matrix/federation/v1/echo' }));
    assert.equal(err.kind, 'unreachable');
    assert.equal(received.length, 0);
  });

  it('never puts our private key in an error', async () => {
    const err = await refusal(client({ allowPrivate: false }).client.request({ destination: peerName, method: 'GET', path: '/x' }));
    const seed = Buffer.from(new Uint8Array(32).fill(7)).toString('base64').replace(/=+$/, '');
    assert.ok(!JSON.stringify({ message: err.message, stack: err.stack }).includes(seed));
  });

  describe('well-known fetcher', () => {
    function fetcher(allowPrivate = true) {
      const agent = new Agent({ keepAlive: true, ca });
      agents.push(agent);
      return wellKnownFetcher({ dns: noDns, agent, allowPrivate, timeoutMs: 2000, port: (server.address() as AddressInfo).port });
    }

    it('follows a redirect and returns the body with its cache headers', async () => {
      wellKnownMode = 'ok';
      received.length = 0;
      const answer = await fetcher()(HOST);
      assert.deepEqual([answer.status, answer.body, answer.cacheControl], [200, { 'm.server': 'matrix.example.org:443' }, 'max-age=600']);
      assert.deepEqual(received.map((r) => [r.url, r.host]), [['/.well-known/matrix/server', peerName], ['/hop', peerName]]);
    });

    it('stops after a bounded number of redirects', async () => {
      wellKnownMode = 'loop';
      received.length = 0;
      await assert.rejects(fetcher()(HOST), /too many redirects/);
      assert.equal(received.length, WELL_KNOWN_MAX_REDIRECTS + 1);
    });

    it('refuses a body over the size limit', async () => {
      wellKnownMode = 'huge';
      await assert.rejects(fetcher()(HOST), { name: 'ExchangeError', reason: 'too_large' });
    });

    it('refuses a loopback address without allowPrivateAddresses: nothing is sent', async () => {
      wellKnownMode = 'ok';
      received.length = 0;
      await assert.rejects(fetcher(false)(HOST), /no allowed address/);
      assert.equal(received.length, 0);
    });
  });

  describe('key ring over the client', () => {
    // One store for these tests: the answers that must not be stored come first.
    const storeOf = useFreshStore('sqlite');
    const bad: [KeyMode, string][] = [
      ['forged', 'a self-signature by a key it does not list'],
      ['wrong-name', 'another server name'],
      ['expired', 'a key whose valid_until_ts is past'],
      ['huge', 'an oversized body'],
      ['slow', 'a peer that never answers (timeout)'],
    ];
    for (const [mode, title] of bad) {
      it(`no key for ${title}, and the next lookup within the back-off sends nothing`, async () => {
        keyMode = mode;
        received.length = 0;
        const { client: c, clock } = client({ timeoutMs: 300 });
        const ring = federationKeyRing(c, storeOf().serverKeys, clock);
        assert.deepEqual(await ring.keysFor(peerName, [PEER_KEY.keyId], clock.now()), {});
        assert.deepEqual({ ...(await storeOf().serverKeys.get(peerName)) }, {}, 'nothing stored');
        keyMode = 'ok';
        assert.deepEqual(await ring.keysFor(peerName, [PEER_KEY.keyId], clock.now()), {});
        assert.equal(received.length, 1);
      });
    }

    it('fetches the peer keys once and answers the next lookup from the cache', async () => {
      keyMode = 'ok';
      received.length = 0;
      const { client: c, clock } = client();
      const ring = federationKeyRing(c, storeOf().serverKeys, clock);
      const expected = { [PEER_KEY.keyId]: publicKeyBase64(PEER_KEY) };
      assert.deepEqual(await ring.keysFor(peerName, [PEER_KEY.keyId], clock.now()), expected);
      assert.deepEqual(await ring.keysFor(peerName, [PEER_KEY.keyId], clock.now()), expected);
      assert.equal(received.length, 1);
      assert.deepEqual(received[0]?.authorization, [], 'the key request is not signed');
    });
  });
});
