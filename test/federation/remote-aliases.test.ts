// Aliases of other servers (issue 15, "queries ... served and used"): a client's
// `GET /directory/room/{roomAlias}` for another server's alias asks that server
// (`query/directory`), passes on a checked answer, and answers 404 when the server says so and 502
// when it cannot be had. Nothing is read from the database for a remote alias: one backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakePeers, refusal } from '../helpers/fake-peers.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { MAX_ALIAS_SERVERS } from '../../src/services/federation/remote-aliases.js';

describe('client alias lookups of other servers\' aliases', () => {
  let s: TestServer;
  const peers = new FakePeers();
  const remote = peers.add('remote.test');
  const many = Array.from({ length: MAX_ALIAS_SERVERS + 5 }, (_, i) => `s${i}.test`);
  remote.on('GET', /^\/_matrix\/federation\/v1\/query\/directory$/, (req) => {
    switch (req.query?.room_alias) {
      case '#lobby:remote.test': return { room_id: '!lobby:remote.test', servers: ['remote.test', 'other.test:8448', 'remote.test', 42, 'not a server!', ''] };
      case '#crowd:remote.test': return { room_id: '!crowd:remote.test', servers: many };
      case '#odd:remote.test': return { room_id: 'not-a-room', servers: [] };
      case '#noservers:remote.test': return { room_id: '!x:remote.test' };
      default: throw refusal(404, 'M_NOT_FOUND');
    }
  });
  const down = peers.add('down.test');
  down.up = false;
  const url = (alias: string) => `${V3}/directory/room/${encodeURIComponent(alias)}`;

  before(async () => {
    s = await startTestServer({ federationRequester: peers });
  });
  after(() => s.close());

  it('asks the alias\'s server and passes on its room and the valid servers, once each', async () => {
    const res = await s.request('GET', url('#lobby:remote.test'));
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url('#lobby:remote.test'));
    assert.deepEqual(res.json(), { room_id: '!lobby:remote.test', servers: ['remote.test', 'other.test:8448'] });
    const asked = peers.to('remote.test').at(-1)!;
    assert.deepEqual([asked.method, asked.path, asked.query], ['GET', '/_matrix/federation/v1/query/directory', { room_alias: '#lobby:remote.test' }]);
  });

  it(`at most ${MAX_ALIAS_SERVERS} servers are passed on`, async () => {
    const res = await s.request('GET', url('#crowd:remote.test'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().servers, many.slice(0, MAX_ALIAS_SERVERS));
  });

  it('the server says there is no such alias: 404 M_NOT_FOUND', async () => {
    assertMatrixError(await s.request('GET', url('#gone:remote.test')), 404, 'M_NOT_FOUND', 'GET', url('#gone:remote.test'));
  });

  it('an unreachable server or a nonsense answer: 502 M_UNKNOWN, saying nothing of the peer\'s answer', async () => {
    for (const alias of ['#any:down.test', '#odd:remote.test', '#noservers:remote.test']) {
      const res = await s.request('GET', url(alias));
      assertMatrixError(res, 502, 'M_UNKNOWN', 'GET', url(alias));
      assert.doesNotMatch(res.body, /not-a-room|unreachable/);
    }
  });

  it('this server\'s own aliases are not asked of anyone', async () => {
    const before = peers.requests.length;
    assertMatrixError(await s.request('GET', url('#nothing:hs.test')), 404, 'M_NOT_FOUND', 'GET', url('#nothing:hs.test'));
    assert.equal(peers.requests.length, before);
  });
});
