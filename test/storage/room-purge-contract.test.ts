// The Store contract of the purge of forgotten rooms, on both backends: which rooms are eligible
// (docs/LEAVING.md), and that deleting one leaves no row of it in any table, whatever tables exist,
// except the users' own data that mentions it (backed-up room keys).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeviceId, RoomAlias, RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshDatabase, useFreshStore } from '../helpers/backends.js';
import { rowsMentioning, tableColumns } from '../helpers/db-scan.js';
import { roomEvents } from '../helpers/room-store.js';

const user = (name: string) => `@${name}:hs` as UserId;
const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')];

forEachBackend('Store contract: purge eligibility', (backend) => {
  const storeOf = useFreshStore(backend);
  const room = '!p:hs' as RoomId;
  const r = roomEvents(storeOf, [room]);
  let store: Store;
  const eligible = async () => [await store.purge.isEligible(room), (await store.purge.eligibleRooms(Number.MAX_SAFE_INTEGER, 10)).includes(room)];
  before(() => {
    store = storeOf();
  });

  it('a room without any membership is not eligible', async () => {
    assert.deepEqual(await eligible(), [false, false]);
  });

  it('a room with a joined local member is not eligible, even when everyone else forgot it', async () => {
    await r.member(room, alice, 'join');
    await r.member(room, bob, 'join');
    await r.member(room, bob, 'leave');
    await store.memberships.setForgotten(room, bob, 100);
    assert.deepEqual(await eligible(), [false, false]);
  });

  it('a user who left without forgetting holds the room back', async () => {
    await r.member(room, alice, 'leave');
    assert.deepEqual(await eligible(), [false, false]);
  });

  it('once every user with a membership forgot it, the room is eligible from the last one\'s forgetting on', async () => {
    await store.memberships.setForgotten(room, alice, 200);
    assert.deepEqual(await eligible(), [true, true]);
    assert.equal(await store.purge.isEligible(room, 199), false);
    assert.equal(await store.purge.isEligible(room, 200), true);
    assert.deepEqual(await store.purge.eligibleRooms(199, 10), []);
    assert.deepEqual(await store.purge.eligibleRooms(200, 10), [room]);
  });

  it('an invite or a knock makes it ineligible again; a banned user who forgot does not', async () => {
    await r.member(room, carol, 'invite', bob);
    assert.deepEqual(await eligible(), [false, false]);
    await r.member(room, carol, 'leave');
    await store.memberships.setForgotten(room, carol, 300);
    assert.deepEqual(await eligible(), [true, true]);
    const dave = user('dave');
    await r.member(room, dave, 'knock');
    assert.deepEqual(await eligible(), [false, false]);
    await r.member(room, dave, 'ban', bob);
    assert.deepEqual(await eligible(), [false, false]);
    await store.memberships.setForgotten(room, dave, 400);
    assert.equal(await store.purge.isEligible(room, 399), false);
    assert.deepEqual(await eligible(), [true, true]);
  });

  it('remembering the room (setForgotten null) makes it ineligible', async () => {
    await store.memberships.setForgotten(room, bob, null);
    assert.deepEqual(await eligible(), [false, false]);
  });
}, describe);

/**
 * The tables that hold rows of a room: those with a column naming a room or an event (`room_id`,
 * `event_id`, ...), as the migrations made them. A new such table fails the first test until this suite writes a row into it (and the purge
 * then has to delete it for the second test to pass).
 */
const ROOM_TABLES = ['account_data', 'event_relations', 'event_search', 'event_txns', 'events', 'invite_room_state', 'memberships', 'notifications', 'receipts', 'reports', 'room_aliases', 'rooms', 'state_entries'];
/**
 * Tables with a room column whose rows belong to a user, not to the room, and outlive its purge:
 * backed-up room keys are the user's encrypted data (the server cannot read them), the room may go
 * on at other servers and be joined again, and only the user deletes them (`DELETE /room_keys`).
 */
const USER_OWNED_TABLES = ['e2e_room_keys'];
/**
 * The admin's records of a room, which must outlive its purge: a block refuses the room from then
 * on (that is its point, and a room may be blocked before it exists), and a deletion's status is
 * asked for after the deletion purged the room.
 */
const ADMIN_TABLES = ['admin_jobs', 'room_blocks'];

forEachBackend('Store contract: deleting a room', (backend) => {
  const fresh = useFreshDatabase(backend);
  const r = roomEvents(fresh.store);
  let store: Store;
  const room = '!gone:hs' as RoomId;
  const kept = '!kept:hs' as RoomId;
  const dev = 'DEV' as DeviceId;

  /** One row of the room in every room table, through the Store. */
  async function fill(roomId: RoomId): Promise<void> {
    await r.createRoom(roomId);
    await r.append(roomId, { type: 'm.room.create', sender: alice, stateKey: '', content: { creator: alice } });
    await r.member(roomId, alice, 'join');
    const msg = await r.message(roomId, alice, 'hi');
    await r.append(roomId, { type: 'm.reaction', sender: alice, content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: msg.event.event_id, key: 'y' } } });
    await store.events.saveTxn({ userId: alice, deviceId: dev, scope: `send:${roomId}:m.room.message`, txnId: `t${roomId}` }, msg.event.event_id, 1);
    await store.receipts.put({ roomId, userId: alice, receiptType: 'm.read', threadId: null, eventId: msg.event.event_id, ts: 1, pos: 1 });
    await store.notifications.add([{ userId: alice, roomId, eventId: msg.event.event_id, pos: msg.pos, highlight: false, actions: ['notify'], ts: 1 }]);
    await store.accountData.put({ userId: alice, roomId, type: 'm.tag', content: { tags: {} }, pos: 1 });
    await store.reports.add({ reporter: bob, target: { kind: 'event', roomId, eventId: msg.event.event_id }, reason: 'r', score: null, receivedTs: 1 });
    await store.aliases.create(`#${roomId.slice(1, roomId.indexOf(':'))}:hs` as RoomAlias, roomId, alice, 1);
    await store.inviteState.put(roomId, bob, [{ type: 'm.room.name', state_key: '', sender: alice, content: { name: 'n' } }]);
    await store.transaction(async (tx) => {
      const version = (await tx.e2ee.keyBackups.getVersion(alice))?.version ?? await tx.e2ee.keyBackups.createVersion(alice, 'm.megolm_backup.v1.curve25519-aes-sha2', {});
      await tx.e2ee.keyBackups.saveKeys(alice, version, [{ roomId, sessionId: 's1', firstMessageIndex: 0, forwardedCount: 0, isVerified: false, sessionData: { ciphertext: 'c' } }], []);
    });
    await store.roomBlocks.block(roomId, alice, 1);
    await store.adminJobs.create({ id: `job${roomId}`, kind: 'delete_room', roomId, params: {}, status: 'shutting_down', createdTs: 1 });
  }

  /** Rows mentioning the room or one of its events, counted by table. */
  async function rowsOf(roomId: RoomId, eventIds: string[]): Promise<Record<string, number>> {
    const rows = new Set((await Promise.all([roomId, ...eventIds].map((id) => rowsMentioning(fresh.database(), id)))).flat());
    const counts: Record<string, number> = {};
    for (const row of rows) {
      const table = row.slice(0, row.indexOf(':'));
      counts[table] = (counts[table] ?? 0) + 1;
    }
    return counts;
  }

  const eventIdsOf = async (roomId: RoomId) => (await store.events.page(roomId, { dir: 'f', limit: 100 })).map((e) => e.event.event_id);

  before(async () => {
    store = fresh.store();
    await fill(room);
    await fill(kept);
  });

  it('the tables with a room or event column are the ones this suite fills', async () => {
    const withRoomColumn = [...(await tableColumns(fresh.database())).entries()]
      .filter(([, columns]) => columns.some((c) => /room|event/.test(c))).map(([table]) => table);
    assert.deepEqual(withRoomColumn.sort(), [...ROOM_TABLES, ...USER_OWNED_TABLES, ...ADMIN_TABLES].sort());
    assert.deepEqual(Object.keys(await rowsOf(room, await eventIdsOf(room))).sort(), [...ROOM_TABLES, ...USER_OWNED_TABLES, ...ADMIN_TABLES].sort());
  });

  it('deleteRoom removes every row of the room, reports them by table, and leaves other rooms alone', async () => {
    const eventIds = await eventIdsOf(room);
    const before = await rowsOf(room, eventIds);
    const keptBefore = await rowsOf(kept, await eventIdsOf(kept));
    assert.deepEqual(before, { rooms: 1, events: 4, event_relations: 1, state_entries: 2, memberships: 1, event_txns: 1, notifications: 1, receipts: 1, account_data: 1, room_aliases: 1, invite_room_state: 1, e2e_room_keys: 1, admin_jobs: 1, room_blocks: 1, event_search: 1, reports: 1 });
    const deleted = await store.transaction((tx) => tx.purge.deleteRoom(room));
    const { e2e_room_keys: _kept, admin_jobs: _job, room_blocks: _block, ...roomRows } = before;
    assert.deepEqual(Object.fromEntries(Object.entries(deleted).filter(([, n]) => n > 0)), roomRows);
    assert.deepEqual(await rowsOf(room, eventIds), { e2e_room_keys: 1, admin_jobs: 1, room_blocks: 1 });
    const version = (await store.e2ee.keyBackups.getVersion(alice))!;
    assert.deepEqual((await store.e2ee.keyBackups.keys(alice, version.version, { roomId: room })).map((k) => k.sessionId), ['s1']);
    assert.equal(version.count, 2);
    assert.deepEqual(await rowsOf(kept, await eventIdsOf(kept)), keptBefore);
    assert.equal(await store.rooms.get(room), undefined);
    assert.equal(await store.events.head(room), undefined);
    assert.ok(await store.rooms.get(kept));
  });
}, describe);
