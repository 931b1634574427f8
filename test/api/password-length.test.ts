// password_min_length (default 8): registration and password change refuse a shorter password with
// 400 M_WEAK_PASSWORD before any auth stage; `hearth register-user` applies the same rule
// (test/e2e/cli-register-user.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { V3 } from '../helpers/rest.js';


forEachBackend('minimum password length', (backend) => {
  let s: TestServer;
  before(async () => {
    // The test server's default turns the rule off; 8 is the configuration's default.
    s = await startTestServer({ backend, config: { enable_registration: true, password_min_length: 8 } });
  });
  after(() => s.close());

  it('registration: 7 characters is 400 M_WEAK_PASSWORD before auth, 8 (counted as characters, not bytes) is accepted', async () => {
    const short = await s.request('POST', `${V3}/register`, { body: { username: 'shorty', password: 'seven-7' } });
    assert.equal(short.statusCode, 400, short.body);
    assert.equal(short.json().errcode, 'M_WEAK_PASSWORD');
    assert.match(short.json().error, /at least 8 characters/);
    assertSpecResponse(short, 'POST', `${V3}/register`);
    const taken = await s.request('GET', `${V3}/register/available?username=shorty`);
    assert.equal(taken.statusCode, 200, 'no account was created');

    // Eight characters, sixteen bytes in UTF-8.
    const body = { username: 'longer', password: 'ééééàààà' };
    const first = await s.request('POST', `${V3}/register`, { body });
    assert.equal(first.statusCode, 401, first.body);
    const done = await s.request('POST', `${V3}/register`, { body: { ...body, auth: { type: 'm.login.dummy', session: first.json().session } } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().user_id, '@longer:hs.test');
  });

  it('password change: a short new password is 400 M_WEAK_PASSWORD before auth and the old password still works', async () => {
    const gail = await s.createUser('gail', { password: 'gail-password' });
    const res = await s.request('POST', `${V3}/account/password`, { token: gail.accessToken, body: { new_password: 'abc' } });
    assert.equal(res.statusCode, 400, res.body);
    // The endpoint's page lists no 400; M_WEAK_PASSWORD is one of the spec's general error codes.
    assert.deepEqual(res.json(), { errcode: 'M_WEAK_PASSWORD', error: 'Password must be at least 8 characters' });
    const login = await s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', user: 'gail', password: 'gail-password' } });
    assert.equal(login.statusCode, 200);
  });
}, describe);
