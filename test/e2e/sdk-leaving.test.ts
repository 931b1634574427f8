// End-to-end: the real matrix-js-sdk 37.5.0 client against a listening Hearth, for leaving,
// rejecting invites, kicks, bans and forgetting rooms (docs/LEAVING.md). Every wait is
// bounded (10 s per wait, 20 s for PREPARED) and every client started here is stopped in `after`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientEvent, HistoryVisibility, Method, Preset, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import {
  sdkClientLogged,
  sdkLogin,
  startAndWaitPrepared,
  waitForMembership,
  waitForMyMembership,
  waitForTimelineEvent,
  type HttpProblem,
} from '../helpers/sdk-client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const isMemberEvent = (userId: string, membership: string) => (e: MatrixEvent) =>
  e.getType() === 'm.room.member' && e.getStateKey() === userId && e.getContent().membership === membership;

const isMessage = (body: string) => (e: MatrixEvent) => e.getType() === 'm.room.message' && e.getContent().body === body;

/** The error an SDK call rejected with (fails if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<{ httpStatus?: number; errcode?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { httpStatus?: number; errcode?: string };
  }
  assert.fail('the request was expected to fail');
}

/**
 * Resolves once the client has processed a /sync that came after this call: it writes a unique
 * account-data event and waits for its echo (bounded: 10 s).
 */
async function syncBarrier(client: MatrixClient): Promise<void> {
  const type = 'org.hearth.test.barrier';
  const nonce = `${Date.now()}-${Math.random()}`;
  const seen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(ClientEvent.AccountData, onData);
      reject(new Error('sync barrier: account data echo did not arrive'));
    }, 10_000);
    const onData = (event: MatrixEvent) => {
      if (event.getType() === type && event.getContent().nonce === nonce) {
        clearTimeout(timer);
        client.off(ClientEvent.AccountData, onData);
        resolve();
      }
    };
    client.on(ClientEvent.AccountData, onData);
  });
  await client.setAccountData(type as never, { nonce } as never);
  await seen;
}

const roomPath = (roomId: string, action: string) => `/rooms/${encodeURIComponent(roomId)}/${action}`;

forEachBackend('matrix-js-sdk 37.5.0: leaving and forgetting rooms', (backend) => {
  let s: TestServer;
  let baseUrl: string;
  const clients: MatrixClient[] = [];
  /** Every reply of 400 or more that any client here received. */
  const problems: HttpProblem[] = [];
  /** Replies of 400 or more that a test provoked on purpose (matched by method, path and status). */
  const expected: { method: string; path: string; status: number }[] = [];

  /** A logged client for `user`, started and PREPARED, stopped in `after`. */
  const start = async (user: TestUser, options: { resumable?: boolean } = {}): Promise<MatrixClient> => {
    const client = sdkClientLogged(baseUrl, user, problems, options);
    clients.push(client);
    await startAndWaitPrepared(client);
    return client;
  };
  /** Two users, each with a running client. */
  const pair = async (n: number) => {
    const alice = await s.createUser(`alice${n}`);
    const bob = await s.createUser(`bob${n}`);
    const [ac, bc] = await Promise.all([start(alice), start(bob)]);
    return { alice, bob, ac, bc };
  };

  before(async () => {
    s = await startTestServer({ backend, realClock: true });
    baseUrl = await s.listen();
  });
  after(async () => {
    for (const c of clients) c.stopClient();
    await s.close();
  });

  it('1. bob leaves with a reason: alice sees the leave event with the reason and bob\'s membership becomes leave', async () => {
    const { alice, bob, ac, bc } = await pair(1);
    const { room_id: roomId } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Leave with reason' });
    await bc.joinRoom(roomId);
    await waitForMembership(ac, roomId, bob.userId, 'join');

    // matrix-js-sdk 37.5.0's leave(roomId) takes no reason: send the spec request through the SDK's HTTP layer.
    const leaveSeen = waitForTimelineEvent(ac, roomId, isMemberEvent(bob.userId, 'leave'));
    assert.deepEqual(await bc.http.authedRequest(Method.Post, roomPath(roomId, 'leave'), undefined, { reason: 'off to bed' }), {});
    const leave = await leaveSeen;
    assert.equal(leave.getSender(), bob.userId);
    assert.equal(leave.getContent().reason, 'off to bed');
    const member = await waitForMembership(ac, roomId, bob.userId, 'leave');
    assert.equal(member.events.member?.getContent().reason, 'off to bed');
    assert.equal(ac.getRoom(roomId)?.getMyMembership(), 'join', 'alice is still in the room');

    // Bob's own client learns of the leave too, with his leave event in its timeline.
    const bobRoom = await waitForMyMembership(bc, roomId, 'leave');
    const ownLeave = await waitForTimelineEvent(bc, roomId, isMemberEvent(bob.userId, 'leave'));
    assert.equal(ownLeave.getContent().reason, 'off to bed');
    assert.equal(bobRoom.getMember(bob.userId)?.membership, 'leave');

    // Leaving again (a stale client) is 200 {} and sends no second leave event (Hearth).
    assert.deepEqual(await bc.leave(roomId), {});
    const marker = waitForTimelineEvent(ac, roomId, isMessage('after the second leave'));
    await ac.sendTextMessage(roomId, 'after the second leave');
    await marker;
    const leaves = ac.getRoom(roomId)!.getLiveTimeline().getEvents().filter(isMemberEvent(bob.userId, 'leave'));
    assert.equal(leaves.length, 1, 'exactly one leave event for bob');
    assert.equal(ac.getRoom(roomId)?.getMember(alice.userId)?.membership, 'join');
  });

  it('2. bob forgets a room after leaving: his running client got the leave, and a fresh login never lists the room', async () => {
    const { bob, ac, bc } = await pair(2);
    const { room_id: forgotten } = await ac.createRoom({ preset: Preset.PublicChat, name: 'To forget' });
    const { room_id: keptLeft } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Left, not forgotten' });
    const { room_id: stillJoined } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Still joined' });
    for (const id of [forgotten, keptLeft, stillJoined]) await bc.joinRoom(id);
    await ac.sendTextMessage(forgotten, 'before bob left');

    // The SDK's own leave (no reason): the running client receives it in /sync.
    assert.deepEqual(await bc.leave(forgotten), {});
    assert.deepEqual(await bc.leave(keptLeft), {});
    const leftRoom = await waitForMyMembership(bc, forgotten, 'leave');
    await waitForTimelineEvent(bc, forgotten, isMemberEvent(bob.userId, 'leave'));
    assert.equal(leftRoom.getMember(bob.userId)?.membership, 'leave');
    await waitForMyMembership(bc, keptLeft, 'leave');
    await waitForMembership(ac, forgotten, bob.userId, 'leave');

    // Forget: 200 {}, and the SDK drops the room from its store.
    assert.deepEqual(await bc.forget(forgotten), {});
    assert.equal(bc.getRoom(forgotten), null);
    // Activity in the forgotten room does not bring it back on the running client.
    await ac.sendTextMessage(forgotten, 'after bob forgot');
    await syncBarrier(bc);
    assert.equal(bc.getRoom(forgotten), null, 'the forgotten room stays gone on the running client');
    assert.equal(bc.getRoom(stillJoined)?.getMyMembership(), 'join');

    // A brand-new login, started from scratch.
    const fresh = await start(await sdkLogin(baseUrl, bob, problems));
    const ids = fresh.getRooms().map((r) => r.roomId);
    assert.ok(!ids.includes(forgotten), 'the forgotten room is not listed');
    assert.ok(!ids.includes(keptLeft), 'a self-left room is not in an initial sync without include_leave');
    assert.ok(ids.includes(stillJoined), 'the joined room is listed');
    assert.equal(fresh.getRoom(stillJoined)?.getMyMembership(), 'join');
    assert.deepEqual((await fresh.getJoinedRooms()).joined_rooms, [stillJoined]);

    // The SDK's "show left rooms" (an include_leave initial sync): the left room, never the forgotten one.
    const leftIds = (await fresh.syncLeftRooms()).map((r) => r.roomId);
    assert.ok(leftIds.includes(keptLeft), `the left (not forgotten) room is listed: ${JSON.stringify(leftIds)}`);
    assert.ok(!leftIds.includes(forgotten), 'the forgotten room is not listed even with include_leave');
    assert.equal(fresh.getRoom(keptLeft)?.getMyMembership(), 'leave');
    assert.equal(fresh.getRoom(forgotten), null);
  });

  it('3. bob rejects an invite with client.leave: both sides see his membership become leave', async () => {
    const { alice, bob, ac, bc } = await pair(3);
    const { room_id: roomId } = await ac.createRoom({
      preset: Preset.PrivateChat,
      name: 'Invite only',
      initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: HistoryVisibility.Joined } }],
    });
    const invited = waitForMyMembership(bc, roomId, 'invite');
    assert.deepEqual(await ac.invite(roomId, bob.userId), {});
    const room = await invited;
    assert.equal(room.getMyMembership(), 'invite');
    assert.equal(room.getMember(bob.userId)?.events.member?.getSender(), alice.userId, 'the invite came from alice');
    await waitForMembership(ac, roomId, bob.userId, 'invite');

    assert.deepEqual(await bc.leave(roomId), {});
    const rejected = await waitForMyMembership(bc, roomId, 'leave');
    assert.equal(rejected.getMyMembership(), 'leave');
    // The leave is visible to bob even under `joined` history visibility.
    const ownLeave = await waitForTimelineEvent(bc, roomId, isMemberEvent(bob.userId, 'leave'));
    assert.equal(ownLeave.getSender(), bob.userId);
    const seenByAlice = await waitForMembership(ac, roomId, bob.userId, 'leave');
    assert.equal(seenByAlice.events.member?.getSender(), bob.userId);

    // A rejected invite can be forgotten (200 {}).
    assert.deepEqual(await bc.forget(roomId), {});
    assert.equal(bc.getRoom(roomId), null);
  });

  it('4. kick and ban with reasons, as seen by the kicked/banned user and by the moderator', async () => {
    const { alice, bob, ac, bc } = await pair(4);
    const { room_id: roomId } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Moderated' });
    await bc.joinRoom(roomId);
    await waitForMembership(ac, roomId, bob.userId, 'join');

    // Kick.
    assert.deepEqual(await ac.kick(roomId, bob.userId, 'too loud'), {});
    const kickedRoom = await waitForMyMembership(bc, roomId, 'leave');
    const kick = await waitForTimelineEvent(bc, roomId, isMemberEvent(bob.userId, 'leave'));
    assert.equal(kick.getSender(), alice.userId);
    assert.equal(kick.getContent().reason, 'too loud');
    const bobSelf = kickedRoom.getMember(bob.userId);
    assert.equal(bobSelf?.membership, 'leave');
    assert.equal(bobSelf?.events.member?.getSender(), alice.userId);
    assert.equal(bobSelf?.events.member?.getContent().reason, 'too loud');
    const aliceView = await waitForMembership(ac, roomId, bob.userId, 'leave');
    assert.equal(aliceView.events.member?.getSender(), alice.userId);
    assert.equal(aliceView.events.member?.getContent().reason, 'too loud');

    // Bob comes back; then a ban.
    await bc.joinRoom(roomId);
    await waitForMyMembership(bc, roomId, 'join');
    await waitForMembership(ac, roomId, bob.userId, 'join');
    assert.deepEqual(await ac.ban(roomId, bob.userId, 'still too loud'), {});
    const bannedRoom = await waitForMyMembership(bc, roomId, 'ban');
    const ban = await waitForTimelineEvent(bc, roomId, isMemberEvent(bob.userId, 'ban'));
    assert.equal(ban.getSender(), alice.userId);
    assert.equal(ban.getContent().reason, 'still too loud');
    assert.equal(bannedRoom.getMember(bob.userId)?.membership, 'ban');
    const aliceBanView = await waitForMembership(ac, roomId, bob.userId, 'ban');
    assert.equal(aliceBanView.events.member?.getSender(), alice.userId);
    assert.equal(aliceBanView.events.member?.getContent().reason, 'still too loud');

    // Leaving does not lift a ban (403 M_FORBIDDEN); forgetting is allowed.
    expected.push({ method: 'POST', path: `/_matrix/client/v3${roomPath(roomId, 'leave')}`, status: 403 });
    const err = await rejection(bc.leave(roomId));
    assert.equal(err.httpStatus, 403);
    assert.equal(err.errcode, 'M_FORBIDDEN');
    assert.equal(bc.getRoom(roomId)?.getMyMembership(), 'ban');
    assert.deepEqual(await bc.forget(roomId), {});
    assert.equal(bc.getRoom(roomId), null);
  });

  it('4b. a ban of a user who was already kicked still reaches his client', async () => {
    const { alice, bob, ac, bc } = await pair(5);
    const { room_id: roomId } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Kick then ban' });
    await bc.joinRoom(roomId);
    await waitForMembership(ac, roomId, bob.userId, 'join');
    await ac.kick(roomId, bob.userId, 'first warning');
    await waitForMyMembership(bc, roomId, 'leave');
    await ac.ban(roomId, bob.userId, 'second warning');
    const room = await waitForMyMembership(bc, roomId, 'ban');
    assert.equal(room.getMember(bob.userId)?.events.member?.getSender(), alice.userId);
    assert.equal(room.getMember(bob.userId)?.events.member?.getContent().reason, 'second warning');
    await waitForMembership(ac, roomId, bob.userId, 'ban');
  });

  it('5. bob\'s other device: one device leaves and forgets, the other (running) sees his membership become leave', async (t) => {
    const alice = await s.createUser('alice6');
    const bob = await s.createUser('bob6');
    const ac = await start(alice);
    const [d1, d2] = await Promise.all([start(await sdkLogin(baseUrl, bob, problems)), start(await sdkLogin(baseUrl, bob, problems))]);
    assert.notEqual(d1.getDeviceId(), d2.getDeviceId());
    const { room_id: roomId } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Two devices' });
    await d1.joinRoom(roomId);
    await waitForMyMembership(d2, roomId, 'join');

    const d2Leave = waitForMembership(d2, roomId, bob.userId, 'leave');
    assert.deepEqual(await d1.leave(roomId), {});
    assert.deepEqual(await d1.forget(roomId), {});
    await d2Leave;
    const room = await waitForMyMembership(d2, roomId, 'leave');
    assert.equal(room.getMember(bob.userId)?.events.member?.getSender(), bob.userId);
    await waitForTimelineEvent(d2, roomId, isMemberEvent(bob.userId, 'leave'));
    await waitForMembership(ac, roomId, bob.userId, 'leave');

    // The forgetting device never shows bob as still joined. (If its /sync had not yet delivered the
    // leave when it forgot, the next one does, as the contract requires, and the SDK re-creates the
    // room in the `leave` state; otherwise the room stays gone.)
    await syncBarrier(d1);
    const onD1 = d1.getRoom(roomId)?.getMyMembership();
    assert.ok(onD1 === undefined || onD1 === 'leave', `the forgetting device shows ${onD1}`);
    t.diagnostic(`the forgetting device shows the room as: ${onD1 ?? 'gone'}`);
  });

  it('5b. bob\'s other device that was offline while he left and forgot learns of the leave on its next incremental sync', async () => {
    const alice = await s.createUser('alice7');
    const bob = await s.createUser('bob7');
    const ac = await start(alice);
    // d2 keeps its sync token across a restart, as a client with a persistent store does.
    const [d1, d2] = await Promise.all([start(await sdkLogin(baseUrl, bob, problems)), start(await sdkLogin(baseUrl, bob, problems), { resumable: true })]);
    const { room_id: roomId } = await ac.createRoom({ preset: Preset.PublicChat, name: 'Offline device' });
    await d1.joinRoom(roomId);
    await waitForMyMembership(d2, roomId, 'join');
    await syncBarrier(d2);
    const since = d2.store.getSyncToken();
    assert.ok(since, 'the second device has a sync token');

    d2.stopClient();
    assert.deepEqual(await d1.leave(roomId), {});
    assert.deepEqual(await d1.forget(roomId), {});

    // Restarting resumes from the stored token: an incremental sync whose `since` predates the leave.
    await startAndWaitPrepared(d2);
    const room = await waitForMyMembership(d2, roomId, 'leave');
    assert.equal(room.getMember(bob.userId)?.membership, 'leave');
    await waitForTimelineEvent(d2, roomId, isMemberEvent(bob.userId, 'leave'));
  });

  it('the SDK met no unknown endpoint (404 M_UNRECOGNIZED) and no server error', (t) => {
    const unexpected = problems.filter((p) => !expected.some((e) => e.method === p.method && e.status === p.status && p.path.startsWith(e.path)));
    for (const p of unexpected) t.diagnostic(`${p.method} ${p.path} -> ${p.status} ${p.body}`);
    assert.deepEqual(unexpected.filter((p) => p.errcode === 'M_UNRECOGNIZED' || p.status >= 500), []);
    assert.deepEqual(unexpected, [], 'no unexpected error replies');
  });
}, describe);
