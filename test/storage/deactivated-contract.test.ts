// The Store query the deactivation-resume job derives its work from: deactivated accounts that still
// have a room they have not forgotten, paged in user ID order.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Membership } from '../../src/core/events/types.js';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import type { Store } from '../../src/storage/store.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';

const room = '!r:hs' as RoomId;
const user = (name: string) => `@${name}:hs` as UserId;

forEachBackend('Store contract: deactivated accounts with rooms', (backend) => {
  const storeOf = useFreshStore(backend);
  let store: Store;
  let n = 0;
  before(async () => {
    store = storeOf();
    await store.rooms.create({ roomId: room, version: '10', creator: user('creator'), isPublic: false, createdTs: 1 });
  });

  async function account(name: string, deactivated: boolean): Promise<UserId> {
    const userId = user(name);
    await store.accounts.create({ userId, passwordHash: 'h', isAdmin: false, deactivated: false, displayname: null, avatarUrl: null, createdTs: 1 });
    if (deactivated) await store.accounts.setDeactivated(userId);
    return userId;
  }

  async function member(userId: UserId, membership: Membership): Promise<void> {
    n++;
    await store.events.append({
      event_id: `$m${n}` as EventId, type: 'm.room.member', state_key: userId, room_id: room, sender: userId,
      content: { membership }, origin_server_ts: n, depth: n, prev_events: [], auth_events: [],
      hashes: { sha256: 'x' }, signatures: {},
    });
  }

  it('lists deactivated accounts holding a room (joined, invited, knocking, or out but not forgotten), not the others', async () => {
    const joined = await account('d-joined', true);
    await member(joined, 'join');
    const invited = await account('d-invited', true);
    await member(invited, 'invite');
    const knocking = await account('d-knocking', true);
    await member(knocking, 'knock');
    const leftNotForgotten = await account('d-left', true);
    await member(leftNotForgotten, 'join');
    await member(leftNotForgotten, 'leave');
    const banned = await account('d-banned', true);
    await member(banned, 'ban');
    const finished = await account('d-finished', true);
    await member(finished, 'join');
    await member(finished, 'leave');
    await store.memberships.setForgotten(room, finished, 5);
    await account('d-no-rooms', true);
    const active = await account('active', false);
    await member(active, 'join');

    assert.deepEqual(await store.accounts.deactivatedWithRooms(null, 100), [banned, invited, joined, knocking, leftNotForgotten].sort());

    // Forgetting finishes an account; an invite after that makes it hold the room again.
    await store.memberships.setForgotten(room, leftNotForgotten, 6);
    await member(finished, 'invite');
    assert.deepEqual(await store.accounts.deactivatedWithRooms(null, 100), [banned, finished, invited, joined, knocking].sort());
  });

  it('pages in user ID order after the given user', async () => {
    const all = await store.accounts.deactivatedWithRooms(null, 100);
    assert.equal(all.length, 5);
    const first = await store.accounts.deactivatedWithRooms(null, 2);
    assert.deepEqual(first, all.slice(0, 2));
    const second = await store.accounts.deactivatedWithRooms(first[1]!, 2);
    assert.deepEqual(second, all.slice(2, 4));
    assert.deepEqual(await store.accounts.deactivatedWithRooms(all[4]!, 2), []);
  });
}, describe);
