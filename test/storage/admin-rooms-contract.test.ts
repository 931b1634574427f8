// The Store contract of the room side of the admin API: room summaries, blocks and admin jobs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const alice = '@alice:hs' as UserId;
const bob = '@bob:hs' as UserId;
const remote = '@carol:other.test' as UserId;

forEachBackend('Store contract: admin room summaries, blocks and jobs', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf);
  let store: Store;
  before(() => {
    store = storeOf();
  });

  it('summaries: counts of joined (and local) members and of state, and the summary state, for all rooms or one', async () => {
    const room = '!sum:hs' as RoomId;
    const other = '!other:hs' as RoomId;
    for (const id of [room, other]) {
      await r.createRoom(id);
      await r.append(id, { type: 'm.room.create', sender: alice, stateKey: '', content: { creator: alice, type: 'm.space' } });
      await r.member(id, alice, 'join');
    }
    await r.member(room, bob, 'join');
    await r.member(room, remote, 'join');
    await r.member(room, bob, 'leave');
    await r.member(room, bob, 'join');
    await r.append(room, { type: 'm.room.name', sender: alice, stateKey: '', content: { name: 'old' } });
    await r.append(room, { type: 'm.room.name', sender: alice, stateKey: '', content: { name: 'Summit' } });
    await r.append(room, { type: 'm.room.topic', sender: alice, stateKey: 'not-empty', content: { topic: 'keyed' } });
    const [one] = await store.roomSummaries.summaries('hs', room);
    assert.deepEqual(one, {
      roomId: room, version: one!.version, creator: one!.creator, isPublic: false,
      joinedMembers: 3, joinedLocalMembers: 2,
      // create, three members, name, the keyed topic
      stateEvents: 6,
      state: { 'm.room.create': { creator: alice, type: 'm.space' }, 'm.room.name': { name: 'Summit' } },
    });
    const all = await store.roomSummaries.summaries('hs');
    assert.deepEqual(all.map((s) => s.roomId).sort(), [other, room].sort());
    assert.equal(all.find((s) => s.roomId === other)?.joinedMembers, 1);
    assert.deepEqual(await store.roomSummaries.summaries('hs', '!none:hs' as RoomId), []);
  });

  it('blocks: any room ID, the first blocker kept, unblocking', async () => {
    const room = '!never-seen:hs' as RoomId;
    assert.equal(await store.roomBlocks.get(room), undefined);
    await store.roomBlocks.block(room, alice, 1);
    await store.roomBlocks.block(room, bob, 2);
    assert.deepEqual(await store.roomBlocks.get(room), { blockedBy: alice });
    await store.roomBlocks.unblock(room);
    assert.equal(await store.roomBlocks.get(room), undefined);
  });

  it('jobs: read back whole; a claim holds a job until its lease ends; finished jobs are never claimed', async () => {
    const room = '!jobs:hs' as RoomId;
    await store.adminJobs.create({ id: 'j1', kind: 'delete_room', roomId: room, params: { block: true }, status: 'shutting_down', createdTs: 10 });
    await store.adminJobs.create({ id: 'j2', kind: 'purge_history', roomId: room, params: {}, status: 'active', createdTs: 20 });
    assert.deepEqual(await store.adminJobs.get('j1'), {
      id: 'j1', kind: 'delete_room', roomId: room, params: { block: true }, status: 'shutting_down', error: null, result: null, createdTs: 10,
    });
    assert.deepEqual((await store.adminJobs.forRoom(room, 'delete_room')).map((j) => j.id), ['j1']);
    assert.deepEqual(await store.adminJobs.claimable(100, 10), ['j1', 'j2']);

    assert.equal(await store.adminJobs.claim('j1', 100, 200), true);
    assert.equal(await store.adminJobs.claim('j1', 150, 300), false, 'held until 200');
    assert.deepEqual(await store.adminJobs.claimable(150, 10), ['j2']);
    await store.adminJobs.update('j1', { status: 'purging', result: { kicked_users: [alice] }, leaseUntil: 400, ts: 160 });
    assert.equal(await store.adminJobs.claim('j1', 300, 500), false, 'the update renewed the lease');
    assert.equal(await store.adminJobs.claim('j1', 400, 500), true, 'the holder died: taken over when the lease ends');

    await store.adminJobs.update('j1', { status: 'failed', error: 'no', leaseUntil: 0, ts: 170 });
    assert.deepEqual(await store.adminJobs.get('j1'), {
      id: 'j1', kind: 'delete_room', roomId: room, params: { block: true }, status: 'failed', error: 'no', result: { kicked_users: [alice] }, createdTs: 10,
    });
    assert.equal(await store.adminJobs.claim('j1', 1000, 2000), false);
    assert.deepEqual(await store.adminJobs.claimable(1000, 10), ['j2']);
    assert.equal(await store.adminJobs.get('none'), undefined);
  });

  it('deleteHistory: timeline events before a position or a time, never state, other servers\' only unless told', async () => {
    const room = '!hist:hs' as RoomId;
    await r.createRoom(room);
    await r.append(room, { type: 'm.room.create', sender: alice, stateKey: '', content: { creator: alice } });
    await r.member(room, alice, 'join');
    const local = await r.message(room, alice, 'local');
    const foreign = await r.message(room, remote, 'foreign');
    const topic = await r.append(room, { type: 'm.room.topic', sender: alice, stateKey: '', content: { topic: 't' } });
    const point = await r.message(room, remote, 'point');
    await store.events.saveTxn({ userId: alice, deviceId: 'D' as never, scope: 's', txnId: 't' }, local.event.event_id, 1);
    const ids = async () => (await store.events.page(room, { dir: 'f', limit: 50 })).map((e) => e.event.event_id);
    const all = await ids();

    assert.equal(await store.purge.deleteHistory(room, { pos: point.pos }, 'hs'), 1);
    assert.deepEqual(await ids(), all.filter((id) => id !== foreign.event.event_id));
    assert.equal(await store.purge.deleteHistory(room, { ts: 0 }, null), 0, 'nothing was sent before time 0');
    assert.equal(await store.purge.deleteHistory(room, { pos: point.pos }, null), 1);
    assert.deepEqual(await ids(), all.filter((id) => id !== foreign.event.event_id && id !== local.event.event_id));
    assert.ok((await ids()).includes(topic.event.event_id));
    assert.equal(await store.events.findTxn({ userId: alice, deviceId: 'D' as never, scope: 's', txnId: 't' }), undefined, 'its transaction ID went with it');
  });
}, describe);
