import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ErrCode, MatrixError } from '../errors.js';
import { computeContentHash } from '../events/hashes.js';
import { generateSigningKey, hashAndSignEvent, publicKeyBase64, verifyEventSignature } from '../events/signing.js';
import type { Pdu, UnsignedPdu } from '../events/types.js';
import type { EventId, RoomId, UserId } from '../ids.js';
import { ROOM_VERSIONS, type RoomVersion } from '../room-versions.js';
import { checkInvite, coSignEvent, MAX_INVITE_ROOM_STATE, type CheckedInvite, type InviteRequest } from './inbound-invite.js';
import { keyValidityTs, signatureKeyIdsOf, verifiedSignatureKeyIds } from './event-signatures.js';

/** Whether the invite carries a valid signature of its sender's server. */
const signedBySender = (invite: CheckedInvite, keys: Readonly<Record<string, string>>) =>
  verifiedSignatureKeyIds(invite.event, invite.version, invite.senderServer, keys) !== undefined;

const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const remoteKey = generateSigningKey(randomBytes);
const ourKey = generateSigningKey(randomBytes);
const ROOM = '!room:remote.test' as RoomId;

function inviteEvent(overrides: Partial<UnsignedPdu> = {}, version: RoomVersion = v10): { pdu: Pdu; eventId: EventId } {
  const unsigned: UnsignedPdu = {
    type: 'm.room.member', room_id: ROOM, sender: '@bob:remote.test' as UserId, state_key: '@alice:hs.test',
    content: { membership: 'invite' }, origin_server_ts: 1, depth: 5, prev_events: ['$p' as EventId], auth_events: ['$a' as EventId],
    ...overrides,
  };
  return hashAndSignEvent(unsigned, 'remote.test', remoteKey, version);
}

function request(over: Partial<InviteRequest> = {}): InviteRequest {
  const { pdu, eventId } = inviteEvent();
  return {
    roomId: ROOM, eventId, roomVersion: '10', event: pdu, origin: 'remote.test', serverName: 'hs.test',
    inviteRoomState: [{ type: 'm.room.name', state_key: '', sender: '@bob:remote.test', content: { name: 'R' }, extra: 1 }], ...over,
  };
}

function refused(req: InviteRequest, status: number, errcode: string): MatrixError {
  try {
    checkInvite(req);
  } catch (err) {
    assert.ok(err instanceof MatrixError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.errcode, errcode, err.message);
    return err;
  }
  assert.fail('the invite was accepted');
}

describe('inbound invites: checks before any key is fetched', () => {
  it('a well-formed invite passes; stripped state keeps only its four fields (no create event needed)', () => {
    const checked = checkInvite(request());
    assert.equal(checked.invitee, '@alice:hs.test');
    assert.equal(checked.senderServer, 'remote.test');
    assert.deepEqual(checked.inviteRoomState, [{ type: 'm.room.name', state_key: '', sender: '@bob:remote.test', content: { name: 'R' } }]);
    assert.deepEqual(signatureKeyIdsOf(checked.event, checked.senderServer), [remoteKey.keyId]);
  });

  it('an unsupported room version: 400 M_INCOMPATIBLE_ROOM_VERSION naming it', () => {
    const err = refused(request({ roomVersion: '1' }), 400, ErrCode.incompatibleRoomVersion);
    assert.deepEqual(err.extra, { room_version: '1' });
  });

  it('an invitee of another server, a sender not from the origin: 403 M_FORBIDDEN', () => {
    const other = inviteEvent({ state_key: '@alice:elsewhere.test' });
    refused(request({ event: other.pdu, eventId: other.eventId }), 403, ErrCode.forbidden);
    refused(request({ origin: 'evil.test' }), 403, ErrCode.forbidden);
  });

  it('malformed events: 400 M_BAD_JSON', () => {
    const { pdu } = inviteEvent();
    const cases: unknown[] = [
      null, [], 'x', { ...pdu, type: 'm.room.message' }, { ...pdu, content: { membership: 'join' } }, { ...pdu, room_id: '!other:remote.test' },
      { ...pdu, state_key: 'not a user' }, { ...pdu, sender: 3 }, { ...pdu, depth: 'deep' }, { ...pdu, prev_events: [1] },
      { ...pdu, hashes: undefined },
    ];
    for (const event of cases) refused(request({ event }), 400, ErrCode.badJson);
  });

  it('a content hash that does not match: 400 M_BAD_JSON', () => {
    const { pdu } = inviteEvent();
    const altered = { ...pdu, content: { membership: 'invite', displayname: 'changed' } };
    assert.notEqual(computeContentHash(altered), pdu.hashes.sha256);
    refused(request({ event: altered }), 400, ErrCode.badJson);
  });

  it('an event ID that is not the reference hash: 400 M_INVALID_PARAM', () => {
    refused(request({ eventId: inviteEvent({ depth: 6 }).eventId }), 400, ErrCode.invalidParam);
  });

  it('invite_room_state: not an array, a bad entry, or more than the bound: 400 M_BAD_JSON', () => {
    const entry = { type: 'm.room.name', state_key: '', sender: '@bob:remote.test', content: {} };
    for (const inviteRoomState of [{}, [{ ...entry, content: 'x' }], Array(MAX_INVITE_ROOM_STATE + 1).fill(entry)]) {
      refused(request({ inviteRoomState }), 400, ErrCode.badJson);
    }
    assert.equal(checkInvite(request({ inviteRoomState: Array(MAX_INVITE_ROOM_STATE).fill(entry) })).inviteRoomState.length, MAX_INVITE_ROOM_STATE);
  });
});

describe('inbound invites: signatures', () => {
  const keys = { [remoteKey.keyId]: publicKeyBase64(remoteKey) };

  it('the sender server\'s signature verifies with its key; unknown keys and forged signatures do not', () => {
    const checked = checkInvite(request());
    assert.equal(signedBySender(checked, keys), true);
    assert.equal(signedBySender(checked, {}), false);
    const forger = generateSigningKey(randomBytes, remoteKey.keyId);
    const forged = hashAndSignEvent({ ...inviteEvent().pdu, signatures: {} } as unknown as UnsignedPdu, 'remote.test', forger, v10);
    assert.equal(signedBySender(checkInvite(request({ event: forged.pdu, eventId: forged.eventId })), keys), false);
  });

  it('co-signing adds our signature and keeps the sender\'s', () => {
    const checked = checkInvite(request());
    const signed = coSignEvent(checked.event, v10, 'hs.test', ourKey);
    assert.ok(verifyEventSignature(signed, v10, { serverName: 'hs.test', keyId: ourKey.keyId, publicKey: publicKeyBase64(ourKey) }));
    assert.equal(signedBySender({ ...checked, event: signed }, keys), true);
  });
});

describe('inbound invites: older room versions', () => {
  const keys = { [remoteKey.keyId]: publicKeyBase64(remoteKey) };
  /** An invite as Synapse 1.67 sends one in its default room version 9: with a top-level `origin`. */
  const v9Invite = () => inviteEvent({ origin: 'remote.test', origin_server_ts: 1_660_000_000_000 } as Partial<UnsignedPdu>, ROOM_VERSIONS['9'] as RoomVersion);

  it('a v9 invite (with origin) passes the checks and its signature verifies; the key must be valid at its origin_server_ts', () => {
    const { pdu, eventId } = v9Invite();
    const checked = checkInvite(request({ roomVersion: '9', event: pdu, eventId }));
    assert.equal(checked.version.id, '9');
    assert.equal((checked.event as unknown as { origin: string }).origin, 'remote.test');
    assert.equal(signedBySender(checked, keys), true);
    assert.equal(keyValidityTs(checked.event, checked.version), 1_660_000_000_000);
  });

  it('origin is covered: altered, the content hash fails (400 M_BAD_JSON); claimed as v11, whose redaction drops it, the event ID differs (400 M_INVALID_PARAM)', () => {
    const { pdu, eventId } = v9Invite();
    refused(request({ roomVersion: '9', event: { ...pdu, origin: 'evil.test' }, eventId }), 400, ErrCode.badJson);
    refused(request({ roomVersion: '11', event: pdu, eventId }), 400, ErrCode.invalidParam);
  });

  it('v3: the event ID is standard Base64; the URL-safe form of the same hash is refused (400 M_INVALID_PARAM)', () => {
    const v3 = ROOM_VERSIONS['3'] as RoomVersion;
    // Find an invite whose ID has a character where the two alphabets differ.
    let depth = 1;
    let built = inviteEvent({ depth }, v3);
    while (!/[+/]/.test(built.eventId)) built = inviteEvent({ depth: ++depth }, v3);
    assert.equal(checkInvite(request({ roomVersion: '3', event: built.pdu, eventId: built.eventId })).version.id, '3');
    const urlSafe = built.eventId.replaceAll('+', '-').replaceAll('/', '_');
    refused(request({ roomVersion: '3', event: built.pdu, eventId: urlSafe }), 400, ErrCode.invalidParam);
  });

  it('before v5 any published key verifies, whatever its validity period: the validity time is 0', () => {
    for (const id of ['3', '4']) {
      const { pdu, eventId } = inviteEvent({ origin_server_ts: 1_600_000_000_000 }, ROOM_VERSIONS[id] as RoomVersion);
      assert.equal(((c) => keyValidityTs(c.event, c.version))(checkInvite(request({ roomVersion: id, event: pdu, eventId }))), 0, id);
    }
  });
});
