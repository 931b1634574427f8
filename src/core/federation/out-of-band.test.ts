import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkContentHash, computeEventId } from '../events/hashes.js';
import { generateSigningKey, publicKeyBase64, verifyEventSignature } from '../events/signing.js';
import type { Pdu, RoomEvent } from '../events/types.js';
import type { EventId, RoomId, UserId } from '../ids.js';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import type { StrippedStateEvent } from './inbound-invite.js';
import { outOfBandLeave, remoteLeaveItem } from './out-of-band.js';
import { REMOTE_LEAVE } from './outbox-items.js';

const key = generateSigningKey(randomBytes);
const invite: RoomEvent = {
  event_id: '$invite' as EventId, type: 'm.room.member', room_id: '!r:origin.test' as RoomId, sender: '@bob:inviter.test' as UserId,
  state_key: '@alice:hs.test', content: { membership: 'invite' }, origin_server_ts: 10, depth: 41,
  prev_events: ['$p' as EventId], auth_events: ['$a' as EventId], hashes: { sha256: 'x' }, signatures: {},
};

describe('out-of-band rooms: the rejection of an invite', () => {
  for (const id of ['10', '11']) {
    const version = ROOM_VERSIONS[id] as RoomVersion;
    it(`room version ${id}: the invitee's own leave after the invite, hashed and signed here, its ID the reference hash`, () => {
      const leave = outOfBandLeave({ invite, reason: 'no thanks', originServerTs: 1234, version, serverName: 'hs.test', signingKey: key });
      const { event_id: eventId, hashes: _h, signatures, ...rest } = leave;
      assert.deepEqual(rest, {
        type: 'm.room.member', room_id: invite.room_id, sender: '@alice:hs.test', state_key: '@alice:hs.test',
        content: { membership: 'leave', reason: 'no thanks' }, origin_server_ts: 1234, depth: 42,
        prev_events: ['$invite'], auth_events: ['$invite'],
      });
      assert.deepEqual(Object.keys(signatures), ['hs.test']);
      const { event_id: _id, ...pdu } = leave;
      assert.ok(checkContentHash(pdu));
      assert.equal(eventId, computeEventId(pdu as Pdu, version));
      assert.ok(verifyEventSignature(pdu, version, { serverName: 'hs.test', keyId: key.keyId, publicKey: publicKeyBase64(key) }));
    });
  }

  it('without a reason the content is the membership alone', () => {
    const leave = outOfBandLeave({ invite, originServerTs: 1, version: ROOM_VERSIONS['10'] as RoomVersion, serverName: 'hs.test', signingKey: key });
    assert.deepEqual(leave.content, { membership: 'leave' });
  });

  it('the outbox item: the remote leave of this user in this room, to the inviter, the room\'s server, then stripped state senders', () => {
    const strippedState: StrippedStateEvent[] = [
      { type: 'm.room.create', state_key: '', sender: '@c:origin.test', content: {} },
      { type: 'm.room.name', state_key: '', sender: '@d:third.test', content: { name: 'n' } },
      { type: 'm.room.topic', state_key: '', sender: '@e:hs.test', content: { topic: 't' } },
    ];
    const item = remoteLeaveItem({ invite, roomVersion: '10', reason: 'bye', strippedState, serverName: 'hs.test', createdTs: 99 });
    assert.deepEqual(item, {
      kind: REMOTE_LEAVE,
      supersedeKey: 'membership !r:origin.test @alice:hs.test',
      destinations: ['inviter.test', 'origin.test', 'third.test'],
      payload: { roomId: '!r:origin.test', userId: '@alice:hs.test', roomVersion: '10', reason: 'bye' },
      createdTs: 99,
    });
    assert.deepEqual(remoteLeaveItem({ invite, roomVersion: '11', strippedState: [], serverName: 'hs.test', createdTs: 1 }).payload,
      { roomId: '!r:origin.test', userId: '@alice:hs.test', roomVersion: '11' });
  });
});
