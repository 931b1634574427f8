import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomId, UserId } from '../ids.js';
import { membershipOutboxKey, remoteLeaveDestinations } from './outbox-items.js';

describe('remoteLeaveDestinations', () => {
  const base = { inviter: '@a:inviter.test' as UserId, roomId: '!r:room.test:8448' as RoomId, serverName: 'hearth.test' };
  it('asks the inviter\'s server, then the room ID\'s, then the stripped state senders\', each once, never itself', () => {
    const senders = ['@x:state.test', '@b:inviter.test', '@me:hearth.test', 'not-a-user', '@:', '@y:127.0.0.1:8448'];
    assert.deepEqual(remoteLeaveDestinations({ ...base, strippedStateSenders: senders }),
      ['inviter.test', 'room.test:8448', 'state.test', '127.0.0.1:8448']);
  });
  it('a version 12 room ID names no server; without a readable invite there is no inviter to ask', () => {
    assert.deepEqual(remoteLeaveDestinations({ ...base, roomId: '!abcdef' as RoomId, strippedStateSenders: [] }), ['inviter.test']);
    const { inviter: _inviter, ...noInviter } = base;
    assert.deepEqual(remoteLeaveDestinations({ ...noInviter, strippedStateSenders: ['@x:state.test'] }), ['room.test:8448', 'state.test']);
  });
  it('a room of this server is not asked about itself', () => {
    assert.deepEqual(remoteLeaveDestinations({ ...base, roomId: '!r:hearth.test' as RoomId, strippedStateSenders: [] }), ['inviter.test']);
  });
});

describe('membershipOutboxKey', () => {
  it('is one key per room and user', () => {
    const a = membershipOutboxKey('!r:x' as RoomId, '@a:y' as UserId);
    assert.equal(a, membershipOutboxKey('!r:x' as RoomId, '@a:y' as UserId));
    assert.notEqual(a, membershipOutboxKey('!r:x' as RoomId, '@b:y' as UserId));
  });
});
