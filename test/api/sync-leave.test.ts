import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const INCLUDE_LEAVE = `filter=${encodeURIComponent(JSON.stringify({ room: { include_leave: true } }))}`;

forEachBackend('LEAVING.md: /sync and left rooms', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let r: ReturnType<typeof rest>;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  async function roomWith(bob: TestUser, history = 'shared') {
    const roomId = await r.createRoom(alice, { preset: 'public_chat', initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: history } }] });
    await r.join(bob, roomId);
    return roomId;
  }

  it('rooms.leave holds a left room with state and timeline up to the leave; own leave event in its timeline', async () => {
    const bob = await s.createUser('bob1');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    assert.ok(first.rooms.join[roomId]);
    await r.send(alice, roomId, 'before');
    await r.leave(bob, roomId, { reason: 'bye' });
    await r.send(alice, roomId, 'after');
    const next = await sync(s, bob, `since=${first.next_batch}`);
    const left = next.rooms.leave[roomId];
    assert.ok(left, 'leave entry present without include_leave');
    const events = left.timeline.events;
    const last = events[events.length - 1];
    assert.equal(last.type, 'm.room.member');
    assert.equal(last.state_key, bob.userId);
    assert.equal(last.content.membership, 'leave');
    assert.equal(last.content.reason, 'bye');
    assert.ok(events.some((e: { content: { body?: string } }) => e.content.body === 'before'));
    assert.ok(!events.some((e: { content: { body?: string } }) => e.content.body === 'after'));
    assert.equal(next.rooms.join[roomId], undefined);
  });

  it('incremental: older leaves are not repeated', async () => {
    const bob = await s.createUser('bob2');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    await r.leave(bob, roomId);
    const second = await sync(s, bob, `since=${first.next_batch}`);
    assert.ok(second.rooms.leave[roomId]);
    await r.send(alice, roomId, 'more chatter');
    const third = await sync(s, bob, `since=${second.next_batch}`);
    assert.equal(third.rooms.leave[roomId], undefined);
    assert.equal(third.rooms.join[roomId], undefined);
  });

  it('incremental: a leave since `since` is delivered even if the room was forgotten since', async () => {
    const bob = await s.createUser('bob3');
    const roomId = await roomWith(bob);
    const first = await sync(s, bob);
    await r.leave(bob, roomId);
    await r.forget(bob, roomId);
    const next = await sync(s, bob, `since=${first.next_batch}`);
    assert.ok(next.rooms.leave[roomId], 'the other device still learns of the leave');
  });

  it('initial: self-left rooms only with include_leave; forgotten rooms never', async () => {
    const bob = await s.createUser('bob4');
    const roomId = await roomWith(bob);
    await r.leave(bob, roomId);
    assert.equal((await sync(s, bob)).rooms.leave[roomId], undefined);
    assert.ok((await sync(s, bob, INCLUDE_LEAVE)).rooms.leave[roomId]);
    await r.forget(bob, roomId);
    assert.equal((await sync(s, bob, INCLUDE_LEAVE)).rooms.leave[roomId], undefined);
  });

  it('initial: kicks and bans are always included', async () => {
    const bob = await s.createUser('bob5');
    const carl = await s.createUser('carl5');
    const kicked = await roomWith(bob);
    const banned = await roomWith(carl);
    await r.kick(alice, kicked, bob, 'out');
    await r.ban(alice, banned, carl);
    const bobSync = await sync(s, bob);
    assert.equal(bobSync.rooms.leave[kicked].timeline.events.at(-1).content.reason, 'out');
    const carlSync = await sync(s, carl);
    assert.equal(carlSync.rooms.leave[banned].timeline.events.at(-1).content.membership, 'ban');
  });

  it('a rejected invite appears in leave with the leave event, even under `joined` history visibility', async () => {
    const bob = await s.createUser('bob6');
    const roomId = await r.createRoom(alice, { preset: 'private_chat', initial_state: [{ type: 'm.room.history_visibility', content: { history_visibility: 'joined' } }] });
    await r.send(alice, roomId, 'secret');
    await r.invite(alice, roomId, bob);
    const first = await sync(s, bob);
    assert.ok(first.rooms.invite[roomId]);
    const inviteState = first.rooms.invite[roomId].invite_state.events;
    assert.ok(inviteState.some((e: { type: string; state_key: string }) => e.type === 'm.room.member' && e.state_key === bob.userId));
    await r.leave(bob, roomId);
    const next = await sync(s, bob, `since=${first.next_batch}`);
    const events = next.rooms.leave[roomId].timeline.events;
    assert.equal(events.at(-1).content.membership, 'leave');
    assert.ok(!events.some((e: { content: { body?: string } }) => e.content.body === 'secret'));
    assert.deepEqual(next.rooms.leave[roomId].state.events, []);
  });
}, describe);

describe('/sync basics', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('a long-poll returns when another user leaves, and times out empty otherwise', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    const first = await sync(s, alice);
    const pending = s.request('GET', `${V3}/sync?since=${first.next_batch}&timeout=20000`, { token: alice.accessToken });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await r.leave(bob, roomId, { reason: 'off to bed' });
    const res = await pending;
    assert.equal(res.statusCode, 200);
    const timeline = res.json().rooms.join[roomId].timeline.events;
    assert.equal(timeline.at(-1).content.reason, 'off to bed');

    const idle = await s.request('GET', `${V3}/sync?since=${res.json().next_batch}&timeout=50`, { token: alice.accessToken });
    assert.equal(idle.statusCode, 200);
    assert.deepEqual(idle.json().rooms.join, {});
  });

  it('invalid since -> 400; invalid inline filter -> 400 M_BAD_JSON', async () => {
    const u = await s.createUser('tok');
    const bad = await s.request('GET', `${V3}/sync?since=garbage`, { token: u.accessToken });
    assert.equal(bad.statusCode, 400);
    const filter = await s.request('GET', `${V3}/sync?filter=${encodeURIComponent('{"room":{"timeline":{"limit":"x"}}}')}`, { token: u.accessToken });
    assert.equal(filter.statusCode, 400);
    assert.equal(filter.json().errcode, 'M_BAD_JSON');
  });
});
