import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rest, V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('LEAVING.md: rate limiting of leave and forget (default settings)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { rate_limits: { enabled: true } } });
  });
  after(() => s.close());

  it('a user leaves a space of 100 rooms at once without a 429; beyond the limit 429 with retry_after_ms and Retry-After; admins exempt', async () => {
    const r = rest(s);
    const admin = await s.createUser('admin', { admin: true });
    const user = await s.createUser('member');
    const rooms: string[] = [];
    for (let i = 0; i < 100; i++) rooms.push(await r.createRoom(admin, { preset: 'public_chat' }));
    for (const roomId of rooms) await r.join(user, roomId);
    // The joins happened over time; a minute later the user leaves everything at once.
    s.clock.advance(60_000);

    const leaves = await Promise.all(rooms.map((roomId) => s.request('POST', `${V3}/rooms/${roomId}/leave`, { token: user.accessToken, body: {} })));
    assert.deepEqual([...new Set(leaves.map((res) => res.statusCode))], [200]);

    const forgets = await Promise.all(rooms.map((roomId) => s.request('POST', `${V3}/rooms/${roomId}/forget`, { token: user.accessToken, body: {} })));
    const limited = forgets.filter((res) => res.statusCode === 429);
    assert.ok(limited.length > 0, 'the bucket (burst 150) runs out within 200 operations');
    assert.equal(forgets.filter((res) => res.statusCode === 200).length + limited.length, 100);
    const one = limited[0]!;
    assert.equal(one.json().errcode, 'M_LIMIT_EXCEEDED');
    assert.ok(Number.isInteger(one.json().retry_after_ms) && one.json().retry_after_ms > 0);
    assert.equal(one.headers['retry-after'], String(Math.ceil(one.json().retry_after_ms / 1000)));
    assertSpecResponse(one, 'POST', `${V3}/rooms/${rooms[0]}/forget`);

    s.clock.advance(one.json().retry_after_ms);
    const retried = await s.request('POST', `${V3}/rooms/${rooms[99]}/forget`, { token: user.accessToken, body: {} });
    assert.equal(retried.statusCode, 200);

    const adminOps = await Promise.all(rooms.map((roomId) => s.request('POST', `${V3}/rooms/${roomId}/leave`, { token: admin.accessToken, body: {} })));
    assert.deepEqual([...new Set(adminOps.map((res) => res.statusCode))], [200]);
  });
});
