// The Store contract of reading one type of a room's current state (a space's children), on both backends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomId, UserId } from '../../src/core/ids.js';
import { forEachBackend, useFreshStore } from '../helpers/backends.js';
import { roomEvents } from '../helpers/room-store.js';

const space = '!space:hs' as RoomId;
const alice = '@alice:hs' as UserId;

forEachBackend('Store contract: current state of one type', (backend) => {
  const storeOf = useFreshStore(backend);
  const r = roomEvents(storeOf, [space]);

  it('every state key of the type, current values only, in position order; other types not', async () => {
    const child = (roomId: string, via: string[]) => r.append(space, { type: 'm.space.child', sender: alice, stateKey: roomId, content: { via } });
    const b = await child('!b:hs', ['hs']);
    const a = await child('!a:hs', ['hs']);
    await r.append(space, { type: 'm.space.parent', sender: alice, stateKey: '!p:hs', content: { via: ['hs'] } });
    await r.member(space, alice, 'join');
    const b2 = await child('!b:hs', []);
    const found = await storeOf().state.currentOfType(space, 'm.space.child');
    assert.deepEqual(found.map((e) => e.event.event_id), [a.event.event_id, b2.event.event_id]);
    assert.notEqual(b.event.event_id, b2.event.event_id);
    assert.deepEqual(await storeOf().state.currentOfType(space, 'm.room.topic'), []);
  });
}, describe);
