// Transactions from other servers (issue 15, receiving side of a rescind): `PUT
// /_matrix/federation/v1/send/{txnId}` takes one kind of PDU today, the inviting server's kick or
// ban of a local user it invited to a room Hearth holds out of band. It retires the invite as a
// local rescind would (/sync moves the room from invite to leave); everything else is a per-PDU
// error or, for a malformed transaction, a Matrix error, and stores nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { generateSigningKey, hashAndSignEvent, type SigningKey } from '../../src/core/events/signing.js';
import type { Pdu, UnsignedPdu } from '../../src/core/events/types.js';
import { MAX_TXN_PDUS, PDU_ERRORS } from '../../src/core/federation/inbound-pdu.js';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { ROOM_VERSIONS, type RoomVersion } from '../../src/core/room-versions.js';
import { randomBytes } from 'node:crypto';
import { forEachBackend } from '../helpers/backends.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { remoteServer, type RemoteServer } from '../helpers/remote-server.js';
import { rest, sync, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const SS = 'server-server';
const OURS = 'hs.test';
const DAY = 24 * 3600 * 1000;
const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const BOB = '@bob:remote.test' as UserId;
const EVE = '@eve:other.test' as UserId;
const inviteUrl = (roomId: string, eventId: string) => `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`;
const sendUrl = (txnId: string) => `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`;

forEachBackend('federation: /send transactions (rescinded invites)', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  const other = remoteServer('other.test', OURS);
  // The key ring as the listener sees it: each of the two servers' keys.
  const keys = {
    async keysFor(serverName: string, keyIds: readonly string[], atMs: number) {
      return (serverName === other.name ? other : remote).lookup.keysFor(serverName, keyIds, atMs);
    },
  };
  let s: TestServer;
  let fed: FastifyInstance;
  let alice: TestUser;
  let ts = 1_000;
  let txn = 0;

  const event = (server: RemoteServer, over: Partial<UnsignedPdu>, key: SigningKey = server.key): { pdu: Pdu; eventId: EventId } =>
    hashAndSignEvent({
      type: 'm.room.member', room_id: '!none:remote.test' as RoomId, sender: BOB, state_key: alice.userId, content: { membership: 'leave' },
      origin_server_ts: ++ts, depth: 9, prev_events: ['$prev' as EventId], auth_events: ['$auth' as EventId], ...over,
    }, server.name, key, v10);

  /** Bob of remote.test invites `invitee` to `roomId` (through the invite endpoint): the invite's ID. */
  async function invited(roomId: string, invitee: string = alice.userId): Promise<EventId> {
    const inv = event(remote, { room_id: roomId as RoomId, state_key: invitee, content: { membership: 'invite' } });
    const res = await remote.request(fed, 'PUT', inviteUrl(roomId, inv.eventId), { body: { room_version: '10', event: inv.pdu, invite_room_state: [] } });
    assert.equal(res.statusCode, 200, res.body);
    return inv.eventId;
  }
  const send = (server: RemoteServer, pdus: unknown[], over: Record<string, unknown> = {}, txnId = `t${++txn}`) =>
    server.request(fed, 'PUT', sendUrl(txnId), { body: { origin: server.name, origin_server_ts: ++ts, pdus, ...over } });
  /** A transaction that must be answered 200 with exactly `expected` as its `pdus`. */
  async function sendOk(server: RemoteServer, pdus: unknown[], expected: Record<string, unknown>, txnId = `t${++txn}`) {
    const res = await send(server, pdus, {}, txnId);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'PUT', sendUrl(txnId), SS);
    assert.deepEqual(res.json(), { pdus: expected });
  }
  const membershipOf = async (roomId: string, user: TestUser = alice) => (await s.app.store.memberships.get(roomId as RoomId, user.userId))?.membership;

  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true, config: { server_name: OURS, federation: { port: 0 } }, serverKeys: keys });
    fed = s.app.federationHttp!;
    await fed.ready();
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  for (const membership of ['leave', 'ban'] as const) {
    it(`a ${membership} of the invitee by the inviting server retires the invite: /sync moves the room from invite to leave; a retry stores nothing; forget and purge leave nothing`, async () => {
      const room = `!rescind-${membership}:remote.test`;
      const inviteId = await invited(room);
      const since = (await sync(s, alice)).next_batch;
      assert.ok((await sync(s, alice)).rooms.invite[room]);
      // A long-poll already waiting is woken by the rescind.
      const waiting = sync(s, alice, { since, timeout: 30_000 });
      const rescind = event(remote, { room_id: room as RoomId, content: { membership, reason: 'sorry' }, prev_events: [inviteId] });
      // With an `unsigned` of the sender's, which is not part of the event.
      await sendOk(remote, [{ ...rescind.pdu, unsigned: { age: 5 } }], { [rescind.eventId]: {} }, `rescind-${membership}`);

      const woken = await waiting;
      assert.equal(woken.rooms.invite[room], undefined);
      const timeline = woken.rooms.leave[room].timeline.events as Body[];
      assert.deepEqual(timeline.map((e) => [e.event_id, e.sender, e.state_key, e.content]), [[rescind.eventId, BOB, alice.userId, { membership, reason: 'sorry' }]]);
      assert.equal((await sync(s, alice)).rooms.invite[room], undefined);
      assert.equal(await membershipOf(room), membership);
      const stored = (await s.app.store.events.get(rescind.eventId))!.event;
      assert.deepEqual(stored, { ...rescind.pdu, event_id: rescind.eventId });
      assert.ok((await rowsMentioning(s.database, rescind.eventId)).length > 0);

      // The same transaction again (its answer lost): the same answer, nothing stored twice.
      const before = await s.app.store.events.maxPos();
      await sendOk(remote, [rescind.pdu], { [rescind.eventId]: {} }, `rescind-${membership}`);
      assert.equal(await s.app.store.events.maxPos(), before);

      // Leaving now is what it is in a Hearth room: already out (200), or banned (403).
      const leaveUrl = `${V3}/rooms/${encodeURIComponent(room)}/leave`;
      const leaving = await s.request('POST', leaveUrl, { token: alice.accessToken, body: {} });
      if (membership === 'ban') assertMatrixError(leaving, 403, 'M_FORBIDDEN', 'POST', leaveUrl);
      else assert.equal(leaving.statusCode, 200, leaving.body);
      assert.equal(await membershipOf(room), membership);

      await rest(s).forget(alice, room);
      s.clock.advance(8 * DAY);
      assert.ok((await s.app.purger!.runOnce()) >= 1);
      for (const id of [room, inviteId, rescind.eventId]) assert.deepEqual(await rowsMentioning(s.database, id), [], id);
    });
  }

  describe('hostile or unusable PDUs: an error entry each, nothing stored, the invite in force', () => {
    const room = '!hostile:remote.test';
    let inviteId: EventId;
    before(async () => { inviteId = await invited(room); });
    const leave = (over: Partial<UnsignedPdu> = {}, server: RemoteServer = remote, key?: SigningKey) =>
      event(server, { room_id: room as RoomId, prev_events: [inviteId], ...over }, key);

    const cases: Array<[string, () => Promise<{ server: RemoteServer; pdu: unknown; eventId: EventId }>, string]> = [
      ['a leave by a user of another server, sent by that server', async () => {
        const e = leave({ sender: EVE }, other);
        return { server: other, ...e };
      }, PDU_ERRORS.notInviter],
      ['a leave naming the inviter as sender, sent by another server', async () => {
        const e = leave({}, other);
        return { server: other, ...e };
      }, PDU_ERRORS.notFromOrigin],
      ['a forged signature (another key under the inviting server\'s key ID)', async () => {
        const e = leave({}, remote, { ...generateSigningKey(randomBytes), keyId: remote.key.keyId });
        return { server: remote, ...e };
      }, PDU_ERRORS.signature],
      ['no signature', async () => {
        const e = leave();
        return { server: remote, pdu: { ...e.pdu, signatures: {} }, eventId: e.eventId };
      }, PDU_ERRORS.signature],
      ['a content hash that does not match (content altered after signing)', async () => {
        const e = leave();
        const altered = { ...e.pdu, content: { membership: 'leave', reason: 'altered' } };
        // The reference hash covers no content of a member event but `membership`: the ID is the same.
        return { server: remote, pdu: altered, eventId: e.eventId };
      }, PDU_ERRORS.contentHash],
      ['a leave larger than 64 KiB', async () => ({ server: remote, ...leave({ content: { membership: 'leave', reason: 'x'.repeat(70_000) } }) }), PDU_ERRORS.tooLarge],
      ['a leave of a local user who is not invited', async () => {
        const bystander = await s.createUser(`by${++ts}`);
        return { server: remote, ...leave({ state_key: bystander.userId }) };
      }, PDU_ERRORS.notInvited],
      ['a join of the invitee', async () => ({ server: remote, ...leave({ content: { membership: 'join' } }) }), PDU_ERRORS.notParticipating],
      ['a message', async () => ({ server: remote, ...leave({ type: 'm.room.message', state_key: undefined, content: { body: 'hi' } } as Partial<UnsignedPdu>) }), PDU_ERRORS.notParticipating],
      ['an event that is not PDU-shaped (no depth)', async () => {
        const e = leave();
        const { depth: _depth, ...pdu } = e.pdu;
        return { server: remote, ...hashAndSignEvent(pdu as unknown as UnsignedPdu, 'remote.test', remote.key, v10) };
      }, PDU_ERRORS.notAPdu],
    ];
    for (const [name, make, error] of cases) {
      it(`${name}: "${error}"`, async () => {
        const { server, pdu, eventId } = await make();
        const before = await s.app.store.events.maxPos();
        await sendOk(server, [pdu], { [eventId]: { error } });
        assert.equal(await s.app.store.events.maxPos(), before);
        assert.deepEqual(await rowsMentioning(s.database, eventId), [], eventId);
        assert.equal(await membershipOf(room), 'invite');
      });
    }

    it('an event of a room Hearth hosts: "Hearth does not take part in this room", nothing stored', async () => {
      const roomId = await rest(s).createRoom(alice);
      const e = event(remote, { room_id: roomId as RoomId, content: { membership: 'join' }, state_key: BOB });
      const before = await s.app.store.events.maxPos();
      await sendOk(remote, [e.pdu], { [e.eventId]: { error: PDU_ERRORS.notParticipating } });
      assert.equal(await s.app.store.events.maxPos(), before);
      assert.deepEqual(await rowsMentioning(s.database, e.eventId), []);
    });

    it('PDUs Hearth can give no ID (not objects, no room, an unknown room) get no entry; the good PDU beside them is processed', async () => {
      const unknown = event(remote, { room_id: '!unknown:remote.test' as RoomId });
      const bystander = await s.createUser(`by${++ts}`);
      const bad = leave({ state_key: bystander.userId });
      const before = await s.app.store.events.maxPos();
      await sendOk(remote, [1, 'x', null, [], { type: 'm.room.member' }, unknown.pdu, bad.pdu], { [bad.eventId]: { error: PDU_ERRORS.notInvited } });
      assert.equal(await s.app.store.events.maxPos(), before);
      assert.deepEqual(await rowsMentioning(s.database, unknown.eventId), []);
      assert.deepEqual(await rowsMentioning(s.database, '!unknown:remote.test'), []);
    });

    it('a bad PDU does not fail the good one in the same transaction', async () => {
      const room2 = '!mixed:remote.test';
      const invite2 = await invited(room2);
      const good = event(remote, { room_id: room2 as RoomId, prev_events: [invite2] });
      const forged = leave({}, remote, { ...generateSigningKey(randomBytes), keyId: remote.key.keyId });
      await sendOk(remote, [forged.pdu, good.pdu], { [forged.eventId]: { error: PDU_ERRORS.signature }, [good.eventId]: {} });
      assert.equal(await membershipOf(room2), 'leave');
      assert.equal(await membershipOf(room), 'invite');
    });

    const malformed: Array<[string, () => Record<string, unknown>, number, string]> = [
      [`more than ${MAX_TXN_PDUS} PDUs`, () => ({ pdus: Array.from({ length: MAX_TXN_PDUS + 1 }, () => leave().pdu) }), 400, 'M_BAD_JSON'],
      ['more than 100 EDUs', () => ({ pdus: [leave().pdu], edus: Array.from({ length: 101 }, () => ({ edu_type: 'm.typing', content: {} })) }), 400, 'M_BAD_JSON'],
      ['pdus not an array', () => ({ pdus: { a: leave().pdu } }), 400, 'M_BAD_JSON'],
      ['no pdus', () => ({ pdus: undefined }), 400, 'M_MISSING_PARAM'],
      ['edus not an array', () => ({ pdus: [leave().pdu], edus: 'x' }), 400, 'M_BAD_JSON'],
      ['a body origin other than the authenticated server', () => ({ pdus: [leave().pdu], origin: 'other.test' }), 403, 'M_FORBIDDEN'],
    ];
    for (const [name, body, status, errcode] of malformed) {
      it(`${status} ${errcode} for ${name}, nothing stored`, async () => {
        const txnId = `bad${++txn}`;
        const b = body();
        const before = await s.app.store.events.maxPos();
        const res = await send(remote, [], b, txnId);
        assertMatrixError(res, status, errcode, 'PUT', sendUrl(txnId), SS);
        assert.equal(await s.app.store.events.maxPos(), before);
        assert.equal(await membershipOf(room), 'invite');
      });
    }

    it('EDUs are accepted and ignored', async () => {
      const res = await send(remote, [], { edus: [{ edu_type: 'm.typing', content: { room_id: room, user_id: BOB, typing: true } }] });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { pdus: {} });
    });
  });
}, describe);
