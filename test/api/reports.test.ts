import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/storage/store.js';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

forEachBackend('reporting events, rooms and users', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());
  const user = (name: string) => s.createUser(`${name}-${++n}`);
  const enc = encodeURIComponent;
  const eventUrl = (roomId: string, eventId: string) => `${V3}/rooms/${enc(roomId)}/report/${enc(eventId)}`;
  const roomUrl = (roomId: string) => `${V3}/rooms/${enc(roomId)}/report`;
  const userUrl = (userId: string) => `${V3}/users/${enc(userId)}/report`;
  const post = (url: string, as: TestUser, body: unknown) => s.request('POST', url, { token: as.accessToken, body });
  async function ok(url: string, as: TestUser, body: unknown): Promise<void> {
    const res = await post(url, as, body);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', url);
    assert.deepEqual(res.json(), {});
  }
  const latest = async (): Promise<Report | undefined> => (await s.app.store.reports.list({ limit: 1 }))[0];

  it('an event in a joined room: stored with reporter, target, reason, score and time', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const eventId = await r.send(alice, roomId, 'offensive');
    await ok(eventUrl(roomId, eventId), bob, { reason: 'rude', score: -80 });
    const { id: _id, ...report } = (await latest())!;
    assert.deepEqual(report, { reporter: bob.userId, target: { kind: 'event', roomId, eventId }, reason: 'rude', score: -80, receivedTs: s.clock.now() });
    await ok(eventUrl(roomId, eventId), bob, {});
    assert.deepEqual([(await latest())!.reason, (await latest())!.score], [null, null]);
  });

  it('404 M_NOT_FOUND alike for an unknown event, one of another room, one the reporter cannot see, and a reporter not joined', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const stranger = await user('stranger');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }] });
    const other = await r.createRoom(alice, { preset: 'public_chat' });
    const hidden = await r.send(alice, roomId, 'before bob joined');
    await r.join(bob, roomId);
    const visible = await r.send(alice, roomId, 'after bob joined');
    const elsewhere = await r.send(alice, other, 'in another room');
    const before = (await s.app.store.reports.list({ limit: 100 })).length;
    const cases: Array<[TestUser, string]> = [[bob, '$unknown:hs'], [bob, elsewhere], [bob, hidden], [stranger, visible]];
    const errors = [];
    for (const [as, eventId] of cases) errors.push(assertMatrixError(await post(eventUrl(roomId, eventId), as, { reason: 'x' }), 404, 'M_NOT_FOUND', 'POST', eventUrl(roomId, eventId)).error);
    assert.equal(new Set(errors).size, 1, 'the same answer, whatever the reason');
    await r.leave(bob, roomId);
    assertMatrixError(await post(eventUrl(roomId, visible), bob, {}), 404, 'M_NOT_FOUND', 'POST', eventUrl(roomId, visible));
    assert.equal((await s.app.store.reports.list({ limit: 100 })).length, before, 'nothing stored');
  });

  it('a room: anyone may report one that exists; an unknown room is 404', async () => {
    const alice = await user('alice');
    const stranger = await user('stranger');
    const roomId = await r.createRoom(alice);
    await ok(roomUrl(roomId), stranger, { reason: '' });
    const { id: _id, ...report } = (await latest())!;
    assert.deepEqual(report, { reporter: stranger.userId, target: { kind: 'room', roomId }, reason: '', score: null, receivedTs: s.clock.now() });
    assertMatrixError(await post(roomUrl('!nowhere:hs'), stranger, { reason: 'x' }), 404, 'M_NOT_FOUND', 'POST', roomUrl('!nowhere:hs'));
  });

  it('a user: a local user must exist; one of another server is taken as given', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await ok(userUrl(bob.userId), alice, { reason: 'spam' });
    assert.deepEqual((await latest())!.target, { kind: 'user', userId: bob.userId });
    const ghost = `@ghost-${n}:${bob.userId.slice(bob.userId.indexOf(':') + 1)}`;
    assertMatrixError(await post(userUrl(ghost), alice, { reason: 'x' }), 404, 'M_NOT_FOUND', 'POST', userUrl(ghost));
    await ok(userUrl('@someone:elsewhere.example'), alice, { reason: 'spam' });
    assert.deepEqual((await latest())!.target, { kind: 'user', userId: '@someone:elsewhere.example' });
  });

  it('refuses a reason over 1,000 characters or with U+0000, a score outside -100..0, and a missing reason', async () => {
    const alice = await user('alice');
    const roomId = await r.createRoom(alice);
    const eventId = await r.send(alice, roomId, 'hello');
    await ok(eventUrl(roomId, eventId), alice, { reason: 'x'.repeat(1000) });
    for (const body of [{ reason: 'x'.repeat(1001) }, { reason: 'a\u0000b' }, { score: 5 }, { score: -101 }]) {
      assertMatrixError(await post(eventUrl(roomId, eventId), alice, body), 400, 'M_BAD_JSON', 'POST', eventUrl(roomId, eventId));
    }
    assertMatrixError(await post(roomUrl(roomId), alice, {}), 400, 'M_MISSING_PARAM', 'POST', roomUrl(roomId));
    assertMatrixError(await post(userUrl(alice.userId), alice, { reason: 'y'.repeat(1001) }), 400, 'M_BAD_JSON', 'POST', userUrl(alice.userId));
  });
}, describe);

forEachBackend('reports are rate-limited (the message limiter)', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, config: { rate_limits: { enabled: true, message: { per_second: 0.001, burst: 2 } } } });
  });
  after(() => s.close());

  it('past the burst: 429 M_LIMIT_EXCEEDED, and nothing stored', async () => {
    const alice = await s.createUser('alice');
    const url = `${V3}/users/${encodeURIComponent(alice.userId)}/report`;
    for (let i = 0; i < 2; i++) assert.equal((await s.request('POST', url, { token: alice.accessToken, body: { reason: 'r' } })).statusCode, 200);
    assertMatrixError(await s.request('POST', url, { token: alice.accessToken, body: { reason: 'r' } }), 429, 'M_LIMIT_EXCEEDED', 'POST', url);
    assert.equal((await s.app.store.reports.list({ limit: 10 })).length, 2);
  });
}, describe);
