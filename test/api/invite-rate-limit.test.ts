import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Invites are limited per inviter (`rate_limits.invite`, default 0.003/s, burst 5, as Synapse's
 * rc_invites): each invitee of `/invite` or of createRoom's `invite` takes a token, so neither a
 * burst of /invite calls nor one createRoom inviting many users gets past the burst. `/invite` also
 * takes from the room's bucket (`rate_limits.invite_room`, 0.3/s burst 10, Synapse's rc_invites.per_room).
 */
forEachBackend('invite rate limit (default settings)', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend, config: { rate_limits: { enabled: true } } });
  });
  after(() => s.close());

  const users = async (count: number): Promise<TestUser[]> => {
    const out: TestUser[] = [];
    for (let i = 0; i < count; i++) out.push(await s.createUser(`u${++n}`));
    return out;
  };
  const invite = (from: TestUser, roomId: string, to: TestUser) =>
    s.request('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`, { token: from.accessToken, body: { user_id: to.userId } });
  const membership = async (viewer: TestUser, roomId: string, user: TestUser) => {
    const res = await s.request('GET', `${V3}/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(user.userId)}`, { token: viewer.accessToken });
    return res.statusCode === 200 ? (res.json() as { membership: string }).membership : undefined;
  };

  it('/invite: five invites at once, the sixth is 429 M_LIMIT_EXCEEDED and invites nobody; a token returns after ~333 s', async () => {
    const r = rest(s);
    const [alice, ...targets] = await users(7);
    const roomId = await r.createRoom(alice!);
    for (const t of targets.slice(0, 5)) assert.equal((await invite(alice!, roomId, t)).statusCode, 200);
    const url = `${V3}/rooms/${encodeURIComponent(roomId)}/invite`;
    const refused = await invite(alice!, roomId, targets[5]!);
    assertMatrixError(refused, 429, 'M_LIMIT_EXCEEDED', 'POST', url);
    assert.equal(await membership(alice!, roomId, targets[5]!), undefined, 'not invited');
    // Another inviter has a bucket of its own.
    const [bob, carol] = await users(2);
    const bobsRoom = await r.createRoom(bob!);
    assert.equal((await invite(bob!, bobsRoom, carol!)).statusCode, 200);
    s.clock.advance(334_000);
    assert.equal((await invite(alice!, roomId, targets[5]!)).statusCode, 200);
    assert.equal(await membership(alice!, roomId, targets[5]!), 'invite');
  });

  it('/invite is limited per room too (rate_limits.invite_room, 0.3/s burst 10): a third inviter gets 429 M_LIMIT_EXCEEDED and keeps its own tokens', async () => {
    const r = rest(s);
    const [alice, bob, carol, ...targets] = await users(15);
    const roomId = await r.createRoom(alice!, { preset: 'public_chat', power_level_content_override: { invite: 0 } });
    await r.join(bob!, roomId);
    await r.join(carol!, roomId);
    for (const t of targets.slice(0, 5)) assert.equal((await invite(alice!, roomId, t)).statusCode, 200);
    for (const t of targets.slice(5, 10)) assert.equal((await invite(bob!, roomId, t)).statusCode, 200);
    const refused = await invite(carol!, roomId, targets[10]!);
    assertMatrixError(refused, 429, 'M_LIMIT_EXCEEDED', 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
    assert.equal(await membership(alice!, roomId, targets[10]!), undefined, 'not invited');
    // The refusal took nothing from carol's own bucket: five invites elsewhere still pass.
    const elsewhere = await r.createRoom(carol!);
    const more = await users(5);
    for (const t of more) assert.equal((await invite(carol!, elsewhere, t)).statusCode, 200);
    // The room's bucket refills at 0.3/s: empty for a fourth inviter now, one token after 4 s.
    const [dave] = await users(1);
    await r.join(dave!, roomId);
    assertMatrixError(await invite(dave!, roomId, targets[10]!), 429, 'M_LIMIT_EXCEEDED', 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
    s.clock.advance(4_000);
    assert.equal((await invite(dave!, roomId, targets[10]!)).statusCode, 200);
    assert.equal(await membership(alice!, roomId, targets[10]!), 'invite');
  });

  it('createRoom takes one token per invitee: six invitees are refused with 429 M_LIMIT_EXCEEDED and no room is made', async () => {
    const [dave, ...targets] = await users(7);
    const roomsBefore = (await s.request('GET', `${V3}/joined_rooms`, { token: dave!.accessToken })).json().joined_rooms;
    const res = await s.request('POST', `${V3}/createRoom`, { token: dave!.accessToken, body: { invite: targets.slice(0, 6).map((t) => t.userId) } });
    assertMatrixError(res, 429, 'M_LIMIT_EXCEEDED', 'POST', `${V3}/createRoom`);
    assert.deepEqual((await s.request('GET', `${V3}/joined_rooms`, { token: dave!.accessToken })).json().joined_rooms, roomsBefore);
    // Five fit, and use the bucket up: the next /invite waits.
    const ok = await s.request('POST', `${V3}/createRoom`, { token: dave!.accessToken, body: { invite: targets.slice(0, 5).map((t) => t.userId) } });
    assert.equal(ok.statusCode, 200, ok.body);
    const roomId = ok.json().room_id as string;
    assert.equal(await membership(dave!, roomId, targets[4]!), 'invite');
    assertMatrixError(await invite(dave!, roomId, targets[5]!), 429, 'M_LIMIT_EXCEEDED', 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
  });
}, describe);
