import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const LIFETIME = 60_000;
const REFRESH = `${V3}/refresh`;
const WHOAMI = `${V3}/account/whoami`;

forEachBackend('refresh tokens', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend, config: { enable_registration: true, access_token_lifetime_ms: LIFETIME } });
  });
  after(() => s.close());

  /** A fresh user logged in with `refresh_token: true`. */
  async function refreshableLogin(): Promise<{ userId: string; password: string; deviceId: string; access: string; refresh: string }> {
    const user = await s.createUser(`rt${++n}`);
    const login = await s.request('POST', `${V3}/login`, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password, refresh_token: true },
    });
    assert.equal(login.statusCode, 200, login.body);
    assertSpecResponse(login, 'POST', `${V3}/login`);
    const body = login.json();
    assert.equal(body.expires_in_ms, LIFETIME);
    assert.match(body.refresh_token, /^hth_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(body.refresh_token, body.access_token);
    return { userId: user.userId, password: user.password, deviceId: body.device_id, access: body.access_token, refresh: body.refresh_token };
  }

  function whoami(token: string) {
    return s.request('GET', WHOAMI, { token });
  }

  it('login without refresh_token: no refresh token, and the access token does not expire', async () => {
    const user = await s.createUser(`plain${++n}`);
    const login = await s.request('POST', `${V3}/login`, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: user.userId }, password: user.password },
    });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json().refresh_token, undefined);
    assert.equal(login.json().expires_in_ms, undefined);
    s.clock.advance(LIFETIME * 10);
    assert.equal((await whoami(login.json().access_token)).statusCode, 200);
  });

  it('an expired refreshable access token is M_UNKNOWN_TOKEN with soft_logout; refreshing gives a working pair for the same device', async () => {
    const first = await refreshableLogin();
    assert.equal((await whoami(first.access)).statusCode, 200);
    s.clock.advance(LIFETIME);
    const expired = await whoami(first.access);
    assertMatrixError(expired, 401, 'M_UNKNOWN_TOKEN', 'GET', WHOAMI);
    assert.equal(expired.json().soft_logout, true);

    const res = await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', REFRESH);
    const next = res.json();
    assert.deepEqual(Object.keys(next).sort(), ['access_token', 'expires_in_ms', 'refresh_token']);
    assert.equal(next.expires_in_ms, LIFETIME);
    assert.notEqual(next.access_token, first.access);
    assert.notEqual(next.refresh_token, first.refresh);
    const who = await whoami(next.access_token);
    assert.equal(who.statusCode, 200, who.body);
    assert.deepEqual(who.json(), { user_id: first.userId, device_id: first.deviceId, is_guest: false });
    // The new one expires in its turn.
    s.clock.advance(LIFETIME);
    assert.equal((await whoami(next.access_token)).json().soft_logout, true);
  });

  it('a used refresh token is refused (soft_logout false), and the old access token is retired at once', async () => {
    const first = await refreshableLogin();
    const res = await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } });
    assert.equal(res.statusCode, 200, res.body);
    const old = await whoami(first.access);
    assertMatrixError(old, 401, 'M_UNKNOWN_TOKEN', 'GET', WHOAMI);
    assert.equal(old.json().soft_logout, false);

    const again = await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } });
    assertMatrixError(again, 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    assert.equal(again.json().soft_logout, false);
    // The pair issued by the first use still works.
    assert.equal((await whoami(res.json().access_token)).statusCode, 200);
    const unknown = await s.request('POST', REFRESH, { body: { refresh_token: 'hth_nope' } });
    assertMatrixError(unknown, 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    assert.equal(unknown.json().soft_logout, false);
  });

  it('an access token is no refresh token, nor a refresh token an access token', async () => {
    const first = await refreshableLogin();
    assertMatrixError(await s.request('POST', REFRESH, { body: { refresh_token: first.access } }), 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    assertMatrixError(await whoami(first.refresh), 401, 'M_UNKNOWN_TOKEN', 'GET', WHOAMI);
    assert.equal((await whoami(first.access)).statusCode, 200);
  });

  describe('logout, logout/all and device deletion take the refresh tokens with them', () => {
    it('/logout', async () => {
      const first = await refreshableLogin();
      assert.equal((await s.request('POST', `${V3}/logout`, { token: first.access })).statusCode, 200);
      assertMatrixError(await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } }), 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    });

    it('/logout/all', async () => {
      const first = await refreshableLogin();
      assert.equal((await s.request('POST', `${V3}/logout/all`, { token: first.access })).statusCode, 200);
      assertMatrixError(await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } }), 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    });

    it('DELETE /devices/{deviceId}', async () => {
      const first = await refreshableLogin();
      const url = `${V3}/devices/${first.deviceId}`;
      const challenge = await s.request('DELETE', url, { token: first.access });
      assert.equal(challenge.statusCode, 401, challenge.body);
      const del = await s.request('DELETE', url, {
        token: first.access,
        body: { auth: { type: 'm.login.password', session: challenge.json().session, identifier: { type: 'm.id.user', user: first.userId }, password: first.password } },
      });
      assert.equal(del.statusCode, 200, del.body);
      assertMatrixError(await s.request('POST', REFRESH, { body: { refresh_token: first.refresh } }), 401, 'M_UNKNOWN_TOKEN', 'POST', REFRESH);
    });
  });

  it('registration with refresh_token: true gives a refresh token', async () => {
    const first = await s.request('POST', `${V3}/register`, { body: { username: `reg${++n}`, password: 'pw-12345' } });
    const reg = await s.request('POST', `${V3}/register`, {
      body: { username: `reg${n}`, password: 'pw-12345', refresh_token: true, auth: { type: 'm.login.dummy', session: first.json().session } },
    });
    assert.equal(reg.statusCode, 200, reg.body);
    assertSpecResponse(reg, 'POST', `${V3}/register`);
    assert.equal(reg.json().expires_in_ms, LIFETIME);
    const res = await s.request('POST', REFRESH, { body: { refresh_token: reg.json().refresh_token } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await whoami(res.json().access_token)).json().user_id, reg.json().user_id);
  });

  it('validates the body: missing refresh_token is M_MISSING_PARAM, a wrong type M_BAD_JSON', async () => {
    assertMatrixError(await s.request('POST', REFRESH, { body: {} }), 400, 'M_MISSING_PARAM', 'POST', REFRESH);
    assertMatrixError(await s.request('POST', REFRESH, { body: { refresh_token: 7 } }), 400, 'M_BAD_JSON', 'POST', REFRESH);
    assertMatrixError(await s.request('POST', REFRESH, { payload: '{' }), 400, 'M_NOT_JSON', 'POST', REFRESH);
  });
}, describe);
