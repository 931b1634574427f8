import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const USERINFO = '/_matrix/federation/v1/openid/userinfo';

forEachBackend('OpenID tokens', (backend) => {
  let s: TestServer;
  let fed: FastifyInstance;
  before(async () => {
    s = await startTestServer({ backend, config: { federation: { port: 0 } } });
    fed = s.app.federationHttp!;
    await fed.ready();
  });
  after(() => s.close());

  const requestUrl = (userId: string) => `${V3}/user/${encodeURIComponent(userId)}/openid/request_token`;
  const userInfo = (token: string) => fed.inject({ method: 'GET', url: `${USERINFO}?access_token=${encodeURIComponent(token)}` });

  it('a token for oneself names the user at /openid/userinfo (no X-Matrix needed) until it expires', async () => {
    const alice = await s.createUser('openid-alice');
    const res = await s.request('POST', requestUrl(alice.userId), { token: alice.accessToken, body: {} });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', requestUrl(alice.userId));
    const body = res.json();
    assert.deepEqual({ ...body, access_token: typeof body.access_token }, { access_token: 'string', token_type: 'Bearer', matrix_server_name: 'hs.test', expires_in: 3600 });
    assert.notEqual(body.access_token, alice.accessToken);

    const info = await userInfo(body.access_token);
    assert.equal(info.statusCode, 200, info.body);
    assertSpecResponse(info, 'GET', USERINFO, 'server-server');
    assert.deepEqual(info.json(), { sub: alice.userId });
    // It is no access token.
    assertMatrixError(await s.request('GET', `${V3}/account/whoami`, { token: body.access_token }), 401, 'M_UNKNOWN_TOKEN', 'GET', `${V3}/account/whoami`);

    s.clock.advance(3600 * 1000);
    assertMatrixError(await userInfo(body.access_token), 401, 'M_UNKNOWN_TOKEN', 'GET', USERINFO, 'server-server');
  });

  it('another user\'s token request is 403; unknown, access and missing tokens are refused', async () => {
    const bob = await s.createUser('openid-bob');
    const carol = await s.createUser('openid-carol');
    assertMatrixError(await s.request('POST', requestUrl(carol.userId), { token: bob.accessToken, body: {} }), 403, 'M_FORBIDDEN', 'POST', requestUrl(carol.userId));
    assertMatrixError(await s.request('POST', requestUrl(bob.userId), { body: {} }), 401, 'M_MISSING_TOKEN', 'POST', requestUrl(bob.userId));
    assertMatrixError(await userInfo('hth_nope'), 401, 'M_UNKNOWN_TOKEN', 'GET', USERINFO, 'server-server');
    assertMatrixError(await userInfo(bob.accessToken), 401, 'M_UNKNOWN_TOKEN', 'GET', USERINFO, 'server-server');
    const missing = await fed.inject({ method: 'GET', url: USERINFO });
    assert.equal(missing.statusCode, 400, missing.body);
    assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
  });

  it('a token stops naming its user once they are deactivated; an older expired token stays refused', async () => {
    const admin = await s.createUser('openid-admin', { admin: true });
    const dan = await s.createUser('openid-dan');
    const old = (await s.request('POST', requestUrl(dan.userId), { token: dan.accessToken, body: {} })).json().access_token as string;
    s.clock.advance(3600 * 1000);
    const fresh = (await s.request('POST', requestUrl(dan.userId), { token: dan.accessToken, body: {} })).json().access_token as string;
    assert.deepEqual((await userInfo(fresh)).json(), { sub: dan.userId });
    assertMatrixError(await userInfo(old), 401, 'M_UNKNOWN_TOKEN', 'GET', USERINFO, 'server-server');
    const deactivated = await s.request('POST', `/_synapse/admin/v1/deactivate/${encodeURIComponent(dan.userId)}`, { token: admin.accessToken, body: { erase: false } });
    assert.equal(deactivated.statusCode, 200, deactivated.body);
    assertMatrixError(await userInfo(fresh), 401, 'M_UNKNOWN_TOKEN', 'GET', USERINFO, 'server-server');
  });
}, describe);
