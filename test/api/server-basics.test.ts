import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyJsonSignature } from '../../src/core/events/signing.js';
import { V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('discovery, capabilities and server keys', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { forget_rooms_on_leave: true } });
  });
  after(() => s.close());

  it('GET /versions claims only the versions served, and the served features of later ones', async () => {
    const res = await s.request('GET', '/_matrix/client/versions');
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', '/_matrix/client/versions');
    // v1.2 and later add endpoints not served (see SUPPORTED_VERSIONS): a client must not expect them.
    assert.deepEqual(res.json().versions, ['r0.6.1', 'v1.1']);
    assert.deepEqual(res.json().unstable_features, {
      'org.matrix.msc3916.stable': true, 'org.matrix.msc2285.stable': true,
      'org.matrix.msc3440.stable': true, 'org.matrix.msc3856.stable': true, 'org.matrix.msc3715.stable': true,
    });
  });

  it('GET /.well-known/matrix/client names the base URL', async () => {
    const res = await s.request('GET', '/.well-known/matrix/client');
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', '/.well-known/matrix/client');
    assert.match(res.json()['m.homeserver'].base_url, /^http:\/\//);
  });

  it('GET /capabilities reports room versions and the forget-on-leave setting truthfully', async () => {
    const u = await s.createUser('cap');
    const res = await s.request('GET', `${V3}/capabilities`, { token: u.accessToken });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', `${V3}/capabilities`);
    const caps = res.json().capabilities;
    assert.deepEqual(caps['m.room_versions'], {
      default: '10',
      available: Object.fromEntries(['3', '4', '5', '6', '7', '8', '9', '10', '11'].map((v) => [v, 'stable'])),
    });
    assert.deepEqual(caps['m.forget_forced_upon_leave'], { enabled: true });
    assert.deepEqual(caps['m.change_password'], { enabled: true });
    const anon = await s.request('GET', `${V3}/capabilities`);
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().errcode, 'M_MISSING_TOKEN');
  });

  it('GET /_matrix/key/v2/server publishes a self-signed key', async () => {
    const res = await s.request('GET', '/_matrix/key/v2/server');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.server_name, 'hs.test');
    const [keyId, { key }] = Object.entries(body.verify_keys as Record<string, { key: string }>)[0]!;
    assert.ok(verifyJsonSignature(body, 'hs.test', keyId, key));
    assert.equal(body.valid_until_ts > s.clock.now(), true);
  });
});

describe('errors, CORS and body parsing', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { max_request_bytes: 65536 } });
  });
  after(() => s.close());

  it('unknown route -> 404 M_UNRECOGNIZED; wrong method -> 405 M_UNRECOGNIZED', async () => {
    const unknown = await s.request('GET', `${V3}/no/such/thing`);
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    const method = await s.request('DELETE', `${V3}/login`);
    assert.equal(method.statusCode, 405);
    assert.equal(method.json().errcode, 'M_UNRECOGNIZED');
  });

  it('CORS headers on every response, and OPTIONS preflight answered', async () => {
    const pre = await s.request('OPTIONS', `${V3}/login`, { headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    assert.ok(pre.statusCode === 204 || pre.statusCode === 200);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(String(pre.headers['access-control-allow-headers']), /Authorization/);
    const err = await s.request('GET', `${V3}/account/whoami`);
    assert.equal(err.headers['access-control-allow-origin'], '*');
    const unknown = await s.request('GET', '/nothing');
    assert.equal(unknown.headers['access-control-allow-origin'], '*');
  });

  it('a body that is not JSON -> 400 M_NOT_JSON; too large -> 413 M_TOO_LARGE', async () => {
    for (const payload of ['{"type":', 'hello', '[1,2', '\u0000']) {
      const res = await s.request('POST', `${V3}/login`, { payload, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, payload);
      assert.equal(res.json().errcode, 'M_NOT_JSON');
    }
    const big = await s.request('POST', `${V3}/login`, { payload: JSON.stringify({ type: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().errcode, 'M_TOO_LARGE');
  });

  it('JSON without a Content-Type (or text/plain) is still read', async () => {
    const res = await s.request('POST', `${V3}/login`, { payload: '{}', headers: { 'content-type': 'text/plain' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, 'M_MISSING_PARAM');
    const none = await s.request('POST', `${V3}/login`, { payload: '{"type":"m.login.password","user":"x","password":"y"}' });
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().errcode, 'M_FORBIDDEN');
  });

  it('registration is disabled by default: 403 M_FORBIDDEN', async () => {
    const res = await s.request('POST', `${V3}/register`, { body: { username: 'x', password: 'y' } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().errcode, 'M_FORBIDDEN');
    assertSpecResponse(res, 'POST', `${V3}/register`);
  });
});

describe('rate limiting', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { rate_limits: { enabled: true, login: { per_second: 0.5, burst: 2 } } } });
  });
  after(() => s.close());

  it('429 M_LIMIT_EXCEEDED with retry_after_ms and Retry-After, refilled over time', async () => {
    const body = { type: 'm.login.password', user: 'nobody', password: 'x' };
    assert.equal((await s.request('POST', `${V3}/login`, { body })).statusCode, 403);
    assert.equal((await s.request('POST', `${V3}/login`, { body })).statusCode, 403);
    const limited = await s.request('POST', `${V3}/login`, { body });
    assert.equal(limited.statusCode, 429);
    assertSpecResponse(limited, 'POST', `${V3}/login`);
    assert.equal(limited.json().errcode, 'M_LIMIT_EXCEEDED');
    assert.equal(limited.json().retry_after_ms, 2000);
    assert.equal(limited.headers['retry-after'], '2');
    s.clock.advance(2000);
    assert.equal((await s.request('POST', `${V3}/login`, { body })).statusCode, 403);
  });

  it('admins are exempt', async () => {
    const admin = await s.createUser('root', { admin: true });
    const user = await s.createUser('plain');
    const call = (token: string) => s.request('POST', `${V3}/account/password`, { token, body: { new_password: 'p' } });
    for (let i = 0; i < 5; i++) assert.equal((await call(admin.accessToken)).statusCode, 401);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await call(user.accessToken)).statusCode);
    assert.deepEqual(codes, [401, 401, 429, 429, 429]);
  });
});

describe('metrics', () => {
  it('are served on the configured path when enabled, absent otherwise', async () => {
    const on = await startTestServer({ config: { metrics: { enabled: true, path: '/metrics' } } });
    await on.request('GET', '/_matrix/client/versions');
    const res = await on.request('GET', '/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /hearth_http_requests_total\{method="GET",route="\/_matrix\/client\/versions",status="200"\} 1/);
    await on.close();
    const off = await startTestServer();
    assert.equal((await off.request('GET', '/_hearth/metrics')).statusCode, 404);
    await off.close();
  });
});
