import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

async function registerViaApi(s: TestServer, body: Record<string, unknown>) {
  const first = await s.request('POST', `${V3}/register`, { body });
  assert.equal(first.statusCode, 401, first.body);
  assertSpecResponse(first, 'POST', `${V3}/register`);
  const session = first.json().session as string;
  return s.request('POST', `${V3}/register`, { body: { ...body, auth: { type: 'm.login.dummy', session } } });
}

forEachBackend('accounts API', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, config: { enable_registration: true } });
  });
  after(() => s.close());

  it('register -> login -> whoami -> logout -> the token is refused', async () => {
    const reg = await registerViaApi(s, { username: 'alice', password: 'secret-1', initial_device_display_name: 'laptop' });
    assert.equal(reg.statusCode, 200, reg.body);
    assertSpecResponse(reg, 'POST', `${V3}/register`);
    assert.equal(reg.json().user_id, '@alice:hs.test');
    assert.match(reg.json().access_token, /^hth_[A-Za-z0-9_-]{43}$/);

    const login = await s.request('POST', `${V3}/login`, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'secret-1' },
    });
    assert.equal(login.statusCode, 200, login.body);
    assertSpecResponse(login, 'POST', `${V3}/login`);
    const token = login.json().access_token as string;

    const who = await s.request('GET', `${V3}/account/whoami`, { token });
    assert.equal(who.statusCode, 200);
    assertSpecResponse(who, 'GET', `${V3}/account/whoami`);
    assert.deepEqual(who.json(), { user_id: '@alice:hs.test', device_id: login.json().device_id, is_guest: false });

    const out = await s.request('POST', `${V3}/logout`, { token });
    assert.equal(out.statusCode, 200);
    assert.deepEqual(out.json(), {});
    const again = await s.request('GET', `${V3}/account/whoami`, { token });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().errcode, 'M_UNKNOWN_TOKEN');
    assertSpecResponse(again, 'GET', `${V3}/account/whoami`);
    // The registration token (another device) still works.
    const other = await s.request('GET', `${V3}/account/whoami`, { token: reg.json().access_token });
    assert.equal(other.statusCode, 200);
  });

  it('register: a taken name is 400 M_USER_IN_USE, before any auth', async () => {
    await s.createUser('taken');
    const res = await s.request('POST', `${V3}/register`, { body: { username: 'taken', password: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, 'M_USER_IN_USE');
    assertSpecResponse(res, 'POST', `${V3}/register`);
  });

  it('register: an invalid name is 400 M_INVALID_USERNAME', async () => {
    for (const username of ['Alice', 'a b', 'ü', 'x'.repeat(300), '']) {
      const res = await s.request('POST', `${V3}/register`, { body: { username, password: 'x' } });
      assert.equal(res.statusCode, 400, username);
      assert.equal(res.json().errcode, 'M_INVALID_USERNAME', username);
    }
  });

  it('register: guests are refused with M_GUEST_ACCESS_FORBIDDEN', async () => {
    const res = await s.request('POST', `${V3}/register?kind=guest`, { body: {} });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().errcode, 'M_GUEST_ACCESS_FORBIDDEN');
  });

  it('register: a wrong-typed field is 400 M_BAD_JSON', async () => {
    const res = await s.request('POST', `${V3}/register`, { body: { username: 5 } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, 'M_BAD_JSON');
  });

  it('register: an unknown auth type fails the stage with the flows again', async () => {
    const first = await s.request('POST', `${V3}/register`, { body: { username: 'bobby' } });
    const res = await s.request('POST', `${V3}/register`, { body: { username: 'bobby', auth: { type: 'm.login.foo', session: first.json().session } } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errcode, 'M_UNRECOGNIZED');
    assert.deepEqual(res.json().flows, [{ stages: ['m.login.dummy'] }]);
    assertSpecResponse(res, 'POST', `${V3}/register`);
  });

  it('register with inhibit_login returns only the user ID', async () => {
    const res = await registerViaApi(s, { username: 'quiet', password: 'pw', inhibit_login: true });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { user_id: '@quiet:hs.test' });
  });

  it('register without a username picks one', async () => {
    const res = await registerViaApi(s, { password: 'pw' });
    assert.equal(res.statusCode, 200);
    assert.match(res.json().user_id, /^@[a-z0-9]+:hs\.test$/);
  });

  it('GET /register/available', async () => {
    const free = await s.request('GET', `${V3}/register/available?username=freename`);
    assert.equal(free.statusCode, 200);
    assert.deepEqual(free.json(), { available: true });
    assertSpecResponse(free, 'GET', `${V3}/register/available`);
    await s.createUser('usedname');
    const used = await s.request('GET', `${V3}/register/available?username=usedname`);
    assert.equal(used.statusCode, 400);
    assert.equal(used.json().errcode, 'M_USER_IN_USE');
    const bad = await s.request('GET', `${V3}/register/available?username=NO`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errcode, 'M_INVALID_USERNAME');
    const missing = await s.request('GET', `${V3}/register/available`);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
  });

  it('login: flows, wrong password, unknown user, full user ID, deprecated user field', async () => {
    const flows = await s.request('GET', `${V3}/login`);
    assert.equal(flows.statusCode, 200);
    assert.deepEqual(flows.json(), { flows: [{ type: 'm.login.password' }] });
    assertSpecResponse(flows, 'GET', `${V3}/login`);

    const carol = await s.createUser('carol');
    const wrong = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'carol' }, password: 'nope' } });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().errcode, 'M_FORBIDDEN');
    assertSpecResponse(wrong, 'POST', `${V3}/login`);
    const unknown = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'nobody' }, password: 'x' } });
    assert.equal(unknown.statusCode, 403);
    assert.equal(unknown.json().errcode, 'M_FORBIDDEN');

    const full = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: carol.userId }, password: carol.password, device_id: 'PHONE' } });
    assert.equal(full.statusCode, 200);
    assert.equal(full.json().device_id, 'PHONE');
    const legacy = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'carol', password: carol.password } });
    assert.equal(legacy.statusCode, 200);
    const badType = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.token', token: 'x' } });
    assert.equal(badType.statusCode, 400);
    assert.equal(badType.json().errcode, 'M_UNKNOWN');
    const missing = await s.request('POST', `${V3}/login`, { body: {} });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
  });

  it('access tokens: missing -> M_MISSING_TOKEN, unknown -> M_UNKNOWN_TOKEN, query parameter accepted', async () => {
    const dave = await s.createUser('dave');
    const none = await s.request('GET', `${V3}/account/whoami`);
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().errcode, 'M_MISSING_TOKEN');
    const bad = await s.request('GET', `${V3}/account/whoami`, { token: 'hth_nope' });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().errcode, 'M_UNKNOWN_TOKEN');
    const query = await s.request('GET', `${V3}/account/whoami?access_token=${encodeURIComponent(dave.accessToken)}`);
    assert.equal(query.statusCode, 200);
    assert.equal(query.json().user_id, dave.userId);
    const r0 = await s.request('GET', `/_matrix/client/r0/account/whoami`, { token: dave.accessToken });
    assert.equal(r0.statusCode, 200);
  });

  it('logout/all revokes every token of the user', async () => {
    const erin = await s.createUser('erin');
    const second = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'erin', password: erin.password } });
    const all = await s.request('POST', `${V3}/logout/all`, { token: erin.accessToken });
    assert.equal(all.statusCode, 200);
    assertSpecResponse(all, 'POST', `${V3}/logout/all`);
    for (const token of [erin.accessToken, second.json().access_token]) {
      const res = await s.request('GET', `${V3}/account/whoami`, { token });
      assert.equal(res.json().errcode, 'M_UNKNOWN_TOKEN');
    }
  });

  it('password change: UIA with the old password, other devices logged out, new password works', async () => {
    const fay = await s.createUser('fay');
    const other = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'fay', password: fay.password } });
    const first = await s.request('POST', `${V3}/account/password`, { token: fay.accessToken, body: { new_password: 'new-pw' } });
    assert.equal(first.statusCode, 401);
    assert.deepEqual(first.json().flows, [{ stages: ['m.login.password'] }]);
    const session = first.json().session;
    const wrong = await s.request('POST', `${V3}/account/password`, {
      token: fay.accessToken,
      body: { new_password: 'new-pw', auth: { type: 'm.login.password', session, identifier: { type: 'm.id.user', user: 'fay' }, password: 'bad' } },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().errcode, 'M_FORBIDDEN');
    const ok = await s.request('POST', `${V3}/account/password`, {
      token: fay.accessToken,
      body: { new_password: 'new-pw', auth: { type: 'm.login.password', session, identifier: { type: 'm.id.user', user: 'fay' }, password: fay.password } },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assertSpecResponse(ok, 'POST', `${V3}/account/password`);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: fay.accessToken })).statusCode, 200);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: other.json().access_token })).json().errcode, 'M_UNKNOWN_TOKEN');
    const oldPw = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'fay', password: fay.password } });
    assert.equal(oldPw.statusCode, 403);
    const newPw = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'fay', password: 'new-pw' } });
    assert.equal(newPw.statusCode, 200);
  });
}, describe);
