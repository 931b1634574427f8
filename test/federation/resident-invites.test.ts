// The resident side of remote invites for rooms Hearth hosts (issue 15): inviting a user of another
// server (the invitee's server co-signs over /v2/invite, or /v1/invite), that user leaving through
// make_leave/send_leave, and a kick of the invited user queued for its server. Outbound requests go
// to FakePeers; inbound ones are signed by remote-server.ts. Both backends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { computeEventId } from '../../src/core/events/hashes.js';
import { generateSigningKey, publicKeyBase64, type SigningKey } from '../../src/core/events/signing-key.js';
import { hashAndSignEvent, verifyEventSignature } from '../../src/core/events/signing.js';
import type { Pdu, UnsignedPdu } from '../../src/core/events/types.js';
import { coSignEvent } from '../../src/core/federation/inbound-invite.js';
import { federationPdu } from '../../src/core/federation/pdu.js';
import { membershipOutboxKey, SEND_PDUS } from '../../src/core/federation/outbox-items.js';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import type { FederationRequestOptions } from '../../src/services/federation/federation-client.js';
import { forEachBackend } from '../helpers/backends.js';
import { FakePeers, refusal, type FakePeer } from '../helpers/fake-peers.js';
import { remoteServer } from '../helpers/remote-server.js';
import { rest, sync, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const SS = 'server-server';
const OURS = 'hs.test';
const STRIPPED = ['m.room.create', 'm.room.join_rules', 'm.room.name', 'm.room.avatar', 'm.room.topic', 'm.room.canonical_alias', 'm.room.encryption'];
const INVITE_V2 = /^\/_matrix\/federation\/v2\/invite\/([^/]+)\/([^/]+)$/;
const INVITE_V1 = /^\/_matrix\/federation\/v1\/invite\/([^/]+)\/([^/]+)$/;

type InviteBody = { room_version: string; event: Pdu; invite_room_state: Body[] };

/** What a well-behaved invitee server answers /v2/invite: the event with its signature added. */
function coSigner(peer: FakePeer, key: SigningKey = peer.key) {
  return (req: FederationRequestOptions) => {
    const body = req.body as InviteBody;
    return { event: coSignEvent(body.event, getRoomVersion(body.room_version)!, peer.name, key) };
  };
}

forEachBackend('federation: remote invites to rooms Hearth hosts', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  const ourKey = generateSigningKey(randomBytes);
  let s: TestServer;
  const peers = new FakePeers(() => s.clock.now());
  const peer = peers.add('peer.test');
  peer.on('PUT', INVITE_V2, coSigner(peer));
  // The same server as `remote`, seen from the outbound side: it co-signs invites of its users.
  const remotePeer = peers.add('remote.test', remote.key);
  remotePeer.on('PUT', INVITE_V2, coSigner(remotePeer));
  let fed: FastifyInstance;
  let alice: TestUser;
  let r: ReturnType<typeof rest>;

  before(async () => {
    s = await startTestServer({ backend, config: { server_name: OURS, federation: { port: 0 } }, serverKeys: remote.lookup, federationRequester: peers, signingKey: ourKey });
    fed = s.app.federationHttp!;
    await fed.ready();
    alice = await s.createUser('alice');
    r = rest(s);
  });
  after(() => s.close());

  const invite = (roomId: string, userId: string) =>
    s.request('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`, { token: alice.accessToken, body: { user_id: userId } });
  const membershipOf = async (roomId: string, userId: string) => (await s.app.store.memberships.get(roomId as RoomId, userId as UserId))?.membership;
  const headOf = async (roomId: string) => (await s.app.store.events.head(roomId as RoomId))?.eventId;
  const invitesTo = (server: string) => peers.to(server).filter((q) => /\/invite\//.test(q.path));

  describe('inviting a user of another server', () => {
    it('sends /v2/invite with the room version, the stripped state and the event; stores it with the peer\'s signature; /sync shows it', async () => {
      const roomId = await r.createRoom(alice, { name: 'Lobby', preset: 'private_chat' });
      const before = invitesTo('peer.test').length;
      const res = await invite(roomId, '@bob:peer.test');
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
      const sent = invitesTo('peer.test').slice(before);
      assert.equal(sent.length, 1);
      const { eventId } = (await s.app.store.memberships.get(roomId as RoomId, '@bob:peer.test' as UserId))!;
      assert.equal(sent[0]!.method, 'PUT');
      assert.equal(sent[0]!.path, `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`);
      const body = sent[0]!.body as InviteBody;
      const room = (await s.app.store.rooms.get(roomId as RoomId))!;
      assert.equal(body.room_version, room.version);
      const version = getRoomVersion(room.version)!;
      assert.equal(computeEventId(body.event as Pdu & { event_id?: never }, version), eventId, 'the path names the event sent');
      assert.equal(Object.hasOwn(body.event, 'event_id'), false);
      assert.deepEqual([body.event.type, body.event.state_key, body.event.sender, body.event.content['membership']], ['m.room.member', '@bob:peer.test', alice.userId, 'invite']);
      // Stripped state: the create event and the room's name among the stripped-state types, each in its federation form.
      const types = body.invite_room_state.map((e) => e.type as string).sort();
      assert.deepEqual(types, ['m.room.create', 'm.room.join_rules', 'm.room.name']);
      assert.ok(types.every((t) => STRIPPED.includes(t)));
      const name = body.invite_room_state.find((e) => e.type === 'm.room.name')!;
      assert.deepEqual([name.state_key, name.sender, name.content], ['', alice.userId, { name: 'Lobby' }]);
      assert.ok(body.invite_room_state.every((e) => e.event_id === undefined && e.signatures[OURS] !== undefined));

      const stored = (await s.app.store.events.get(eventId))!.event;
      const keyId = peer.key.keyId;
      assert.ok(verifyEventSignature(federationPdu(stored), version, { serverName: 'peer.test', keyId, publicKey: publicKeyBase64(peer.key) }));
      assert.ok(verifyEventSignature(federationPdu(stored), version, { serverName: OURS, keyId: ourKey.keyId, publicKey: publicKeyBase64(ourKey) }));
      assert.equal(stored.prev_events.length, 1);
      const timeline = (await sync(s, alice)).rooms.join[roomId].timeline.events as Body[];
      const shown = timeline.find((e) => e.event_id === eventId);
      assert.deepEqual([shown?.state_key, shown?.content.membership], ['@bob:peer.test', 'invite']);
    });

    it('PUT /state/m.room.member/{userId} with membership invite invites the remote user the same way', async () => {
      const roomId = await r.createRoom(alice);
      const eventId = await r.putState(alice, roomId, 'm.room.member', { membership: 'invite' }, '@frank:peer.test');
      assert.equal(await membershipOf(roomId, '@frank:peer.test'), 'invite');
      assert.ok((await s.app.store.events.get(eventId as EventId))!.event.signatures['peer.test']);
    });

    const refusals: [string, (p: FakePeer) => void, number, string][] = [
      ['the peer refuses (403)', (p) => p.on('PUT', INVITE_V2, () => { throw refusal(403, 'M_FORBIDDEN'); }), 403, 'M_FORBIDDEN'],
      ['the peer does not support the room version (400)', (p) => p.on('PUT', INVITE_V2, () => { throw refusal(400, 'M_INCOMPATIBLE_ROOM_VERSION'); }), 403, 'M_FORBIDDEN'],
      ['the peer fails (500)', (p) => p.on('PUT', INVITE_V2, () => { throw refusal(500, 'M_UNKNOWN'); }), 502, 'M_UNKNOWN'],
      ['the peer is down', (p) => { p.up = false; }, 502, 'M_UNKNOWN'],
      ['the peer signs with another key under its key ID', (p) => p.on('PUT', INVITE_V2, coSigner(p, { ...generateSigningKey(randomBytes), keyId: p.key.keyId })), 502, 'M_UNKNOWN'],
      ['the peer does not sign', (p) => p.on('PUT', INVITE_V2, (req) => ({ event: (req.body as InviteBody).event })), 502, 'M_UNKNOWN'],
      ['the peer answers a changed event', (p) => p.on('PUT', INVITE_V2, (req) => {
        const { event, room_version: v } = req.body as InviteBody;
        return { event: coSignEvent({ ...event, content: { ...event.content, membership: 'join' } }, getRoomVersion(v)!, p.name, p.key) };
      }), 502, 'M_UNKNOWN'],
      ['the peer answers no event', (p) => p.on('PUT', INVITE_V2, () => ({})), 502, 'M_UNKNOWN'],
    ];
    for (const [name, setUp, status, errcode] of refusals) {
      it(`${name}: ${status} ${errcode}, nothing stored`, async () => {
        const server = `refusing-${refusals.findIndex(([n]) => n === name)}.test`;
        setUp(peers.add(server));
        const roomId = await r.createRoom(alice);
        const head = await headOf(roomId);
        const res = await invite(roomId, `@bob:${server}`);
        const body = assertMatrixError(res, status, errcode, 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
        assert.match(body.error, new RegExp(server.replace(/\./g, '\\.')));
        assert.equal(await membershipOf(roomId, `@bob:${server}`), undefined);
        assert.equal(await headOf(roomId), head);
      });
    }

    it('a room that does not federate (m.federate false): 403 M_FORBIDDEN, no request sent', async () => {
      const roomId = await r.createRoom(alice, { creation_content: { 'm.federate': false } });
      const before = invitesTo('peer.test').length;
      const res = await invite(roomId, '@bob:peer.test');
      assertMatrixError(res, 403, 'M_FORBIDDEN', 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
      assert.equal(invitesTo('peer.test').length, before);
      assert.equal(await membershipOf(roomId, '@bob:peer.test'), undefined);
    });

    it('falls back to /v1/invite when the peer does not know v2 (404), and reads its [200, {event}]', async () => {
      const old = peers.add('old.test');
      old.on('PUT', INVITE_V1, (req) => {
        const event = { ...(req.body as Pdu) };
        delete event.unsigned;
        return [200, { event: coSignEvent(event, getRoomVersion('10')!, old.name, old.key) }];
      });
      const roomId = await r.createRoom(alice, { room_version: '10', name: 'Old' });
      const res = await invite(roomId, '@olga:old.test');
      assert.equal(res.statusCode, 200, res.body);
      const sent = invitesTo('old.test');
      assert.deepEqual(sent.map((q) => q.path.split('/')[3]), ['v2', 'v1']);
      const v1 = sent[1]!.body as Pdu & { unsigned: { invite_room_state: Body[] } };
      assert.equal(v1.state_key, '@olga:old.test');
      assert.ok(v1.unsigned.invite_room_state.some((e) => e.type === 'm.room.name'));
      const { eventId } = (await s.app.store.memberships.get(roomId as RoomId, '@olga:old.test' as UserId))!;
      assert.ok((await s.app.store.events.get(eventId))!.event.signatures['old.test']);
    });

    it('the room moved on during the remote call: the invite is built again on the new head', async () => {
      const busy = peers.add('busy.test');
      const roomId = await r.createRoom(alice);
      let calls = 0;
      let message = '';
      busy.on('PUT', INVITE_V2, async (req) => {
        // While the peer holds the first request, the room goes on: no lock is held meanwhile.
        if (++calls === 1) message = await r.send(alice, roomId, 'meanwhile');
        return coSigner(busy)(req);
      });
      const res = await invite(roomId, '@bea:busy.test');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(calls, 2);
      const sentIds = invitesTo('busy.test').map((q) => decodeURIComponent(q.path.split('/').pop()!));
      assert.notEqual(sentIds[0], sentIds[1]);
      const stored = (await s.app.store.events.get((await s.app.store.memberships.get(roomId as RoomId, '@bea:busy.test' as UserId))!.eventId))!;
      assert.equal(stored.event.event_id, sentIds[1]);
      assert.deepEqual(stored.event.prev_events, [message]);
      assert.equal(await s.app.store.events.get(sentIds[0] as EventId), undefined, 'the first build is not stored');
    });

    it('a room that keeps moving: 409 after 3 attempts, nothing stored', async () => {
      const restless = peers.add('restless.test');
      const roomId = await r.createRoom(alice);
      restless.on('PUT', INVITE_V2, async (req) => {
        await r.send(alice, roomId, 'again');
        return coSigner(restless)(req);
      });
      const res = await invite(roomId, '@rob:restless.test');
      assertMatrixError(res, 409, 'M_UNKNOWN', 'POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`);
      assert.equal(invitesTo('restless.test').length, 3);
      assert.equal(await membershipOf(roomId, '@rob:restless.test'), undefined);
    });
  });

  describe('make_leave and send_leave', () => {
    let roomId: string;
    let version: NonNullable<ReturnType<typeof getRoomVersion>>;
    const makeLeave = (userId: string, room = roomId) =>
      remote.request(fed, 'GET', `/_matrix/federation/v1/make_leave/${encodeURIComponent(room)}/${encodeURIComponent(userId)}`);
    const sendLeave = (event: unknown, eventId: string, v = 'v2', room = roomId) =>
      remote.request(fed, 'PUT', `/_matrix/federation/${v}/send_leave/${encodeURIComponent(room)}/${encodeURIComponent(eventId)}`, { body: event });
    /** The template from make_leave, with `change` applied, hashed and signed by `key` as remote.test. */
    const signedLeave = async (userId: string, change: (t: UnsignedPdu) => UnsignedPdu = (t) => t, key = remote.key) => {
      const res = await makeLeave(userId);
      assert.equal(res.statusCode, 200, res.body);
      const template = change(res.json().event as UnsignedPdu);
      const { pdu, eventId } = hashAndSignEvent(template, 'remote.test', key, version);
      return { pdu, eventId };
    };

    before(async () => {
      roomId = await r.createRoom(alice, { preset: 'private_chat' });
      version = getRoomVersion((await s.app.store.rooms.get(roomId as RoomId))!.version)!;
      for (const u of ['bob', 'carol', 'dan', 'eve']) assert.equal((await invite(roomId, `@${u}:remote.test`)).statusCode, 200);
    });

    it('make_leave: a template on the room\'s head for the invited user', async () => {
      const res = await makeLeave('@bob:remote.test');
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'GET', `/_matrix/federation/v1/make_leave/${encodeURIComponent(roomId)}/${encodeURIComponent('@bob:remote.test')}`, SS);
      const { room_version, event } = res.json();
      const head = (await s.app.store.events.head(roomId as RoomId))!;
      assert.equal(room_version, version.id);
      assert.deepEqual(
        [event.type, event.sender, event.state_key, event.content, event.room_id, event.prev_events, event.depth, event.origin],
        ['m.room.member', '@bob:remote.test', '@bob:remote.test', { membership: 'leave' }, roomId, [head.eventId], head.depth + 1, 'remote.test'],
      );
      assert.equal(event.origin_server_ts, s.clock.now());
      const bobInvite = (await s.app.store.memberships.get(roomId as RoomId, '@bob:remote.test' as UserId))!.eventId;
      assert.ok(event.auth_events.includes(bobInvite), 'the auth events include the user\'s current membership');
      assert.equal(event.hashes, undefined);
    });

    const makeLeaveRefusals: [string, string, () => string, number, string][] = [
      ['a user of another server than the origin', '@bob:elsewhere.test', () => roomId, 403, 'M_FORBIDDEN'],
      ['a user who is not invited', '@zoe:remote.test', () => roomId, 403, 'M_FORBIDDEN'],
      ['an unknown room', '@bob:remote.test', () => '!nothing:hs.test', 404, 'M_NOT_FOUND'],
    ];
    for (const [name, userId, room, status, errcode] of makeLeaveRefusals) {
      it(`make_leave for ${name}: ${status} ${errcode}`, async () => {
        const res = await makeLeave(userId, room());
        assertMatrixError(res, status, errcode, 'GET', `/_matrix/federation/v1/make_leave/${encodeURIComponent(room())}/${encodeURIComponent(userId)}`, SS);
      });
    }

    it('send_leave v2: the leave with its reason is in the room; a local member sees it in /sync and /messages', async () => {
      const since = (await sync(s, alice)).next_batch as string;
      const { pdu, eventId } = await signedLeave('@bob:remote.test', (t) => ({ ...t, content: { ...t.content, reason: 'not for me' } }));
      const res = await sendLeave(pdu, eventId);
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'PUT', `/_matrix/federation/v2/send_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`, SS);
      assert.deepEqual(res.json(), {});
      assert.equal(await membershipOf(roomId, '@bob:remote.test'), 'leave');
      const stored = (await s.app.store.events.get(eventId as EventId))!.event;
      assert.ok(stored.signatures['remote.test']);
      const timeline = (await sync(s, alice, { since })).rooms.join[roomId].timeline.events as Body[];
      const shown = timeline.find((e) => e.event_id === eventId);
      assert.deepEqual([shown?.sender, shown?.state_key, shown?.content], ['@bob:remote.test', '@bob:remote.test', { membership: 'leave', reason: 'not for me' }]);
      const chunk = (await r.messages(alice, roomId)).chunk as Body[];
      assert.equal(chunk[0].event_id, eventId);
      assert.equal(chunk[0].content.reason, 'not for me');
      // The same leave again (a retried request): accepted, not stored twice.
      const again = await sendLeave(pdu, eventId);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(await headOf(roomId), eventId);
    });

    it('send_leave v1 answers [200, {}]', async () => {
      const { pdu, eventId } = await signedLeave('@carol:remote.test');
      const res = await sendLeave(pdu, eventId, 'v1');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), [200, {}]);
      assert.equal(await membershipOf(roomId, '@carol:remote.test'), 'leave');
    });

    const other = generateSigningKey(randomBytes);
    const hostile: [string, () => Promise<{ body: unknown; eventId: string; v?: string }>, number, string][] = [
      ['a join instead of a leave', async () => signedOf('@dan:remote.test', (t) => ({ ...t, content: { membership: 'join' } })), 400, 'M_INVALID_PARAM'],
      ['a message event', async () => signedOf('@dan:remote.test', (t) => ({ ...t, type: 'm.room.message', content: { body: 'bzz' } })), 400, 'M_INVALID_PARAM'],
      ['a member event without a state key', async () => signedOf('@dan:remote.test', (t) => { const { state_key: _k, ...rest } = t; return rest; }), 400, 'M_INVALID_PARAM'],
      ['a leave for another user (state_key is not the sender)', async () => signedOf('@dan:remote.test', (t) => ({ ...t, state_key: '@eve:remote.test' })), 400, 'M_INVALID_PARAM'],
      ['a sender of another server than the origin', async () => signedOf('@dan:remote.test', (t) => ({ ...t, sender: '@dan:elsewhere.test' as UserId, state_key: '@dan:elsewhere.test' })), 400, 'M_INVALID_PARAM'],
      ['another room in the event than in the path', async () => signedOf('@dan:remote.test', (t) => ({ ...t, room_id: '!other:hs.test' as RoomId })), 400, 'M_INVALID_PARAM'],
      ['a content hash that does not match (content changed after signing)', async () => {
        const { pdu, eventId } = await signedLeave('@dan:remote.test');
        return { body: { ...pdu, content: { ...pdu.content, reason: 'added later' } }, eventId };
      }, 400, 'M_INVALID_PARAM'],
      ['a signature by another key under the origin\'s key ID', async () => signedOf('@dan:remote.test', (t) => t, { ...other, keyId: remote.key.keyId }), 400, 'M_INVALID_PARAM'],
      ['a signature by a key the origin does not have', async () => signedOf('@dan:remote.test', (t) => t, other), 400, 'M_INVALID_PARAM'],
      ['an event ID in the path that is not the event\'s', async () => {
        const { pdu } = await signedLeave('@dan:remote.test');
        return { body: pdu, eventId: '$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
      }, 400, 'M_INVALID_PARAM'],
      ['an event that is not a PDU (no hashes)', async () => {
        const { pdu, eventId } = await signedLeave('@dan:remote.test');
        const { hashes: _h, ...rest } = pdu;
        return { body: rest, eventId };
      }, 400, 'M_BAD_JSON'],
      ['auth events other than the room\'s', async () => signedOf('@dan:remote.test', (t) => ({ ...t, auth_events: t.auth_events.slice(1) })), 400, 'M_INVALID_PARAM'],
      ['a leave on another head (the room moved on after make_leave)', async () => {
        const leave = await signedLeave('@dan:remote.test');
        await r.send(alice, roomId, 'the room goes on');
        return { body: leave.pdu, eventId: leave.eventId };
      }, 409, 'M_UNKNOWN'],
    ];
    async function signedOf(userId: string, change: (t: UnsignedPdu) => UnsignedPdu, key?: SigningKey) {
      const { pdu, eventId } = await signedLeave(userId, change, key);
      return { body: pdu, eventId };
    }
    for (const [name, make, status, errcode] of hostile) {
      it(`send_leave refuses ${name}: ${status} ${errcode}, nothing stored`, async () => {
        const { body, eventId } = await make();
        const head = await headOf(roomId);
        const res = await sendLeave(body, eventId);
        assertMatrixError(res, status, errcode, 'PUT', `/_matrix/federation/v2/send_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`, SS);
        assert.equal(await membershipOf(roomId, '@dan:remote.test'), 'invite');
        assert.equal(await headOf(roomId), head);
        assert.equal(await s.app.store.events.get(eventId as EventId), undefined);
      });
    }

    it('after a refusal for a moved-on room, a new make_leave gives a leave that is accepted', async () => {
      const { pdu, eventId } = await signedLeave('@dan:remote.test');
      const res = await sendLeave(pdu, eventId);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await membershipOf(roomId, '@dan:remote.test'), 'leave');
    });
  });

  describe('rescinding the invite of a user of another server', () => {
    it('a kick of the invited user queues exactly one SEND_PDUS item with the kick for that server', async () => {
      const roomId = await r.createRoom(alice);
      assert.equal((await invite(roomId, '@ivan:peer.test')).statusCode, 200);
      const before = await s.app.store.outbox.count();
      // The delivery worker is told after the commit, so the first attempt is made at once.
      const worker = s.app.services.outbox;
      const wake = worker.wake;
      let woken = 0;
      worker.wake = () => { woken++; };
      const kick = await s.request('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/kick`, { token: alice.accessToken, body: { user_id: '@ivan:peer.test', reason: 'sorry' } });
      worker.wake = wake;
      assert.equal(kick.statusCode, 200, kick.body);
      assert.equal(await s.app.store.outbox.count(), before + 1);
      assert.equal(woken, 1);
      const kickId = (await s.app.store.memberships.get(roomId as RoomId, '@ivan:peer.test' as UserId))!.eventId;
      const item = (await s.app.store.outbox.get(membershipOutboxKey(roomId as RoomId, '@ivan:peer.test' as UserId)))!;
      assert.equal(item.kind, SEND_PDUS);
      assert.deepEqual(item.destinations, ['peer.test']);
      const pdus = item.payload['pdus'] as Body[];
      assert.equal(pdus.length, 1);
      assert.deepEqual([pdus[0].event_id, pdus[0].content], [kickId, { membership: 'leave', reason: 'sorry' }]);
      assert.equal(item.createdTs, s.clock.now());
    });

    it('a ban of an invited remote user is queued too; kicks and bans of local users are not', async () => {
      const bob = await s.createUser('bob');
      const roomId = await r.createRoom(alice);
      assert.equal((await invite(roomId, '@jon:peer.test')).statusCode, 200);
      await r.invite(alice, roomId, bob);
      const before = await s.app.store.outbox.count();
      await r.kick(alice, roomId, bob);
      assert.equal(await s.app.store.outbox.count(), before);
      const ban = await s.request('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/ban`, { token: alice.accessToken, body: { user_id: '@jon:peer.test' } });
      assert.equal(ban.statusCode, 200, ban.body);
      assert.equal(await s.app.store.outbox.count(), before + 1);
      const item = (await s.app.store.outbox.get(membershipOutboxKey(roomId as RoomId, '@jon:peer.test' as UserId)))!;
      assert.equal((item.payload['pdus'] as Body[])[0].content.membership, 'ban');
    });
  });
}, describe);
