// Synapse's event reports admin API (issue 19): the reports users made of events, for the admins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const REPORTS = '/_synapse/admin/v1/event_reports';
const enc = encodeURIComponent;

forEachBackend('admin API: event reports', (backend) => {
  let s: TestServer;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let roomId: string;
  let first: string;
  let second: string;
  before(async () => {
    s = await startTestServer({ backend });
    admin = await s.createUser('root', { admin: true });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
    carol = await s.createUser('carol');
    const r = rest(s);
    roomId = await r.createRoom(alice, { preset: 'public_chat', name: 'Reported', room_alias_name: 'reported' });
    await r.join(bob, roomId);
    await r.join(carol, roomId);
    first = await r.send(alice, roomId, 'first');
    second = await r.send(alice, roomId, 'second');
    const report = async (as: TestUser, url: string, body: unknown) => {
      const res = await s.request('POST', url, { token: as.accessToken, body });
      assert.equal(res.statusCode, 200, res.body);
    };
    await report(bob, `${V3}/rooms/${enc(roomId)}/report/${enc(first)}`, { reason: 'spam', score: -100 });
    await report(bob, `${V3}/rooms/${enc(roomId)}/report/${enc(second)}`, {});
    // Reports of rooms and users are not event reports: never listed here.
    await report(carol, `${V3}/rooms/${enc(roomId)}/report`, { reason: 'whole room' });
    await report(carol, `${V3}/rooms/${enc(roomId)}/report/${enc(second)}`, { reason: 'me too', score: -10 });
  });
  after(() => s.close());

  const call = (method: 'GET' | 'DELETE', path: string, user: TestUser) => s.request(method, path, { token: user.accessToken });
  const ok = async (method: 'GET' | 'DELETE', path: string): Promise<Body> => {
    const res = await call(method, path, admin);
    assert.equal(res.statusCode, 200, `${method} ${path}: ${res.body}`);
    return res.json();
  };
  const page = async (query: string) => {
    const answer = await ok('GET', `${REPORTS}${query}`);
    return { ...answer, event_reports: (answer.event_reports as Body[]).map((x) => [x.event_id, x.user_id]) };
  };

  it('refuses a user who is not a server admin: 403 M_FORBIDDEN, and deletes nothing', async () => {
    const [report] = (await ok('GET', REPORTS)).event_reports as Body[];
    for (const [method, path, route] of [['GET', REPORTS, REPORTS], ['GET', `${REPORTS}/${report.id}`, `${REPORTS}/{reportId}`], ['DELETE', `${REPORTS}/${report.id}`, `${REPORTS}/{reportId}`]] as const) {
      assertMatrixError(await call(method, path, bob), 403, 'M_FORBIDDEN', method, route);
    }
    assert.equal((await ok('GET', REPORTS)).total, 3);
  });

  it('GET lists event reports newest first with the room name, alias and the sender, in Synapse\'s shape', async () => {
    const answer = await ok('GET', REPORTS);
    assert.equal(answer.total, 3);
    assert.equal(answer.next_token, undefined, 'no more pages');
    const reports = answer.event_reports as Body[];
    assert.deepEqual(reports.map((x) => [x.event_id, x.user_id, x.reason, x.score]),
      [[second, carol.userId, 'me too', -10], [second, bob.userId, null, null], [first, bob.userId, 'spam', -100]]);
    const stored = await s.app.store.reports.get(reports[2].id as number);
    assert.deepEqual(reports[2], {
      id: stored!.id, received_ts: stored!.receivedTs, room_id: roomId, name: 'Reported', canonical_alias: '#reported:hs.test',
      event_id: first, user_id: bob.userId, reason: 'spam', score: -100, sender: alice.userId,
    });
  });

  it('from, limit and dir page through them with next_token; user_id and room_id filter them', async () => {
    assert.deepEqual(await page('?limit=2&dir=f'), { event_reports: [[first, bob.userId], [second, bob.userId]], total: 3, next_token: 2 });
    assert.deepEqual(await page('?limit=2&dir=f&from=2'), { event_reports: [[second, carol.userId]], total: 3 });
    assert.deepEqual(await page(`?user_id=${enc('carol')}`), { event_reports: [[second, carol.userId]], total: 1 });
    assert.deepEqual(await page(`?room_id=${enc(roomId)}&user_id=bob&limit=1`), { event_reports: [[second, bob.userId]], total: 2, next_token: 1 });
    assert.deepEqual(await page(`?room_id=${enc('!nowhere')}`), { event_reports: [], total: 0 });
    // LIKE's wildcards match literally.
    for (const filter of ['%', '_']) assert.deepEqual(await page(`?user_id=${enc(filter)}`), { event_reports: [], total: 0 }, filter);
    for (const query of ['?limit=-1', '?from=x', '?dir=up', '?user_id=a%00b']) {
      assertMatrixError(await call('GET', `${REPORTS}${query}`, admin), 400, 'M_INVALID_PARAM', 'GET', REPORTS);
    }
  });

  it('GET one report by ID adds the event; DELETE removes it; a room report or an unknown ID is 404', async () => {
    const [newest] = (await ok('GET', REPORTS)).event_reports as Body[];
    const one = await ok('GET', `${REPORTS}/${newest.id}`);
    const { event_json: event, ...entry } = one;
    assert.deepEqual(entry, newest);
    assert.deepEqual([event.type, event.room_id, event.sender, event.content.body], ['m.room.message', roomId, alice.userId, 'second']);

    const roomReport = (await s.app.store.reports.list({ limit: 10 })).find((x) => x.target.kind === 'room');
    for (const id of [roomReport!.id, 999_999]) {
      for (const method of ['GET', 'DELETE'] as const) {
        assertMatrixError(await call(method, `${REPORTS}/${id}`, admin), 404, 'M_NOT_FOUND', method, `${REPORTS}/{reportId}`);
      }
    }
    assertMatrixError(await call('GET', `${REPORTS}/abc`, admin), 400, 'M_INVALID_PARAM', 'GET', `${REPORTS}/{reportId}`);

    assert.deepEqual(await ok('DELETE', `${REPORTS}/${newest.id}`), {});
    assertMatrixError(await call('GET', `${REPORTS}/${newest.id}`, admin), 404, 'M_NOT_FOUND', 'GET', `${REPORTS}/{reportId}`);
    assert.deepEqual(await page(''), { event_reports: [[second, bob.userId], [first, bob.userId]], total: 2 });
    assert.ok(await s.app.store.reports.get(roomReport!.id), 'the room report is left alone');
  });
}, describe);
