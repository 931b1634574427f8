// Request authentication on the federation listener (issue 15) and the two query endpoints behind
// it: every /_matrix/federation/* route but /version needs a valid X-Matrix signature by the
// origin's key, over the raw request target and addressed to this server; failures are 401
// M_UNAUTHORIZED before any handler runs. Profiles and aliases come from storage: both backends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '../../src/core/events/signing-key.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { remoteServer } from '../helpers/remote-server.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const SS = 'server-server';
const OURS = 'hs.test';
const PROFILE = '/_matrix/federation/v1/query/profile';
const DIRECTORY = '/_matrix/federation/v1/query/directory';
const profileOf = (userId: string, field?: string) =>
  `${PROFILE}?user_id=${encodeURIComponent(userId)}${field === undefined ? '' : `&field=${field}`}`;

forEachBackend('federation: request authentication and queries', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  let s: TestServer;
  let fed: FastifyInstance;
  let alice: TestUser;
  let roomId: string;

  before(async () => {
    s = await startTestServer({ backend, config: { server_name: OURS, federation: { port: 0 } }, serverKeys: remote.lookup });
    fed = s.app.federationHttp!;
    await fed.ready();
    alice = await s.createUser('alice');
    const r = rest(s);
    roomId = await r.createRoom(alice, { room_alias_name: 'lobby' });
    const res = await s.request('PUT', `${V3}/profile/${encodeURIComponent(alice.userId)}/displayname`, { token: alice.accessToken, body: { displayname: 'Alice' } });
    assert.equal(res.statusCode, 200);
  });
  after(() => s.close());

  describe('authentication', () => {
    it('/version needs no signature', async () => {
      const res = await remote.request(fed, 'GET', '/_matrix/federation/v1/version', { authorization: null });
      assert.equal(res.statusCode, 200);
    });

    it('a correctly signed request is answered, its keys looked up at the request time', async () => {
      s.clock.advance(1234);
      const before = remote.lookup.asked.length;
      const res = await remote.request(fed, 'GET', profileOf(alice.userId));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(remote.lookup.asked.slice(before), [{ serverName: 'remote.test', keyIds: [remote.key.keyId], atMs: s.clock.now() }]);
    });

    const refusals: [string, Parameters<typeof remote.request>[3]][] = [
      ['no Authorization header', { authorization: null }],
      ['a Bearer token instead of X-Matrix', { authorization: 'Bearer abc' }],
      ['a malformed X-Matrix header', { authorization: 'X-Matrix origin=remote.test,key=' }],
      ['an origin that is not a server name', { authorization: 'X-Matrix origin="bad name!",key="ed25519:a",sig="abc"' }],
      ['a wrong destination', { destination: 'other.test' }],
      ['a signature by another key under the same key ID', { sign: { key: { ...generateSigningKey(randomBytes), keyId: remote.key.keyId } } }],
      ['a key the origin does not have (unknown key)', { sign: { key: generateSigningKey(randomBytes) } }],
      ['a server whose keys are unknown', { sign: { origin: 'stranger.test' } }],
      ['a signature over another query string', { sign: { uri: profileOf('@bob:hs.test') } }],
      ['a signature that covers a body the request does not have', { sign: { body: { a: 1 } } }],
    ];
    for (const [name, options] of refusals) {
      it(`401 M_UNAUTHORIZED for ${name}, before the handler runs`, async () => {
        const res = await remote.request(fed, 'GET', profileOf(alice.userId), options);
        assertMatrixError(res, 401, 'M_UNAUTHORIZED', 'GET', PROFILE, SS);
        assert.deepEqual(Object.keys(res.json()).sort(), ['errcode', 'error']);
      });
    }
  });

  describe('GET /_matrix/federation/v1/query/profile', () => {
    it('a local user: the whole profile, or one field', async () => {
      const res = await remote.request(fed, 'GET', profileOf(alice.userId));
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'GET', PROFILE, SS);
      assert.deepEqual(res.json(), { displayname: 'Alice' });
      const one = await remote.request(fed, 'GET', profileOf(alice.userId, 'displayname'));
      assert.equal(one.statusCode, 200);
      assert.deepEqual(one.json(), { displayname: 'Alice' });
      const unset = await remote.request(fed, 'GET', profileOf(alice.userId, 'avatar_url'));
      assert.equal(unset.statusCode, 200);
      assert.deepEqual(unset.json(), {});
    });

    it('404 M_NOT_FOUND for an unknown local user and for a user of another server', async () => {
      for (const userId of ['@nobody:hs.test', '@alice:remote.test']) {
        const res = await remote.request(fed, 'GET', profileOf(userId));
        assertMatrixError(res, 404, 'M_NOT_FOUND', 'GET', PROFILE, SS);
      }
    });

    it('400 for a missing or invalid user_id and an unknown field', async () => {
      for (const uri of [PROFILE, profileOf('not-a-user'), profileOf(alice.userId, 'email')]) {
        const res = await remote.request(fed, 'GET', uri);
        assert.equal(res.statusCode, 400, uri);
        assert.match(res.json().errcode, /^M_(MISSING_PARAM|INVALID_PARAM)$/);
      }
    });
  });

  describe('GET /_matrix/federation/v1/query/directory', () => {
    it('a local alias: the room and this server', async () => {
      const res = await remote.request(fed, 'GET', `${DIRECTORY}?room_alias=${encodeURIComponent('#lobby:hs.test')}`);
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', DIRECTORY, SS);
      assert.deepEqual(res.json(), { room_id: roomId, servers: [OURS] });
    });

    it('404 M_NOT_FOUND for an unknown alias and an alias of another server', async () => {
      for (const alias of ['#nothing:hs.test', '#lobby:remote.test']) {
        const res = await remote.request(fed, 'GET', `${DIRECTORY}?room_alias=${encodeURIComponent(alias)}`);
        assertMatrixError(res, 404, 'M_NOT_FOUND', 'GET', DIRECTORY, SS);
      }
    });

    it('unsigned: 401 M_UNAUTHORIZED', async () => {
      const res = await remote.request(fed, 'GET', `${DIRECTORY}?room_alias=${encodeURIComponent('#lobby:hs.test')}`, { authorization: null });
      assertMatrixError(res, 401, 'M_UNAUTHORIZED', 'GET', DIRECTORY, SS);
    });
  });
}, describe);

describe('federation: the key ring behind the listener', () => {
  it('a signed request from a server whose keys cannot be fetched (a denied address) is refused with 401 M_UNAUTHORIZED', async () => {
    // No injected keys: the listener asks the real key ring, whose fetch from a loopback address is
    // refused by the outbound deny-list (private addresses are not allowed by default).
    const s = await startTestServer({ config: { server_name: OURS, federation: { port: 0 } } });
    try {
      const res = await remoteServer('127.0.0.99:8448', OURS).request(s.app.federationHttp!, 'GET', profileOf('@alice:hs.test'));
      assertMatrixError(res, 401, 'M_UNAUTHORIZED', 'GET', PROFILE, SS);
    } finally {
      await s.close();
    }
  });
});
