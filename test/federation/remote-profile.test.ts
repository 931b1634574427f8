// Profiles of other servers' users (issue 15): `GET /profile/{userId}` and its fields ask the
// user's server (`query/profile`), keep the answer a few minutes in a bounded cache, answer 404
// when the peer says there is no such user and 502 when it cannot be had. Nothing is read from the
// database for a remote user, so one backend suffices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakePeers, refusal } from '../helpers/fake-peers.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { REMOTE_PROFILE_TTL_MS, RemoteProfiles } from '../../src/services/federation/remote-profiles.js';
import type { UserId } from '../../src/core/ids.js';

const QUERY = '/_matrix/federation/v1/query/profile';

/** A peer that answers profile queries from `profiles` (404 M_NOT_FOUND for anyone else). */
function profilePeer(peers: FakePeers, name: string, profiles: Map<string, Record<string, unknown>>) {
  const peer = peers.add(name);
  peer.on('GET', /^\/_matrix\/federation\/v1\/query\/profile$/, (req) => {
    const profile = profiles.get(String(req.query?.user_id));
    if (profile === undefined) throw refusal(404, 'M_NOT_FOUND');
    const field = req.query?.field;
    return typeof field === 'string' ? (field in profile ? { [field]: profile[field] } : {}) : profile;
  });
  return peer;
}

describe('client profiles of remote users', () => {
  let s: TestServer;
  const peers = new FakePeers();
  const profiles = new Map<string, Record<string, unknown>>([
    ['@alice:remote.test', { displayname: 'Alice', avatar_url: 'mxc://remote.test/a' }],
    ['@carol:remote.test', { displayname: 'Carol', avatar_url: 42, extra: 'dropped' }],
    ['@dan:remote.test', { displayname: 'd'.repeat(257), avatar_url: 'mxc://remote.test/a\u0000b' }],
    ['@erin:remote.test', { displayname: 'e'.repeat(256), avatar_url: `mxc://remote.test/${'a'.repeat(980)}` }],
  ]);
  const remote = profilePeer(peers, 'remote.test', profiles);
  const broken = peers.add('broken.test');
  broken.on('GET', /^\/_matrix\/federation\/v1\/query\/profile$/, () => {
    throw refusal(500, 'M_UNKNOWN');
  });
  const url = (userId: string, field = '') => `${V3}/profile/${encodeURIComponent(userId)}${field === '' ? '' : `/${field}`}`;
  const queries = () => peers.requests.filter((r) => r.path === QUERY);

  before(async () => {
    s = await startTestServer({ federationRequester: peers });
  });
  after(() => s.close());

  it('asks the user\'s server, signed as this server, and answers its profile', async () => {
    const res = await s.request('GET', url('@alice:remote.test'));
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url('@alice:remote.test'));
    assert.deepEqual(res.json(), { displayname: 'Alice', avatar_url: 'mxc://remote.test/a' });
    const [asked] = peers.to('remote.test');
    assert.deepEqual(asked, { destination: 'remote.test', method: 'GET', path: QUERY, query: { user_id: '@alice:remote.test' } });
  });

  it('the answer is cached: the fields are served from it, and a change shows after the cache\'s lifetime', async () => {
    const before = queries().length;
    for (const [field, expected] of [['', { displayname: 'Alice', avatar_url: 'mxc://remote.test/a' }], ['displayname', { displayname: 'Alice' }], ['avatar_url', { avatar_url: 'mxc://remote.test/a' }]] as const) {
      const res = await s.request('GET', url('@alice:remote.test', field));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), expected);
    }
    assert.equal(queries().length, before, 'no request to the peer while cached');
    profiles.set('@alice:remote.test', { displayname: 'Alice 2' });
    s.clock.advance(REMOTE_PROFILE_TTL_MS + 1);
    const res = await s.request('GET', url('@alice:remote.test'));
    assert.deepEqual(res.json(), { displayname: 'Alice 2' });
    assert.equal(queries().length, before + 1);
  });

  it('a field alone asks the peer for that field', async () => {
    profiles.set('@bob:remote.test', { displayname: 'Bob' });
    const res = await s.request('GET', url('@bob:remote.test', 'displayname'));
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url('@bob:remote.test', 'displayname'));
    assert.deepEqual(res.json(), { displayname: 'Bob' });
    assert.deepEqual(queries().at(-1)?.query, { user_id: '@bob:remote.test', field: 'displayname' });
    const unset = await s.request('GET', url('@bob:remote.test', 'avatar_url'));
    assertMatrixError(unset, 404, 'M_NOT_FOUND', 'GET', url('@bob:remote.test', 'avatar_url'));
    assert.deepEqual(queries().at(-1)?.query, { user_id: '@bob:remote.test', field: 'avatar_url' });
  });

  it('only string fields of the peer\'s answer are passed on, each within what a local user may set (length, no NUL)', async () => {
    const res = await s.request('GET', url('@carol:remote.test'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { displayname: 'Carol' });
    const dan = await s.request('GET', url('@dan:remote.test'));
    assert.equal(dan.statusCode, 200, dan.body);
    assert.deepEqual(dan.json(), {});
    const erin = await s.request('GET', url('@erin:remote.test'));
    assert.deepEqual(erin.json(), { displayname: 'e'.repeat(256), avatar_url: `mxc://remote.test/${'a'.repeat(980)}` });
  });

  it('404 M_NOT_FOUND when the peer says there is no such user, remembered like an answer', async () => {
    const before = queries().length;
    for (const field of ['', 'displayname', '']) {
      const res = await s.request('GET', url('@nobody:remote.test', field));
      assertMatrixError(res, 404, 'M_NOT_FOUND', 'GET', url('@nobody:remote.test', field));
    }
    // The whole profile's "no such user" answers for its fields too.
    assert.equal(queries().length, before + 1);
  });

  it('502 M_UNKNOWN when the peer cannot be reached or fails; nothing is cached, so it is asked again', async () => {
    remote.up = false;
    profiles.set('@dave:remote.test', { displayname: 'Dave' });
    const down = await s.request('GET', url('@dave:remote.test'));
    assertMatrixError(down, 502, 'M_UNKNOWN', 'GET', url('@dave:remote.test'));
    assert.doesNotMatch(down.json().error, /remote\.test|reach|unreachable/i, 'no detail of the failure');
    remote.up = true;
    const res = await s.request('GET', url('@dave:remote.test'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { displayname: 'Dave' });
    for (const userId of ['@x:broken.test', '@x:unknown.test']) {
      assertMatrixError(await s.request('GET', url(userId, 'displayname')), 502, 'M_UNKNOWN', 'GET', url(userId, 'displayname'));
    }
  });

  it('a local user is read from the database, without asking anyone', async () => {
    const before = peers.requests.length;
    const local = await s.createUser('erin');
    const res = await s.request('GET', url(local.userId));
    assert.equal(res.statusCode, 200, res.body);
    assertMatrixError(await s.request('GET', url('@nobody:hs.test')), 404, 'M_NOT_FOUND', 'GET', url('@nobody:hs.test'));
    assert.equal(peers.requests.length, before);
  });
});

describe('RemoteProfiles cache', () => {
  const peers = new FakePeers();
  const profiles = new Map<string, Record<string, unknown>>();
  profilePeer(peers, 'remote.test', profiles);
  const users = ['@a:remote.test', '@b:remote.test', '@c:remote.test'] as UserId[];
  for (const userId of users) profiles.set(userId, { displayname: userId });

  it('holds at most its bound, dropping the entry written longest ago', async () => {
    const cache = new RemoteProfiles({ federation: peers, clock: new FakeClock(), maxEntries: 2 });
    for (const userId of users) await cache.get(userId);
    const asked = peers.requests.length;
    await cache.get(users[2]!);
    await cache.get(users[1]!);
    assert.equal(peers.requests.length, asked, 'the two newest are cached');
    await cache.get(users[0]!);
    assert.equal(peers.requests.length, asked + 1, 'the oldest was dropped');
  });

  it('concurrent requests for one profile share one fetch', async () => {
    const cache = new RemoteProfiles({ federation: peers, clock: new FakeClock() });
    const asked = peers.requests.length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.get(users[0]!)));
    assert.deepEqual(answers, Array(5).fill({ displayname: users[0] }));
    assert.equal(peers.requests.length, asked + 1);
  });
});
