import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { R0, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const TURN = `${V3}/voip/turnServer`;
const SUPPORT = '/.well-known/matrix/support';
const support = {
  contacts: [{ role: 'm.role.admin', matrix_id: '@admin:hs.test', email_address: 'admin@example.org' }, { role: 'm.role.security', email_address: 'security@example.org' }],
  support_page: 'https://example.org/support.html',
};

forEachBackend('TURN credentials, third-party protocols and identifiers, support contacts', (backend) => {
  describe('configured', () => {
    let s: TestServer;
    let alice: TestUser;
    before(async () => {
      s = await startTestServer({
        backend,
        config: { turn_uris: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'], turn_shared_secret: 's3cret', turn_user_lifetime: '1d', well_known_support: support },
      });
      alice = await s.createUser('alice');
    });
    after(() => s.close());

    it('GET /voip/turnServer: coturn REST credentials "<expiry>:<user>" and base64(HMAC-SHA1(secret, username)), valid for the lifetime', async () => {
      const res = await s.request('GET', TURN, { token: alice.accessToken });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', TURN);
      const username = `${Math.floor((s.clock.now() + 86_400_000) / 1000)}:${alice.userId}`;
      assert.deepEqual(res.json(), {
        username,
        password: createHmac('sha1', 's3cret').update(username).digest('base64'),
        uris: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'],
        ttl: 86_400,
      });
      assert.deepEqual((await s.request('GET', `${R0}/voip/turnServer`, { token: alice.accessToken })).json(), res.json());
      assertMatrixError(await s.request('GET', TURN), 401, 'M_MISSING_TOKEN', 'GET', TURN);
    });

    it('GET /.well-known/matrix/support answers the configured contacts and page, without a token', async () => {
      const res = await s.request('GET', SUPPORT);
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', SUPPORT);
      assert.deepEqual(res.json(), support);
    });
  });

  describe('unconfigured', () => {
    let s: TestServer;
    let alice: TestUser;
    before(async () => {
      s = await startTestServer({ backend });
      alice = await s.createUser('alice');
    });
    after(() => s.close());

    it('no TURN server: GET /voip/turnServer is 404 M_NOT_FOUND; no support contacts: 404', async () => {
      assertMatrixError(await s.request('GET', TURN, { token: alice.accessToken }), 404, 'M_NOT_FOUND', 'GET', TURN);
      const res = await s.request('GET', SUPPORT);
      assert.equal(res.statusCode, 404);
      assertSpecResponse(res, 'GET', SUPPORT);
    });

    it('GET /thirdparty/protocols is {} (no bridges); GET /account/3pid lists none', async () => {
      for (const [url, expected] of [[`${V3}/thirdparty/protocols`, {}], [`${V3}/account/3pid`, { threepids: [] }]] as const) {
        const res = await s.request('GET', url, { token: alice.accessToken });
        assert.equal(res.statusCode, 200, res.body);
        assertSpecResponse(res, 'GET', url);
        assert.deepEqual(res.json(), expected);
        assertMatrixError(await s.request('GET', url), 401, 'M_MISSING_TOKEN', 'GET', url);
      }
    });

    it('adding a third-party identifier: a token is 400 M_THREEPID_MEDIUM_NOT_SUPPORTED, adding 400 M_THREEPID_AUTH_FAILED, and none is listed', async () => {
      for (const medium of ['email', 'msisdn']) {
        const url = `${V3}/account/3pid/${medium}/requestToken`;
        const body = medium === 'email'
          ? { client_secret: 'secret', email: 'alice@example.org', send_attempt: 1 }
          : { client_secret: 'secret', country: 'GB', phone_number: '07700900001', send_attempt: 1 };
        assertMatrixError(await s.request('POST', url, { token: alice.accessToken, body }), 400, 'M_THREEPID_MEDIUM_NOT_SUPPORTED', 'POST', url);
      }
      const add = `${V3}/account/3pid/add`;
      const res = await s.request('POST', add, { token: alice.accessToken, body: { client_secret: 'secret', sid: 'made-up' } });
      assertMatrixError(res, 400, 'M_THREEPID_AUTH_FAILED', 'POST', add);
      assert.deepEqual((await s.request('GET', `${V3}/account/3pid`, { token: alice.accessToken })).json(), { threepids: [] });
    });
  });
}, describe);
