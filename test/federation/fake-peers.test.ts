// The fake peers the federation tests use stand in for the network through the app's own seam:
// the key ring fetches a peer's keys from them, and a peer that is down is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publicKeyBase64 } from '../../src/core/events/signing-key.js';
import { FederationRequestError } from '../../src/services/federation/federation-client.js';
import { FakePeers, refusal } from '../helpers/fake-peers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('fake peers through federationRequester', () => {
  let s: TestServer;
  const peers = new FakePeers();
  const up = peers.add('up.test');
  const down = peers.add('down.test');
  down.up = false;
  up.on('GET', /^\/_matrix\/federation\/v1\/query\/profile$/, (req) => ({ displayname: `asked ${String(req.query?.user_id)}` }));
  up.on('PUT', /^\/_matrix\/federation\/v2\/invite\/([^/]+)\/([^/]+)$/, () => {
    throw refusal(403, 'M_FORBIDDEN');
  });

  before(async () => {
    s = await startTestServer({ realClock: true, federationRequester: peers });
  });
  after(() => s.close());

  it('the key ring fetches and verifies a peer\'s key from it; a peer that is down gives none', async () => {
    const keys = await s.app.services.federation.keyRing.keysFor('up.test', [up.key.keyId], Date.now());
    assert.deepEqual(keys, { [up.key.keyId]: publicKeyBase64(up.key) });
    assert.deepEqual(await s.app.services.federation.keyRing.keysFor('down.test', [down.key.keyId], Date.now()), {});
    assert.deepEqual(peers.to('up.test', { withKeys: true }).map((r) => r.path), ['/_matrix/key/v2/server']);
  });

  it('routes answer, refuse, or are unknown (404 M_UNRECOGNIZED)', async () => {
    const client = s.app.services.federation.client;
    assert.deepEqual(await client.request({ destination: 'up.test', method: 'GET', path: '/_matrix/federation/v1/query/profile', query: { user_id: '@u:up.test' } }), { displayname: 'asked @u:up.test' });
    const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as FederationRequestError);
    const refused = await errorOf(client.request({ destination: 'up.test', method: 'PUT', path: '/_matrix/federation/v2/invite/!r/$e', body: {} }));
    assert.deepEqual([refused?.kind, refused?.status, refused?.errcode], ['refused', 403, 'M_FORBIDDEN']);
    const unknown = await errorOf(client.request({ destination: 'up.test', method: 'GET', path: '/_matrix/federation/v1/nothing' }));
    assert.deepEqual([unknown?.kind, unknown?.status, unknown?.errcode], ['refused', 404, 'M_UNRECOGNIZED']);
    assert.equal((await errorOf(client.request({ destination: 'nowhere.test', method: 'GET', path: '/x' })))?.kind, 'unreachable');
  });
});
