// The federation listener's unauthenticated endpoints (issue 15): the version, the server keys and
// the notary key queries for Hearth's own server name (other servers' keys:
// test/federation/key-notary.test.ts). They read no database, so one backend suffices. Bodies are
// validated against the server-server spec.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { verifyJsonSignature } from '../../src/core/events/signing.js';
import { randomBytes } from 'node:crypto';
import { generateSigningKey, publicKeyBase64 } from '../../src/core/events/signing-key.js';
import { FakePeers } from '../helpers/fake-peers.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const SS = 'server-server';
const SERVER = 'hs.test:8448';

interface KeyResponse {
  server_name: string;
  valid_until_ts: number;
  verify_keys: Record<string, { key: string }>;
  old_verify_keys: Record<string, unknown>;
}

describe('federation listener: version and keys', () => {
  let s: TestServer;
  let fed: FastifyInstance;
  const call = (method: InjectOptions['method'], url: string, payload?: unknown) => fed.inject({
    method, url,
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
  });
  /** The server's own key response: self-signed with the key it names, valid for a day from the clock. */
  const assertOwnKeys = (body: KeyResponse) => {
    assert.equal(body.server_name, SERVER);
    const keyId = key.keyId;
    assert.deepEqual(Object.keys(body.verify_keys), [keyId]);
    assert.equal(body.verify_keys[keyId]!.key, expectedKey);
    assert.ok(verifyJsonSignature(body, SERVER, keyId, body.verify_keys[keyId]!.key));
    assert.equal(body.valid_until_ts, s.clock.now() + 24 * 3_600_000);
    assert.deepEqual(body.old_verify_keys, {});
  };
  const key = generateSigningKey(randomBytes);
  const expectedKey = publicKeyBase64(key);

  before(async () => {
    // No peers: every other server is unreachable.
    s = await startTestServer({ config: { server_name: SERVER, federation: { port: 0 } }, signingKey: key, federationRequester: new FakePeers() });
    fed = s.app.federationHttp!;
    await fed.ready();
  });
  after(() => s.close());

  it('GET /_matrix/federation/v1/version names Hearth and its version', async () => {
    const res = await call('GET', '/_matrix/federation/v1/version');
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', '/_matrix/federation/v1/version', SS);
    assert.equal(res.json().server.name, 'Hearth');
    assert.match(res.json().server.version, /^\d+\.\d+\.\d+/);
  });

  it('GET /_matrix/key/v2/server: the key, self-signed, on both listeners', async () => {
    for (const res of [await call('GET', '/_matrix/key/v2/server'), await s.request('GET', '/_matrix/key/v2/server')]) {
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'GET', '/_matrix/key/v2/server', SS);
      assertOwnKeys(res.json());
    }
  });

  it('GET /_matrix/key/v2/server/{keyId} (the older form Synapse 1.67 asks for) answers the same', async () => {
    for (const keyId of [key.keyId, 'ed25519:other']) {
      const res = await call('GET', `/_matrix/key/v2/server/${encodeURIComponent(keyId)}`);
      assert.equal(res.statusCode, 200);
      // v1.19 no longer documents the {keyId} form: its body is the /server one.
      assertSpecResponse(res, 'GET', '/_matrix/key/v2/server', SS);
      assertOwnKeys(res.json());
    }
  });

  it('GET /_matrix/key/v2/query/{serverName}: its own keys; an unreachable server gets none', async () => {
    const own = await call('GET', `/_matrix/key/v2/query/${encodeURIComponent(SERVER)}?minimum_valid_until_ts=1234`);
    assert.equal(own.statusCode, 200);
    assertSpecResponse(own, 'GET', `/_matrix/key/v2/query/${encodeURIComponent(SERVER)}`, SS);
    assert.equal(own.json().server_keys.length, 1);
    assertOwnKeys(own.json().server_keys[0]);
    const other = await call('GET', '/_matrix/key/v2/query/other.example');
    assert.equal(other.statusCode, 200);
    assertSpecResponse(other, 'GET', '/_matrix/key/v2/query/other.example', SS);
    assert.deepEqual(other.json(), { server_keys: [] });
  });

  it('POST /_matrix/key/v2/query: its own keys when asked for all or for its key ID; nothing else', async () => {
    const keyId = key.keyId;
    for (const criteria of [{}, { [keyId]: {} }, { [keyId]: { minimum_valid_until_ts: 5 }, 'ed25519:old': {} }]) {
      const res = await call('POST', '/_matrix/key/v2/query', { server_keys: { [SERVER]: criteria, 'other.example': {} } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', '/_matrix/key/v2/query', SS);
      assert.equal(res.json().server_keys.length, 1, JSON.stringify(criteria));
      assertOwnKeys(res.json().server_keys[0]);
    }
    for (const serverKeys of [{ [SERVER]: { 'ed25519:old': {} } }, { 'other.example': {} }, {}]) {
      const res = await call('POST', '/_matrix/key/v2/query', { server_keys: serverKeys });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', '/_matrix/key/v2/query', SS);
      assert.deepEqual(res.json(), { server_keys: [] }, JSON.stringify(serverKeys));
    }
  });

  it('hostile key queries get a clear 4xx, never a 5xx', async () => {
    const url = '/_matrix/key/v2/query';
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}.example`, {}]));
    const cases: Array<[unknown, number, string]> = [
      ['{"server_keys":', 400, 'M_NOT_JSON'],
      ['[]', 400, 'M_NOT_JSON'],
      [{}, 400, 'M_MISSING_PARAM'],
      [{ server_keys: [] }, 400, 'M_BAD_JSON'],
      [{ server_keys: { [SERVER]: [] } }, 400, 'M_BAD_JSON'],
      [{ server_keys: { [SERVER]: { k: { minimum_valid_until_ts: 'soon' } } } }, 400, 'M_BAD_JSON'],
      [{ server_keys: { [SERVER]: { k: { minimum_valid_until_ts: -1 } } } }, 400, 'M_BAD_JSON'],
      [{ server_keys: { [SERVER]: { k: 1 } } }, 400, 'M_BAD_JSON'],
      [{ server_keys: many }, 413, 'M_TOO_LARGE'],
      [{ server_keys: { [`${'a'.repeat(300)}.example`]: {} } }, 400, 'M_BAD_JSON'],
      [{ server_keys: { 'bad name!': {} } }, 400, 'M_INVALID_PARAM'],
      [JSON.stringify({ server_keys: { [SERVER]: { k: { pad: 'x'.repeat(2 * 1024 * 1024) } } } }), 413, 'M_TOO_LARGE'],
    ];
    for (const [body, status, errcode] of cases) {
      const res = await call('POST', url, body);
      assertMatrixError(res, status, errcode, 'POST', url, SS);
    }
    for (const [path, errcode] of [
      ['/_matrix/key/v2/query/bad%20name!', 'M_INVALID_PARAM'],
      [`/_matrix/key/v2/query/${SERVER}?minimum_valid_until_ts=soon`, 'M_INVALID_PARAM'],
      [`/_matrix/key/v2/query/${SERVER}?minimum_valid_until_ts=-5`, 'M_INVALID_PARAM'],
      ['/_matrix/key/v2/query/%E0%A4%A', 'M_UNRECOGNIZED'],
    ] as const) {
      const res = await call('GET', path);
      assertMatrixError(res, 400, errcode, 'GET', path.split('?')[0]!, SS);
    }
  });

  it('unknown federation paths and wrong methods get Matrix errors', async () => {
    // The client API is not served on the federation listener.
    for (const [method, path, status] of [
      ['GET', '/_matrix/federation/v1/nothing', 404], ['POST', '/_matrix/federation/v1/version', 405], ['GET', '/_matrix/client/versions', 404],
    ] as const) {
      const res = await call(method, path, method === 'POST' ? {} : undefined);
      assert.equal(res.statusCode, status, path);
      assert.equal(res.json().errcode, 'M_UNRECOGNIZED', path);
    }
  });
});

describe('/.well-known/matrix/server', () => {
  let delegated: TestServer;
  let plain: TestServer;
  before(async () => {
    delegated = await startTestServer({ config: { federation: { well_known_server: 'matrix.example.org:443' } } });
    plain = await startTestServer();
  });
  after(async () => {
    await delegated.close();
    await plain.close();
  });

  it('names the federation address on the client listener when configured; 404 otherwise', async () => {
    const res = await delegated.request('GET', '/.well-known/matrix/server');
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', '/.well-known/matrix/server', SS);
    assert.deepEqual(res.json(), { 'm.server': 'matrix.example.org:443' });
    assert.equal(delegated.app.federationHttp, undefined);
    const none = await plain.request('GET', '/.well-known/matrix/server');
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().errcode, 'M_UNRECOGNIZED');
  });
});
