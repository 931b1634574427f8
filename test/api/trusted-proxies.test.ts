// Behind a load balancer every request comes from its address: with `trusted_proxies`, the client's
// address is taken from X-Forwarded-For (only when the peer is one of those proxies), so per-IP
// rate limits apply per client, not to everyone at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const LOGIN = `${V3}/login`;
const limits = { enabled: true, login: { per_second: 0.001, burst: 1 } };

function login(s: TestServer, peer: string, forwardedFor?: string) {
  return s.app.http.inject({
    method: 'POST', url: LOGIN, remoteAddress: peer,
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'nobody' }, password: 'wrong' }),
  });
}

describe('trusted_proxies', () => {
  let behindProxy: TestServer;
  let direct: TestServer;
  before(async () => {
    behindProxy = await startTestServer({ config: { rate_limits: limits, trusted_proxies: ['127.0.0.1', '10.0.0.0/8'] } });
    direct = await startTestServer({ config: { rate_limits: limits } });
  });
  after(async () => {
    await behindProxy.close();
    await direct.close();
  });

  it('X-Forwarded-For from a trusted proxy names the client: each client has its own login bucket', async () => {
    assert.equal((await login(behindProxy, '127.0.0.1', '203.0.113.1')).statusCode, 403);
    assert.equal((await login(behindProxy, '10.1.2.3', '203.0.113.2')).statusCode, 403, 'another client behind another trusted proxy');
    const again = await login(behindProxy, '127.0.0.1', '203.0.113.1');
    assertMatrixError(again, 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN);
  });

  it('X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
    assert.equal((await login(behindProxy, '192.0.2.7', '203.0.113.50')).statusCode, 403);
    const spoofed = await login(behindProxy, '192.0.2.7', '203.0.113.51');
    assertMatrixError(spoofed, 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN);
  });

  it('without trusted_proxies, X-Forwarded-For is never believed', async () => {
    assert.equal((await login(direct, '127.0.0.1', '203.0.113.1')).statusCode, 403);
    const other = await login(direct, '127.0.0.1', '203.0.113.2');
    assertMatrixError(other, 429, 'M_LIMIT_EXCEEDED', 'POST', LOGIN);
  });
});
