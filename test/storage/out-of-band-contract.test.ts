// Out-of-band rooms (another server's room a local user was invited to): the room row marked so,
// member events stored with a stream position and a membership but no room state, and the
// stripped state the inviting server sent, per invitee.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const room = '!remote:remote.test' as RoomId;
const alice = '@alice:hs' as UserId;
const bob = '@bob:remote.test' as UserId;

forEachBackend('Store contract: out-of-band rooms', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf);
  let store: Store;
  before(async () => {
    store = storeOf();
    await store.rooms.create({ roomId: room, version: '11', creator: bob, isPublic: false, createdTs: 5, outOfBand: true });
  });

  it('the room reads back marked out of band; other rooms are not', async () => {
    assert.deepEqual(await store.rooms.get(room), { roomId: room, version: '11', creator: bob, isPublic: false, createdTs: 5, outOfBand: true });
    await r.createRoom('!local:hs' as RoomId);
    assert.equal((await store.rooms.get('!local:hs' as RoomId))?.outOfBand, undefined);
  });

  it('a member event gets a stream position and sets the membership, and no room state', async () => {
    const before = await store.events.maxPos();
    const invite = await store.events.appendOutOfBand(await r.build(store, room, { type: 'm.room.member', sender: bob, stateKey: alice, content: { membership: 'invite' } }));
    assert.ok(invite.pos > before);
    assert.equal(invite.prevState, null);
    assert.deepEqual(await store.events.get(invite.event.event_id), invite);
    assert.deepEqual(await store.memberships.get(room, alice), { roomId: room, userId: alice, membership: 'invite', eventId: invite.event.event_id, pos: invite.pos, forgotten: false });
    assert.deepEqual(await store.state.current(room), []);
    assert.deepEqual(await store.state.at(room, invite.pos), []);
    assert.deepEqual([...(await store.events.activeRoomsOf(alice, before)).entries()], [[room, invite.pos]]);

    const leave = await store.events.appendOutOfBand(await r.build(store, room, { type: 'm.room.member', sender: alice, stateKey: alice, content: { membership: 'leave' } }));
    assert.equal((await store.memberships.get(room, alice))?.membership, 'leave');
    assert.equal((await store.events.head(room))?.eventId, leave.event.event_id);
    assert.deepEqual(await store.state.current(room), []);
    assert.deepEqual(await store.memberships.joinPositions(room, alice), []);
  });

  it('only member events are stored this way', async () => {
    await assert.rejects(store.events.appendOutOfBand(await r.build(store, room, { type: 'm.room.message', sender: bob, content: { body: 'x' } })));
    await assert.rejects(store.events.appendOutOfBand(await r.build(store, room, { type: 'm.room.member', sender: bob, content: { membership: 'invite' } })));
  });

  it('stripped state is kept per room and invitee; a later invite replaces it', async () => {
    const name = (n: string) => ({ type: 'm.room.name', state_key: '', sender: bob, content: { name: n } });
    assert.equal(await store.inviteState.get(room, alice), undefined);
    await store.inviteState.put(room, alice, [name('first'), { type: 'm.room.join_rules', state_key: '', sender: bob, content: { join_rule: 'invite' } }]);
    await store.inviteState.put(room, '@carol:hs' as UserId, [name('for carol')]);
    await store.inviteState.put(room, alice, [name('second')]);
    assert.deepEqual(await store.inviteState.get(room, alice), [name('second')]);
    assert.deepEqual(await store.inviteState.get(room, '@carol:hs' as UserId), [name('for carol')]);
  });
}, describe);
