// One user floods membership endpoints under the default rate limits: they get 429 with
// Retry-After, while another user's requests keep succeeding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('flood: one user hammering membership endpoints (default rate limits)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { rate_limits: { enabled: true } } });
  });
  after(() => s.close());

  it('the flooder gets 429 M_LIMIT_EXCEEDED with Retry-After; another user is unaffected (all 200)', async () => {
    const r = rest(s);
    const owner = await s.createUser('owner');
    const flooder = await s.createUser('flooder');
    const other = await s.createUser('other');
    const roomId = await r.createRoom(owner, { preset: 'public_chat' });
    const otherRooms: string[] = [];
    for (let i = 0; i < 5; i++) otherRooms.push(await r.createRoom(owner, { preset: 'public_chat' }));
    const room = (id: string) => `${V3}/rooms/${encodeURIComponent(id)}`;

    // 300 joins/leaves as fast as possible (no clock advance: no refill), interleaved with the
    // other user's ordinary membership changes and messages.
    const flood = Array.from({ length: 300 }, (_, i) =>
      s.request('POST', `${room(roomId)}/${i % 2 === 0 ? 'join' : 'leave'}`, { token: flooder.accessToken, body: {} }));
    const others: Array<Promise<{ statusCode: number }>> = [];
    for (const id of otherRooms) {
      others.push(s.request('POST', `${room(id)}/join`, { token: other.accessToken, body: {} }));
    }
    const floodResults = await Promise.all(flood);
    const otherJoins = await Promise.all(others);
    const otherAfter = [];
    for (const [i, id] of otherRooms.entries()) {
      otherAfter.push(await s.request('PUT', `${room(id)}/send/m.room.message/o${i}`, { token: other.accessToken, body: { msgtype: 'm.text', body: 'still here' } }));
      otherAfter.push(await s.request('POST', `${room(id)}/leave`, { token: other.accessToken, body: {} }));
    }

    const statuses = floodResults.map((res) => res.statusCode);
    const limited = floodResults.filter((res) => res.statusCode === 429);
    // The membership bucket holds 150: the rest of the 300 are refused.
    assert.equal(limited.length, 150, `statuses: ${JSON.stringify([...new Set(statuses)])}`);
    assert.ok(statuses.every((c) => c === 200 || c === 429 || c === 403), `only 200/429 (403 for a leave that raced a refused join): ${[...new Set(statuses)]}`);
    for (const res of limited) {
      const body = res.json();
      assert.equal(body.errcode, 'M_LIMIT_EXCEEDED');
      assert.ok(Number.isInteger(body.retry_after_ms) && body.retry_after_ms > 0);
      assert.equal(res.headers['retry-after'], String(Math.ceil(body.retry_after_ms / 1000)));
    }
    assert.deepEqual([...new Set([...otherJoins, ...otherAfter].map((res) => res.statusCode))], [200]);

    // Once the bucket refills the flooder is served again.
    s.clock.advance(Math.max(...limited.map((res) => res.json().retry_after_ms as number)));
    const again = await s.request('POST', `${room(roomId)}/join`, { token: flooder.accessToken, body: {} });
    assert.equal(again.statusCode, 200);
  });
});
