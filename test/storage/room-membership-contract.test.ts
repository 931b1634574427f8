// The Store contract of memberships, on both backends: the rows member events leave behind as they
// move through invite, join, leave, ban and knock, and the queries services answer from them.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Membership } from '../../src/core/events/types.js';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { MembershipRecord, Store, StoredEvent } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const user = (name: string) => `@${name}:hs` as UserId;
const alice = user('alice');
const room = '!m:hs' as RoomId;
const other = '!other:hs' as RoomId;

/** The row a member event leaves: its membership, event and position, not forgotten. */
const rowOf = (e: StoredEvent, forgotten = false): MembershipRecord => ({
  roomId: e.event.room_id, userId: e.event.state_key as UserId, membership: e.event.content.membership as Membership,
  eventId: e.event.event_id, pos: e.pos, forgotten,
});

forEachBackend('Store contract: memberships', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf, [room, other]);
  let store: Store;
  before(async () => {
    store = storeOf();
    await r.member(room, alice, 'join');
    await r.member(other, alice, 'join');
  });

  it('one row per user follows the latest member event: invite -> join -> leave', async () => {
    const bob = user('bob');
    assert.equal(await store.memberships.get(room, bob), undefined);
    const invite = await r.member(room, bob, 'invite', alice);
    assert.deepEqual(await store.memberships.get(room, bob), rowOf(invite));
    const join = await r.member(room, bob, 'join');
    assert.deepEqual(await store.memberships.get(room, bob), rowOf(join));
    const leave = await r.member(room, bob, 'leave');
    assert.deepEqual(await store.memberships.get(room, bob), rowOf(leave));
    assert.equal(await store.memberships.get(other, bob), undefined);
    // The member event is also the user's state entry.
    assert.deepEqual((await store.state.currentEvent(room, 'm.room.member', bob))!.event, leave.event);
  });

  it('ban and knock are memberships like the others; a message changes no membership', async () => {
    const carol = user('carol');
    const dave = user('dave');
    const ban = await r.member(room, carol, 'ban', alice);
    const knock = await r.member(room, dave, 'knock');
    await r.message(room, alice, 'hello');
    assert.deepEqual(await store.memberships.get(room, carol), rowOf(ban));
    assert.deepEqual(await store.memberships.get(room, dave), rowOf(knock));
    // An unban is a leave.
    const unban = await r.member(room, carol, 'leave', alice);
    assert.deepEqual(await store.memberships.get(room, carol), rowOf(unban));
  });

  it('members in stream order, by membership, up to a limit; counts by membership', async () => {
    const [erin, frank, gina] = [user('erin'), user('frank'), user('gina')];
    await r.member(room, erin, 'join');
    await r.member(room, frank, 'invite', alice);
    await r.member(room, gina, 'join');
    const joined = await store.memberships.members(room, ['join']);
    assert.deepEqual(joined.map((m) => m.userId), [alice, erin, gina]);
    assert.ok(joined.every((m, i) => i === 0 || m.pos > joined[i - 1]!.pos));
    assert.deepEqual((await store.memberships.members(room, ['join'], 2)).map((m) => m.userId), [alice, erin]);
    assert.deepEqual((await store.memberships.members(room, ['invite', 'knock'])).map((m) => [m.userId, m.membership]),
      [[user('dave'), 'knock'], [frank, 'invite']]);
    assert.deepEqual(await store.memberships.members(room, []), []);
    assert.deepEqual((await store.memberships.members(room)).map((m) => m.userId),
      [alice, user('bob'), user('dave'), user('carol'), erin, frank, gina]);
    assert.deepEqual(await store.memberships.counts(room), { join: 3, invite: 1, knock: 1, leave: 2 });
    assert.deepEqual(await store.memberships.counts('!none:hs' as RoomId), {});
  });

  it('roomsOf: the rooms where the user currently has one of the memberships, in stream order', async () => {
    const hank = user('hank');
    const third = '!third:hs' as RoomId;
    await r.createRoom(third);
    const inOther = await r.member(other, hank, 'invite', alice);
    const inRoom = await r.member(room, hank, 'join');
    const inThird = await r.member(third, hank, 'knock');
    assert.deepEqual(await store.memberships.roomsOf(hank, ['join', 'invite', 'knock']), [rowOf(inOther), rowOf(inRoom), rowOf(inThird)]);
    assert.deepEqual(await store.memberships.roomsOf(hank, ['invite']), [rowOf(inOther)]);
    const left = await r.member(room, hank, 'leave');
    assert.deepEqual(await store.memberships.roomsOf(hank, ['join']), []);
    assert.deepEqual(await store.memberships.roomsOf(hank, ['leave', 'ban']), [rowOf(left)]);
    assert.deepEqual(await store.memberships.roomsOf(hank, []), []);
  });

  it('joinPositions: where the membership became join; a join after a join (a profile change) is not one', async () => {
    const ivan = user('ivan');
    assert.deepEqual(await store.memberships.joinPositions(room, ivan), []);
    await r.member(room, ivan, 'invite', alice);
    const join1 = await r.member(room, ivan, 'join');
    await r.member(room, ivan, 'join', ivan, { displayname: 'Ivan' });
    await r.member(room, ivan, 'leave');
    const join2 = await r.member(room, ivan, 'join');
    await r.member(room, ivan, 'ban', alice);
    assert.deepEqual(await store.memberships.joinPositions(room, ivan), [join1.pos, join2.pos]);
    assert.deepEqual(await store.memberships.joinPositions(other, ivan), []);
  });

  it('forgetting: setForgotten marks and unmarks; a leave keeps the mark, a join, invite or knock clears it', async () => {
    const jill = user('jill');
    await r.member(room, jill, 'join');
    const leave = await r.member(room, jill, 'leave');
    await store.memberships.setForgotten(room, jill, 50);
    assert.deepEqual(await store.memberships.get(room, jill), rowOf(leave, true));
    // Kicked or unbanned again while forgotten: still forgotten.
    const ban = await r.member(room, jill, 'ban', alice);
    const unban = await r.member(room, jill, 'leave', alice);
    assert.ok(ban.pos < unban.pos);
    assert.deepEqual(await store.memberships.get(room, jill), rowOf(unban, true));
    await store.memberships.setForgotten(room, jill, null);
    assert.deepEqual(await store.memberships.get(room, jill), rowOf(unban));
    for (const membership of ['invite', 'join', 'knock'] as const) {
      await r.member(room, jill, 'leave');
      await store.memberships.setForgotten(room, jill, 60);
      const back = await r.member(room, jill, membership, membership === 'invite' ? alice : jill);
      assert.deepEqual(await store.memberships.get(room, jill), rowOf(back), membership);
    }
    // Forgetting a room one has no row in changes nothing.
    await store.memberships.setForgotten(other, jill, 70);
    assert.equal(await store.memberships.get(other, jill), undefined);
  });
}, describe);
