import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const ENTRIES = 3;

forEachBackend('room tags (m.tag)', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend, config: { quotas: { account_data_entries: ENTRIES } } });
    r = rest(s);
  });
  after(() => s.close());
  const user = (name: string) => s.createUser(`${name}-${++n}`);
  const enc = encodeURIComponent;
  const tagsUrl = (u: TestUser, roomId: string) => `${V3}/user/${enc(u.userId)}/rooms/${enc(roomId)}/tags`;
  const tagUrl = (u: TestUser, roomId: string, tag: string) => `${tagsUrl(u, roomId)}/${enc(tag)}`;

  async function call(method: 'GET' | 'PUT' | 'DELETE', url: string, as: TestUser, body?: unknown) {
    return s.request(method, url, { token: as.accessToken, ...(body === undefined ? {} : { body }) });
  }
  async function ok(method: 'GET' | 'PUT' | 'DELETE', url: string, as: TestUser, body?: unknown) {
    const res = await call(method, url, as, body);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, method, url);
    return res.json();
  }
  const tagEvents = (body: { rooms?: { join?: Record<string, { account_data?: { events: Array<{ type: string; content: unknown }> } }> } }, roomId: string) =>
    body.rooms?.join?.[roomId]?.account_data?.events.filter((e) => e.type === 'm.tag').map((e) => e.content) ?? [];

  it('PUT adds a tag (with its order), GET lists them, DELETE removes one; /sync delivers them as m.tag room account data', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice);
    assert.deepEqual(await ok('GET', tagsUrl(alice, roomId), alice), { tags: {} });
    const since = (await sync(s, alice)).next_batch;
    assert.deepEqual(await ok('PUT', tagUrl(alice, roomId, 'u.work'), alice, { order: 0.25 }), {});
    assert.deepEqual(await ok('PUT', tagUrl(alice, roomId, 'm.favourite'), alice, {}), {});
    assert.deepEqual(await ok('GET', tagsUrl(alice, roomId), alice), { tags: { 'u.work': { order: 0.25 }, 'm.favourite': {} } });
    assert.deepEqual(tagEvents(await sync(s, alice, { since }), roomId), [{ tags: { 'u.work': { order: 0.25 }, 'm.favourite': {} } }]);
    assert.deepEqual(await ok('DELETE', tagUrl(alice, roomId, 'u.work'), alice), {});
    assert.deepEqual(await ok('DELETE', tagUrl(alice, roomId, 'u.never-set'), alice), {}, 'removing an absent tag is fine');
    assert.deepEqual(await ok('GET', tagsUrl(alice, roomId), alice), { tags: { 'm.favourite': {} } });
    assert.deepEqual(tagEvents(await sync(s, alice), roomId), [{ tags: { 'm.favourite': {} } }]);
  });

  it('another user\'s tags are 403 M_FORBIDDEN, read or written', async () => {
    const alice = await user('alice');
    const mallory = await user('mallory');
    const roomId = await r.createRoom(alice);
    await ok('PUT', tagUrl(alice, roomId, 'u.mine'), alice, {});
    for (const [method, url] of [['GET', tagsUrl(alice, roomId)], ['PUT', tagUrl(alice, roomId, 'u.x')], ['DELETE', tagUrl(alice, roomId, 'u.mine')]] as const) {
      assertMatrixError(await call(method, url, mallory, method === 'PUT' ? {} : undefined), 403, 'M_FORBIDDEN', method, url);
    }
    assert.deepEqual(await ok('GET', tagsUrl(alice, roomId), alice), { tags: { 'u.mine': {} } });
  });

  it('a tag name is at most 255 bytes; order is a number from 0 to 1', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice);
    const longest = `u.${'é'.repeat(126)}x`; // 2 + 252 + 1 bytes
    assert.equal(Buffer.byteLength(longest), 255);
    await ok('PUT', tagUrl(alice, roomId, longest), alice, {});
    const tooLong = `${longest}x`;
    assertMatrixError(await call('PUT', tagUrl(alice, roomId, tooLong), alice, {}), 400, 'M_INVALID_PARAM', 'PUT', tagUrl(alice, roomId, tooLong));
    for (const order of [1.5, -0.1, 'high']) {
      assertMatrixError(await call('PUT', tagUrl(alice, roomId, 'u.o'), alice, { order }), 400, 'M_BAD_JSON', 'PUT', tagUrl(alice, roomId, 'u.o'));
    }
    assert.deepEqual(Object.keys((await ok('GET', tagsUrl(alice, roomId), alice)).tags), [longest]);
  });

  it('tags count against the account data quota: a new room\'s tags past it are 403 M_USER_LIMIT_EXCEEDED', async () => {
    const alice = await user('alice');
    const rooms = [];
    for (let i = 0; i <= ENTRIES; i++) rooms.push(await r.createRoom(alice));
    for (const roomId of rooms.slice(0, ENTRIES)) await ok('PUT', tagUrl(alice, roomId, 'u.t'), alice, {});
    const url = tagUrl(alice, rooms[ENTRIES]!, 'u.t');
    assertMatrixError(await call('PUT', url, alice, {}), 403, 'M_USER_LIMIT_EXCEEDED', 'PUT', url);
    assert.deepEqual(await ok('GET', tagsUrl(alice, rooms[ENTRIES]!), alice), { tags: {} });
  });

  it('forgetting keeps the tags but /sync no longer shows the room; rejoining brings them back', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    await ok('PUT', tagUrl(bob, roomId, 'm.lowpriority'), bob, { order: 1 });
    await r.leave(bob, roomId);
    await r.forget(bob, roomId);
    const initial = await sync(s, bob, 'filter=%7B%22room%22%3A%7B%22include_leave%22%3Atrue%7D%7D');
    assert.equal(initial.rooms?.leave?.[roomId], undefined);
    assert.deepEqual(tagEvents(initial, roomId), []);
    assert.deepEqual(await ok('GET', tagsUrl(bob, roomId), bob), { tags: { 'm.lowpriority': { order: 1 } } });
    await r.join(bob, roomId);
    assert.deepEqual(tagEvents(await sync(s, bob), roomId), [{ tags: { 'm.lowpriority': { order: 1 } } }]);
  });
}, describe);
