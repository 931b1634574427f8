// Synapse's admin API for the server and its accounts (docs/admin_api/user_admin_api.md): what synadm
// and other admin tools call. Every endpoint: admins only, the status code, the errcode and the data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
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
  it('deactivate leaves and forgets every room, logs every device out; erase removes the profile', async () => {
    const r = rest(s);
    const hal = await s.createUser('hal');
    const ivy = await s.createUser('ivy');
    const roomId = await r.createRoom(ivy, { preset: 'public_chat' });
    await r.join(hal, roomId);
    await s.app.store.accounts.setProfile(hal.userId, { avatarUrl: 'mxc://hs.test/hal' });
    const path = `/v1/deactivate/${u(hal.userId)}`;
    assertMatrixError(await call('POST', path, hal.accessToken, {}), 403, 'M_FORBIDDEN', 'admin API', ADMIN, 'synapse-admin');
    adminError(await call('POST', path, root.accessToken, { erase: 'yes' }), 400, 'M_BAD_JSON');

    const res = await call('POST', path, root.accessToken, { erase: true });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id_server_unbind_result: 'no-support' });
    adminError(await s.request('GET', `${V3}/account/whoami`, { token: hal.accessToken }), 401, 'M_UNKNOWN_TOKEN');
    assert.equal((await login(s, 'hal', hal.password)).statusCode, 403);
    const m = await s.app.store.memberships.get(roomId as never, hal.userId);
    assert.deepEqual([m?.membership, m?.forgotten], ['leave', true]);
    const members = await r.ok('GET', `${r.room(roomId)}/joined_members`, ivy);
    assert.deepEqual(Object.keys(members.joined), [ivy.userId]);
    const shown = (await call('GET', `/v2/users/${u(hal.userId)}`, root.accessToken)).json();
    assert.deepEqual([shown.deactivated, shown.erased, shown.displayname, shown.avatar_url], [true, true, null, null]);
    // An empty body is a deactivation without erasure.
    const jo = await s.createUser('jo');
    assert.equal((await s.request('POST', `${ADMIN}/v1/deactivate/${u(jo.userId)}`, { token: root.accessToken })).statusCode, 200);
    const joShown = (await call('GET', `/v2/users/${u(jo.userId)}`, root.accessToken)).json();
    assert.deepEqual([joShown.deactivated, joShown.erased, joShown.displayname], [true, false, 'jo']);
    adminError(await call('POST', `/v1/deactivate/${u('@nobody:hs.test')}`, root.accessToken, {}), 404, 'M_NOT_FOUND');
  });

  it('reset_password sets the password and logs every device out, unless logout_devices is false', async () => {
    const kim = await s.createUser('kim');
    const path = `/v1/reset_password/${u(kim.userId)}`;
    const kept = await call('POST', path, root.accessToken, { new_password: 'new one', logout_devices: false });
    assert.equal(kept.statusCode, 200, kept.body);
    assert.deepEqual(kept.json(), {});
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: kim.accessToken })).statusCode, 200);
    assert.equal((await login(s, 'kim', kim.password)).statusCode, 403);
    assert.equal((await call('POST', path, root.accessToken, { new_password: 'newer one' })).statusCode, 200);
    adminError(await s.request('GET', `${V3}/account/whoami`, { token: kim.accessToken }), 401, 'M_UNKNOWN_TOKEN');
    assert.equal((await login(s, 'kim', 'newer one')).statusCode, 200);
    adminError(await call('POST', path, root.accessToken, {}), 400, 'M_MISSING_PARAM');
    adminError(await call('POST', `/v1/reset_password/${u('@nobody:hs.test')}`, root.accessToken, { new_password: 'x' }), 404, 'M_NOT_FOUND');
  });

  it('whois, joined_rooms and devices show the user\'s sessions and rooms; delete_devices logs devices out', async () => {
    const r = rest(s);
    const lu = await s.createUser('lu');
    const second = await s.app.services.sessions.issue(lu.userId, undefined, 'laptop');
    s.clock.advance(5000);
    await s.app.store.devices.touch(lu.userId, lu.deviceId as never, s.clock.now(), '192.0.2.7');
    const roomId = await r.createRoom(lu);
    const left = await r.createRoom(lu);
    await r.leave(lu, left);

    const whois = await call('GET', `/v1/whois/${u(lu.userId)}`, root.accessToken);
    assert.equal(whois.statusCode, 200);
    assert.deepEqual(whois.json(), {
      user_id: lu.userId,
      devices: {
        [lu.deviceId]: { sessions: [{ connections: [{ ip: '192.0.2.7', last_seen: s.clock.now() }] }] },
        [second.device_id]: { sessions: [{ connections: [] }] },
      },
    });
    assert.deepEqual((await call('GET', `/v1/users/${u(lu.userId)}/joined_rooms`, root.accessToken)).json(), { joined_rooms: [roomId], total: 1 });
    const devices = (await call('GET', `/v2/users/${u(lu.userId)}/devices`, root.accessToken)).json();
    assert.equal(devices.total, 2);
    assert.deepEqual(devices.devices.find((d: { device_id: string }) => d.device_id === second.device_id), {
      device_id: second.device_id, display_name: 'laptop', last_seen_ip: null, last_seen_user_agent: null, last_seen_ts: null, user_id: lu.userId,
    });

    const deleted = await call('POST', `/v2/users/${u(lu.userId)}/delete_devices`, root.accessToken, { devices: [second.device_id, 'UNKNOWN'] });
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.deepEqual(deleted.json(), {});
    adminError(await s.request('GET', `${V3}/account/whoami`, { token: second.access_token }), 401, 'M_UNKNOWN_TOKEN');
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: lu.accessToken })).statusCode, 200);
    assert.deepEqual((await call('GET', `/v2/users/${u(lu.userId)}/devices`, root.accessToken)).json().total, 1);
    adminError(await call('POST', `/v2/users/${u(lu.userId)}/delete_devices`, root.accessToken, {}), 400, 'M_MISSING_PARAM');
    for (const path of ['/v1/whois/', '/v1/users/%/joined_rooms', '/v2/users/%/devices']) {
      const url = path.includes('%') ? path.replace('%', u('@nobody:hs.test')) : `${path}${u('@nobody:hs.test')}`;
      adminError(await call('GET', url, root.accessToken), 404, 'M_NOT_FOUND');
    }
  });

  it('login as a user: a token of theirs on a device they can see, expiring at valid_until_ms; never as oneself', async () => {
    const mo = await s.createUser('mo');
    const path = `/v1/users/${u(mo.userId)}/login`;
    const res = await call('POST', path, root.accessToken, { valid_until_ms: s.clock.now() + 60_000 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(Object.keys(res.json()), ['access_token']);
    const token = res.json().access_token as string;
    const who = await s.request('GET', `${V3}/account/whoami`, { token });
    assert.equal(who.statusCode, 200);
    assert.equal(who.json().user_id, mo.userId);
    const devices = (await call('GET', `/v2/users/${u(mo.userId)}/devices`, root.accessToken)).json();
    assert.deepEqual(devices.devices.map((d: { display_name: string }) => d.display_name).sort(), ['Admin login', null].sort());
    s.clock.advance(60_000);
    adminError(await s.request('GET', `${V3}/account/whoami`, { token }), 401, 'M_UNKNOWN_TOKEN');

    // Without valid_until_ms (or an empty body) the token does not expire.
    const forever = (await s.request('POST', `${ADMIN}${path}`, { token: root.accessToken })).json().access_token as string;
    s.clock.advance(365 * 86_400_000);
    assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: forever })).statusCode, 200);

    adminError(await call('POST', `/v1/users/${u(root.userId)}/login`, root.accessToken, {}), 400, 'M_INVALID_PARAM');
    adminError(await call('POST', path, root.accessToken, { valid_until_ms: -1 }), 400, 'M_BAD_JSON');
    adminError(await call('POST', `/v1/users/${u('@nobody:hs.test')}/login`, root.accessToken, {}), 404, 'M_NOT_FOUND');
  });
}, describe);
