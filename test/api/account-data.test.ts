import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3, R0 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

forEachBackend('account data API', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const globalUrl = (user: TestUser, type: string) => `${V3}/user/${encodeURIComponent(user.userId)}/account_data/${encodeURIComponent(type)}`;
  const roomUrl = (user: TestUser, roomId: string, type: string) =>
    `${V3}/user/${encodeURIComponent(user.userId)}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`;

  it('PUT then GET global account data; a second PUT replaces it', async () => {
    const url = globalUrl(alice, 'org.example.config');
    const put = await s.request('PUT', url, { token: alice.accessToken, body: { theme: 'dark', size: 3 } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), {});
    assertSpecResponse(put, 'PUT', url);

    const get = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { theme: 'dark', size: 3 });
    assertSpecResponse(get, 'GET', url);

    await s.request('PUT', url, { token: alice.accessToken, body: { theme: 'light' } });
    const again = await s.request('GET', url, { token: alice.accessToken });
    assert.deepEqual(again.json(), { theme: 'light' });

    // Also under r0.
    const r0 = await s.request('GET', url.replace(V3, R0), { token: alice.accessToken });
    assert.equal(r0.statusCode, 200);
    assert.deepEqual(r0.json(), { theme: 'light' });
  });

  it('GET of a type never set is 404 M_NOT_FOUND', async () => {
    const url = globalUrl(alice, 'org.example.missing');
    const res = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().errcode, 'M_NOT_FOUND');
    assertSpecResponse(res, 'GET', url);
  });

  it("another user's account data is 403 M_FORBIDDEN, both ways", async () => {
    const url = globalUrl(alice, 'org.example.config');
    const get = await s.request('GET', url, { token: bob.accessToken });
    assert.equal(get.statusCode, 403);
    assert.equal(get.json().errcode, 'M_FORBIDDEN');
    assertSpecResponse(get, 'GET', url);
    const put = await s.request('PUT', url, { token: bob.accessToken, body: { x: 1 } });
    assert.equal(put.statusCode, 403);
    assert.equal(put.json().errcode, 'M_FORBIDDEN');
    assertSpecResponse(put, 'PUT', url);
    const room = await s.request('PUT', roomUrl(alice, '!r:hs.test', 'org.example'), { token: bob.accessToken, body: {} });
    assert.equal(room.statusCode, 403);
    assert.equal(room.json().errcode, 'M_FORBIDDEN');
  });

  it('m.fully_read and m.push_rules cannot be set here: 405 M_BAD_JSON', async () => {
    for (const url of [globalUrl(alice, 'm.fully_read'), globalUrl(alice, 'm.push_rules'), roomUrl(alice, '!r:hs.test', 'm.fully_read')]) {
      const res = await s.request('PUT', url, { token: alice.accessToken, body: { event_id: '$x' } });
      assert.equal(res.statusCode, 405, url);
      assert.equal(res.json().errcode, 'M_BAD_JSON', url);
      assertSpecResponse(res, 'PUT', url);
    }
  });

  it('GET m.push_rules returns the merged push rules', async () => {
    const url = globalUrl(alice, 'm.push_rules');
    const res = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().global.override.some((r: { rule_id: string }) => r.rule_id === '.m.rule.master'));
    assertSpecResponse(res, 'GET', url);
  });

  it('bodies must be JSON objects: 400 M_NOT_JSON', async () => {
    const url = globalUrl(alice, 'org.example.config');
    for (const payload of ['[1,2]', 'not json', '"text"']) {
      const res = await s.request('PUT', url, { token: alice.accessToken, payload, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, payload);
      assert.equal(res.json().errcode, 'M_NOT_JSON', payload);
      assertSpecResponse(res, 'PUT', url);
    }
  });

  it('per-room account data is separate from global and from other rooms', async () => {
    const r = rest(s);
    const roomId = await r.createRoom(alice);
    const url = roomUrl(alice, roomId, 'm.tag');
    const put = await s.request('PUT', url, { token: alice.accessToken, body: { tags: { 'm.favourite': { order: 0.5 } } } });
    assert.equal(put.statusCode, 200, put.body);
    assertSpecResponse(put, 'PUT', url);
    const get = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { tags: { 'm.favourite': { order: 0.5 } } });
    assertSpecResponse(get, 'GET', url);

    const global = await s.request('GET', globalUrl(alice, 'm.tag'), { token: alice.accessToken });
    assert.equal(global.statusCode, 404);
    const otherRoom = roomUrl(alice, '!other:hs.test', 'm.tag');
    const other = await s.request('GET', otherRoom, { token: alice.accessToken });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().errcode, 'M_NOT_FOUND');
    assertSpecResponse(other, 'GET', otherRoom);
  });

  it('an invalid room ID is 400 M_INVALID_PARAM', async () => {
    const url = roomUrl(alice, '@notaroom:hs.test', 'm.tag');
    const get = await s.request('GET', url, { token: alice.accessToken });
    assert.equal(get.statusCode, 400);
    assert.equal(get.json().errcode, 'M_INVALID_PARAM');
    assertSpecResponse(get, 'GET', url);
    const put = await s.request('PUT', url, { token: alice.accessToken, body: {} });
    assert.equal(put.statusCode, 400);
    assert.equal(put.json().errcode, 'M_INVALID_PARAM');
    assertSpecResponse(put, 'PUT', url);
  });

  it('needs an access token', async () => {
    const res = await s.request('GET', globalUrl(alice, 'org.example.config'));
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().errcode, 'M_MISSING_TOKEN');
  });

  it('writes wake /sync through the notifier, after commit, with the account data position', async () => {
    const waiting = s.app.services.notifier.wait((c) => c.userIds?.includes(alice.userId) ?? false, 5000);
    await s.request('PUT', globalUrl(alice, 'org.example.wake'), { token: alice.accessToken, body: { a: 1 } });
    const change = await waiting;
    assert.ok(change);
    const pos = await s.app.store.counters.current('account_data');
    assert.equal(change.pos, pos);
    const rows = await s.app.store.accountData.changedSince(alice.userId, pos - 1);
    assert.deepEqual(rows.map((r) => r.type), ['org.example.wake']);
  });

  it('the changes feed for /sync: global and per room, m.push_rules live', async () => {
    const svc = s.app.services.accountData;
    const all = await svc.changes(alice.userId, undefined);
    const types = all.global.map((e) => e.type);
    assert.ok(types.includes('org.example.config'));
    assert.ok(types.includes('m.push_rules'));
    assert.equal([...all.rooms.values()].flat().filter((e) => e.type === 'm.tag').length, 1);
    const now = await s.app.store.counters.current('account_data');
    const none = await svc.changes(alice.userId, now);
    assert.deepEqual(none.global, []);
    assert.equal(none.rooms.size, 0);
  });
}, describe);
