import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const FILTER = {
  room: {
    state: { types: ['m.room.*'], not_rooms: ['!726s6s6q:example.com'] },
    timeline: { limit: 10, types: ['m.room.message'], not_senders: ['@spam:example.com'] },
    ephemeral: { types: ['m.receipt', 'm.typing'] },
  },
  presence: { types: ['m.presence'], not_senders: ['@alice:example.com'] },
  event_format: 'client',
  event_fields: ['type', 'content', 'sender'],
};

forEachBackend('filter API', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const filterUrl = (user: TestUser) => `${V3}/user/${encodeURIComponent(user.userId)}/filter`;

  it('uploads a filter and downloads it exactly as it was sent', async () => {
    const body = { ...FILTER, 'org.example.unstable': { kept: true } };
    const post = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body });
    assert.equal(post.statusCode, 200, post.body);
    assertSpecResponse(post, 'POST', filterUrl(alice));
    const filterId = post.json().filter_id;
    assert.equal(typeof filterId, 'string');
    assert.ok(!filterId.startsWith('{'));

    const url = `${filterUrl(alice)}/${encodeURIComponent(filterId)}`;
    const get = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), body);
    assertSpecResponse(get, 'GET', url);
  });

  it('every upload gets a new ID; an empty filter is valid', async () => {
    const a = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body: {} });
    const b = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body: {} });
    assert.equal(a.statusCode, 200);
    assert.equal(b.statusCode, 200);
    assert.notEqual(a.json().filter_id, b.json().filter_id);
    const get = await s.request('GET', `${filterUrl(alice)}/${a.json().filter_id}`, { token: alice.accessToken });
    assert.deepEqual(get.json(), {});
  });

  it('an invalid filter is 400 M_BAD_JSON', async () => {
    const bad = [
      { room: { timeline: { limit: -1 } } },
      { room: { timeline: { types: 'm.room.message' } } },
      { event_format: 'xml' },
      { presence: null },
      { room: { include_leave: 'yes' } },
    ];
    for (const body of bad) {
      const res = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().errcode, 'M_BAD_JSON', JSON.stringify(body));
    }
  });

  it('a list over 1,000 entries or an entry over 255 characters is 400 M_BAD_JSON; a filter over 64 Ki characters 413 M_TOO_LARGE (upload and inline /sync)', async () => {
    const url = filterUrl(alice);
    const rooms = Array.from({ length: 1001 }, (_, i) => `!r${i}:hs.test`);
    assertMatrixError(await s.request('POST', url, { token: alice.accessToken, body: { room: { rooms } } }), 400, 'M_BAD_JSON', 'POST', url);
    const longType = { room: { timeline: { types: ['x'.repeat(256)] } } };
    assertMatrixError(await s.request('POST', url, { token: alice.accessToken, body: longType }), 400, 'M_BAD_JSON', 'POST', url);
    const big = { room: { timeline: { not_types: Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(255, 'x')) } } };
    assertMatrixError(await s.request('POST', url, { token: alice.accessToken, body: big }), 413, 'M_TOO_LARGE', 'POST', url);
    const fits = await s.request('POST', url, { token: alice.accessToken, body: { room: { rooms: rooms.slice(0, 1000) } } });
    assert.equal(fits.statusCode, 200, fits.body);

    const syncUrl = `${V3}/sync?filter=${encodeURIComponent(JSON.stringify({ room: { not_rooms: rooms } }))}`;
    assertMatrixError(await s.request('GET', syncUrl, { token: alice.accessToken }), 400, 'M_BAD_JSON', 'GET', `${V3}/sync`);
  });

  it('a body that is not a JSON object is 400 M_NOT_JSON', async () => {
    const res = await s.request('POST', filterUrl(alice), { token: alice.accessToken, payload: '[]', headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, 'M_NOT_JSON');
  });

  it('an unknown filter is 404 M_NOT_FOUND', async () => {
    const url = `${filterUrl(alice)}/999999`;
    const res = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().errcode, 'M_NOT_FOUND');
    assertSpecResponse(res, 'GET', url);
  });

  it("filters are per user: 403 under another user's ID, 404 for their filter ID under your own", async () => {
    const post = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body: FILTER });
    const filterId = post.json().filter_id as string;
    const asBob = await s.request('GET', `${filterUrl(alice)}/${filterId}`, { token: bob.accessToken });
    assert.equal(asBob.statusCode, 403);
    assert.equal(asBob.json().errcode, 'M_FORBIDDEN');
    const inBobsSpace = await s.request('GET', `${filterUrl(bob)}/${filterId}`, { token: bob.accessToken });
    assert.equal(inBobsSpace.statusCode, 404);
    assert.equal(inBobsSpace.json().errcode, 'M_NOT_FOUND');
    const upload = await s.request('POST', filterUrl(alice), { token: bob.accessToken, body: {} });
    assert.equal(upload.statusCode, 403);
    assert.equal(upload.json().errcode, 'M_FORBIDDEN');
  });

  it('an invalid user ID in the path is 400 M_INVALID_PARAM', async () => {
    const res = await s.request('POST', `${V3}/user/not-a-user/filter`, { token: alice.accessToken, body: {} });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().errcode, 'M_INVALID_PARAM');
  });

  it('stored filters are available to /sync as JSON', async () => {
    const post = await s.request('POST', filterUrl(alice), { token: alice.accessToken, body: FILTER });
    assert.deepEqual(await s.app.services.filters.stored(alice.userId, post.json().filter_id), FILTER);
    assert.equal(await s.app.services.filters.stored(bob.userId, post.json().filter_id), undefined);
  });
}, describe);
