import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('auth rules see redacted state as redacted', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('a redacted v10 power-levels event loses `invite`: the default (0) applies again', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const carol = await s.createUser('carol');
    const roomId = await r.createRoom(alice, { preset: 'public_chat', room_version: '10', power_level_content_override: { invite: 100 } });
    await r.join(bob, roomId);
    const denied = await s.request('POST', `${V3}/rooms/${roomId}/invite`, { token: bob.accessToken, body: { user_id: carol.userId } });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().errcode, 'M_FORBIDDEN');

    const pl = await r.ok('GET', `${r.room(roomId)}/state/m.room.power_levels/?format=event`, alice);
    await r.ok('PUT', `${r.room(roomId)}/redact/${encodeURIComponent(pl.event_id)}/t1`, alice, {});
    const allowed = await s.request('POST', `${V3}/rooms/${roomId}/invite`, { token: bob.accessToken, body: { user_id: carol.userId } });
    assert.equal(allowed.statusCode, 200, allowed.body);
  });
});
