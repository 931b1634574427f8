// Synapse's registration token admin API (registration_tokens.md), and registration with the tokens
// it creates: uses counted (pending while a registration is being created, then completed), expiry,
// and the configured tokens still accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const TOKENS = '/_synapse/admin/v1/registration_tokens';
const adminError = (res: Parameters<typeof assertMatrixError>[0], status: number, errcode: string) =>
  assertMatrixError(res, status, errcode, 'admin API', TOKENS, 'synapse-admin');

forEachBackend('admin API: registration tokens', (backend) => {
  let s: TestServer;
  let root: TestUser;
  before(async () => {
    s = await startTestServer({ backend, config: { enable_registration: true, registration_requires_token: true, registration_tokens: ['configured-1'] } });
    root = await s.createUser('root', { admin: true });
  });
  after(() => s.close());

  const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown, token = root.accessToken) =>
    s.request(method, `${TOKENS}${path}`, { token, ...(body === undefined ? {} : { body }) });
  const register = (username: string, token: string) =>
    s.request('POST', `${V3}/register`, { body: { username, password: 'a password', auth: { type: 'm.login.registration_token', token } } });
  const validity = async (token: string) => {
    const res = await s.request('GET', `/_matrix/client/v1/register/m.login.registration_token/validity?token=${encodeURIComponent(token)}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().valid as boolean;
  };

  it('creates (made up or given), shows, changes, lists by validity and deletes tokens', async () => {
    const made = await call('POST', '/new', {});
    assert.equal(made.statusCode, 200, made.body);
    const { token: madeToken, ...rest } = made.json();
    assert.match(madeToken, /^[A-Za-z0-9._~-]{16}$/);
    assert.deepEqual(rest, { uses_allowed: null, pending: 0, completed: 0, expiry_time: null });
    assert.match((await call('POST', '/new', { length: 64 })).json().token, /^[A-Za-z0-9._~-]{64}$/);

    const expiry = s.clock.now() + 60_000;
    const given = await call('POST', '/new', { token: 'defg', uses_allowed: 1, expiry_time: expiry });
    assert.deepEqual(given.json(), { token: 'defg', uses_allowed: 1, pending: 0, completed: 0, expiry_time: expiry });
    adminError(await call('POST', '/new', { token: 'defg' }), 400, 'M_INVALID_PARAM');
    assert.deepEqual((await call('GET', '/defg')).json(), given.json());

    const changed = await call('PUT', '/defg', { uses_allowed: 0 });
    assert.equal(changed.statusCode, 200);
    assert.deepEqual(changed.json(), { token: 'defg', uses_allowed: 0, pending: 0, completed: 0, expiry_time: expiry });
    assert.deepEqual((await call('PUT', '/defg', { uses_allowed: null, expiry_time: null })).json(), { token: 'defg', uses_allowed: null, pending: 0, completed: 0, expiry_time: null });
    // Nothing given: nothing changes.
    assert.deepEqual((await call('PUT', '/defg', {})).json().uses_allowed, null);

    await call('POST', '/new', { token: 'used-up', uses_allowed: 0 });
    await call('POST', '/new', { token: 'expiring', expiry_time: s.clock.now() + 1000 });
    s.clock.advance(1000);
    const tokens = async (query: string) => ((await call('GET', query)).json().registration_tokens as Array<{ token: string }>).map((t) => t.token);
    const all = await tokens('');
    assert.deepEqual(all, [...all].sort());
    assert.equal(all.length, 5);
    assert.deepEqual(await tokens('?valid=false'), ['expiring', 'used-up']);
    assert.deepEqual((await tokens('?valid=true')).sort(), all.filter((t) => t !== 'expiring' && t !== 'used-up').sort());
    adminError(await call('GET', '?valid=maybe'), 400, 'M_INVALID_PARAM');

    const deleted = await call('DELETE', '/defg');
    assert.equal(deleted.statusCode, 200);
    assert.deepEqual(deleted.json(), {});
    for (const method of ['GET', 'PUT', 'DELETE'] as const) adminError(await call(method, '/defg', method === 'PUT' ? {} : undefined), 404, 'M_NOT_FOUND');
  });

  it('refuses every malformed value with 400 M_INVALID_PARAM', async () => {
    const bad: unknown[] = [
      { token: '' }, { token: 'a b' }, { token: 'é' }, { token: 'x'.repeat(65) }, { token: 5 },
      { uses_allowed: -1 }, { uses_allowed: 1.5 }, { uses_allowed: '1' },
      { expiry_time: s.clock.now() - 1 }, { expiry_time: -1 }, { expiry_time: true },
      { length: 0 }, { length: 65 }, { length: 'x' },
    ];
    for (const body of bad) adminError(await call('POST', '/new', body), 400, 'M_INVALID_PARAM');
    assert.equal((await call('POST', '/new', { token: 'x'.repeat(64) })).statusCode, 200);
    await call('POST', '/new', { token: 'to-change' });
    for (const body of [{ uses_allowed: -1 }, { expiry_time: s.clock.now() - 1 }, { uses_allowed: 2 ** 53 }]) {
      adminError(await call('PUT', '/to-change', body), 400, 'M_INVALID_PARAM');
    }
    adminError(await call('GET', `/${encodeURIComponent('a b')}`), 400, 'M_INVALID_PARAM');
  });

  it('registration takes a database token\'s uses until they are gone, refuses it once expired, and still takes configured tokens', async () => {
    await call('POST', '/new', { token: 'two-uses', uses_allowed: 2 });
    assert.equal(await validity('two-uses'), true);
    for (const name of ['reg1', 'reg2']) {
      const res = await register(name, 'two-uses');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().user_id, `@${name}:hs.test`);
    }
    assert.deepEqual((await call('GET', '/two-uses')).json(), { token: 'two-uses', uses_allowed: 2, pending: 0, completed: 2, expiry_time: null });
    assert.equal(await validity('two-uses'), false);
    const refused = await register('reg3', 'two-uses');
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().errcode, 'M_FORBIDDEN');
    assert.equal(await s.app.store.accounts.exists('@reg3:hs.test' as never), false);

    await call('POST', '/new', { token: 'soon-gone', expiry_time: s.clock.now() + 1000 });
    assert.equal(await validity('soon-gone'), true);
    s.clock.advance(1000);
    assert.equal(await validity('soon-gone'), false);
    assert.equal((await register('reg4', 'soon-gone')).statusCode, 401);
    assert.equal((await call('GET', '/soon-gone')).json().pending, 0);

    assert.equal(await validity('configured-1'), true);
    assert.equal((await register('reg5', 'configured-1')).statusCode, 200);
    assert.equal(await validity('no-such-token'), false);
    assert.equal((await register('reg6', 'no-such-token')).statusCode, 401);
  });

  it('a registration that fails after the token stage gives its use back', async () => {
    await call('POST', '/new', { token: 'one-use', uses_allowed: 1 });
    // Taken between the name check and the account's creation: the account cannot be made.
    const createAccount = s.app.services.registration.createAccount.bind(s.app.services.registration);
    s.app.services.registration.createAccount = async (input) => {
      await createAccount({ userId: input.userId, admin: false });
      return createAccount(input);
    };
    try {
      const res = await register('racer', 'one-use');
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().errcode, 'M_USER_IN_USE');
    } finally {
      s.app.services.registration.createAccount = createAccount;
    }
    assert.deepEqual((await call('GET', '/one-use')).json(), { token: 'one-use', uses_allowed: 1, pending: 0, completed: 0, expiry_time: null });
    assert.equal((await register('racer2', 'one-use')).statusCode, 200);
    assert.deepEqual((await call('GET', '/one-use')).json().completed, 1);
  });
}, describe);
