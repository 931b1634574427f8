// Synapse's admin API for the server and its accounts (docs/admin_api/user_admin_api.md): what synadm
// and other admin tools call. Every endpoint: admins only, the status code, the errcode and the data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ADMIN = '/_synapse/admin';
const u = (userId: string) => encodeURIComponent(userId);
const adminError = (res: Parameters<typeof assertMatrixError>[0], status: number, errcode: string) =>
  assertMatrixError(res, status, errcode, 'admin API', ADMIN, 'synapse-admin');

async function login(s: TestServer, user: string, password: string) {
  return s.request('POST', `${V3}/login`, { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password } });
}

forEachBackend('admin API: server and accounts', (backend) => {
  let s: TestServer;
  let root: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    root = await s.createUser('root', { admin: true });
  });
  after(() => s.close());

  const call = (method: 'GET' | 'PUT' | 'POST', path: string, token: string | undefined, body?: unknown) =>
    s.request(method, `${ADMIN}${path}`, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });

  it('server_version names Hearth and its version', async () => {
    const res = await call('GET', '/v1/server_version', root.accessToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.json().server_version, /^Hearth \d+\.\d+\.\d+/);
  });

  it('lists accounts: deactivated ones only when asked, filters by name and user ID, pages with next_token, orders', async () => {
    const list = await call('GET', '/v2/users', root.accessToken);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { users: [{
      name: root.userId, is_guest: false, admin: true, user_type: null, deactivated: false, erased: false, shadow_banned: false,
      locked: false, displayname: 'root', avatar_url: null, creation_ts: s.clock.now(),
    }], total: 1 });

    const anna = await s.createUser('anna');
    s.clock.advance(1000);
    const bert = await s.createUser('bert');
    await s.app.store.accounts.setProfile(bert.userId, { displayname: 'mr Annabel_%' });
    s.clock.advance(1000);
    const cleo = await s.createUser('cleo');
    await s.app.store.accounts.setDeactivated(cleo.userId);
    const names = async (query: string) => {
      const res = await call('GET', `/v2/users?${query}`, root.accessToken);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { users: Array<{ name: string }>; total: number; next_token?: string };
    };
    const ids = (page: { users: Array<{ name: string }> }) => page.users.map((x) => x.name);

    assert.deepEqual(ids(await names('')), [anna.userId, bert.userId, root.userId]);
    const withDeactivated = await names('deactivated=true');
    assert.deepEqual(ids(withDeactivated), [anna.userId, bert.userId, cleo.userId, root.userId]);
    assert.equal(withDeactivated.total, 4);
    // `name`: the localpart or the display name, case-insensitively; LIKE's wildcards are literal.
    assert.deepEqual(ids(await names('name=ANNA')), [anna.userId, bert.userId]);
    assert.deepEqual(ids(await names(`name=${encodeURIComponent('l_%')}`)), [bert.userId]);
    assert.deepEqual(ids(await names('name=hs.test')), []);
    assert.deepEqual(ids(await names(`user_id=${encodeURIComponent('t:hs')}`)), [bert.userId, root.userId]);

    const first = await names('limit=2');
    assert.deepEqual(ids(first), [anna.userId, bert.userId]);
    assert.equal(first.total, 3);
    assert.equal(first.next_token, '2');
    const second = await names(`limit=2&from=${first.next_token}`);
    assert.deepEqual(ids(second), [root.userId]);
    assert.equal(second.next_token, undefined);

    assert.deepEqual(ids(await names('order_by=creation_ts&dir=b')), [bert.userId, anna.userId, root.userId]);
    assert.deepEqual(ids(await names('order_by=admin&dir=b')), [root.userId, anna.userId, bert.userId]);
    assert.deepEqual(ids(await names('order_by=displayname')), [anna.userId, bert.userId, root.userId]);

    for (const query of ['order_by=password', 'dir=x', 'limit=-1', 'from=a', 'deactivated=maybe']) {
      adminError(await call('GET', `/v2/users?${query}`, root.accessToken), 400, 'M_INVALID_PARAM');
    }
  });

  it('shows one account; 404 for no such account, 400 for another server\'s user or no user ID', async () => {
    const dora = await s.createUser('dora');
    const res = await call('GET', `/v2/users/${u(dora.userId)}`, root.accessToken);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      name: dora.userId, displayname: 'dora', threepids: [], avatar_url: null, is_guest: false, admin: false, deactivated: false,
      erased: false, shadow_banned: false, locked: false, creation_ts: Math.floor(s.clock.now() / 1000), appservice_id: null,
      consent_server_notice_sent: null, consent_version: null, consent_ts: null, external_ids: [], user_type: null,
    });
    adminError(await call('GET', `/v2/users/${u('@nobody:hs.test')}`, root.accessToken), 404, 'M_NOT_FOUND');
    adminError(await call('GET', `/v2/users/${u('@dora:elsewhere.test')}`, root.accessToken), 400, 'M_INVALID_PARAM');
    adminError(await call('GET', '/v2/users/dora', root.accessToken), 400, 'M_INVALID_PARAM');
  });

  it('PUT creates an account (201) that can log in, then modifies it (200): profile, admin, password, deactivation', async () => {
    const id = '@erin:hs.test';
    const created = await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { password: 'first secret', displayname: 'Erin', admin: false });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().name, id);
    assert.equal(created.json().displayname, 'Erin');
    assert.equal(created.json().admin, false);
    const first = await login(s, 'erin', 'first secret');
    assert.equal(first.statusCode, 200, first.body);
    const erinToken = first.json().access_token as string;

    const modified = await call('PUT', `/v2/users/${u(id)}`, erinToken, { admin: true });
    adminError(modified, 403, 'M_FORBIDDEN');
    const promoted = await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { admin: true, displayname: '', avatar_url: 'mxc://hs.test/abc' });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.equal(promoted.json().admin, true);
    assert.equal(promoted.json().displayname, null);
    assert.equal(promoted.json().avatar_url, 'mxc://hs.test/abc');
    // Now an admin: the same token reaches the admin API.
    assert.equal((await call('GET', '/v2/users', erinToken)).statusCode, 200);

    // A new password logs every device out, unless logout_devices is false.
    const kept = await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { password: 'second secret', logout_devices: false });
    assert.equal(kept.statusCode, 200);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: erinToken })).statusCode, 200);
    assert.equal((await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { password: 'third secret' })).statusCode, 200);
    assertMatrixError(await s.request('GET', `${V3}/account/whoami`, { token: erinToken }), 401, 'M_UNKNOWN_TOKEN', 'GET', `${V3}/account/whoami`);
    assert.equal((await login(s, 'erin', 'second secret')).statusCode, 403);
    assert.equal((await login(s, 'erin', 'third secret')).statusCode, 200);

    const deactivated = await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { deactivated: true });
    assert.equal(deactivated.statusCode, 200);
    assert.equal(deactivated.json().deactivated, true);
    assert.equal((await login(s, 'erin', 'third secret')).statusCode, 403);
    // Deactivation wiped the password: reactivating needs a new one.
    adminError(await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { deactivated: false }), 400, 'M_INVALID_PARAM');
    const back = await call('PUT', `/v2/users/${u(id)}`, root.accessToken, { deactivated: false, password: 'fourth secret' });
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().deactivated, false);
    assert.equal((await login(s, 'erin', 'fourth secret')).statusCode, 200);
  });

  it('PUT refuses what it cannot do: self-demotion, bad values, another server, a bad localpart', async () => {
    adminError(await call('PUT', `/v2/users/${u(root.userId)}`, root.accessToken, { admin: false }), 400, 'M_INVALID_PARAM');
    assert.equal((await call('GET', `/v1/users/${u(root.userId)}/admin`, root.accessToken)).json().admin, true);
    adminError(await call('PUT', `/v2/users/${u('@fay:hs.test')}`, root.accessToken, { avatar_url: 'https://x' }), 400, 'M_INVALID_PARAM');
    adminError(await call('PUT', `/v2/users/${u('@fay:hs.test')}`, root.accessToken, { admin: 'yes' }), 400, 'M_BAD_JSON');
    adminError(await call('PUT', `/v2/users/${u('@fay:hs.test')}`, root.accessToken, { threepids: [{ medium: 'email', address: 'a@b' }] }), 400, 'M_BAD_JSON');
    adminError(await call('PUT', `/v2/users/${u('@fay:elsewhere.test')}`, root.accessToken, {}), 400, 'M_INVALID_PARAM');
    adminError(await call('PUT', `/v2/users/${u('@Fay:hs.test')}`, root.accessToken, {}), 400, 'M_INVALID_USERNAME');
    assert.equal(await s.app.store.accounts.exists('@fay:hs.test' as never), false);
  });

  it('GET and PUT /users/{userId}/admin', async () => {
    const gus = await s.createUser('gus');
    const path = `/v1/users/${u(gus.userId)}/admin`;
    assert.deepEqual((await call('GET', path, root.accessToken)).json(), { admin: false });
    const set = await call('PUT', path, root.accessToken, { admin: true });
    assert.equal(set.statusCode, 200);
    assert.deepEqual(set.json(), {});
    assert.deepEqual((await call('GET', path, root.accessToken)).json(), { admin: true });
    adminError(await call('PUT', path, root.accessToken, {}), 400, 'M_MISSING_PARAM');
    adminError(await call('GET', `/v1/users/${u('@nobody:hs.test')}/admin`, root.accessToken), 404, 'M_NOT_FOUND');
  });
}, describe);
