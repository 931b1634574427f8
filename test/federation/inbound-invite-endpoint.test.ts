// Invites from other servers (issue 15, inbound side): `PUT /_matrix/federation/v2/invite/...`
// co-signs and stores an invite of a local user to a room Hearth holds only out of band; /sync
// shows it with the stripped state the inviting server sent; rejecting it stores a local leave and
// queues the rejection for the room's servers in the same transaction; every refusal stores nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { generateSigningKey, hashAndSignEvent, publicKeyBase64, verifyEventSignature, type SigningKey } from '../../src/core/events/signing.js';
import type { Pdu, UnsignedPdu } from '../../src/core/events/types.js';
import { MAX_INVITE_ROOM_STATE, type StrippedStateEvent } from '../../src/core/federation/inbound-invite.js';
import { membershipOutboxKey, REMOTE_LEAVE } from '../../src/core/federation/outbox-items.js';
import type { EventId, RoomId, UserId } from '../../src/core/ids.js';
import { ROOM_VERSIONS, type RoomVersion } from '../../src/core/room-versions.js';
import { REMOTE_ROOM } from '../../src/services/events/room-writer.js';
import { forEachBackend } from '../helpers/backends.js';
import { rawExec, rowsMentioning } from '../helpers/db-scan.js';
import { remoteServer } from '../helpers/remote-server.js';
import { rest, sync, V3, type Body } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const SS = 'server-server';
const OURS = 'hs.test';
const DAY = 24 * 3600 * 1000;
const v10 = ROOM_VERSIONS['10'] as RoomVersion;
const BOB = '@bob:remote.test' as UserId;
const inviteUrl = (roomId: string, eventId: string) => `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`;
const stripped = (type: string, sender: string, content: Record<string, unknown>): StrippedStateEvent =>
  ({ type, state_key: '', sender, content: content as StrippedStateEvent['content'] });

forEachBackend('federation: invites from other servers', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  const ourKey = generateSigningKey(randomBytes);
  let s: TestServer;
  let fed: FastifyInstance;
  let alice: TestUser;
  let ts = 1_000;

  /** An invite of `invitee` to `roomId` by Bob of remote.test, signed by remote.test unless `key` says otherwise. */
  function invite(invitee: string, roomId: string, over: Partial<UnsignedPdu> = {}, key: SigningKey = remote.key): { pdu: Pdu; eventId: EventId } {
    const unsigned: UnsignedPdu = {
      type: 'm.room.member', room_id: roomId as RoomId, sender: BOB, state_key: invitee, content: { membership: 'invite' },
      origin_server_ts: ++ts, depth: 7, prev_events: ['$prev' as EventId], auth_events: ['$create' as EventId], ...over,
    };
    return hashAndSignEvent(unsigned, 'remote.test', key, v10);
  }
  const put = (roomId: string, eventId: string, body: Record<string, unknown>) => remote.request(fed, 'PUT', inviteUrl(roomId, eventId), { body });
  const body = (pdu: unknown, inviteRoomState: unknown[] = [], roomVersion = '10') => ({ room_version: roomVersion, event: pdu, invite_room_state: inviteRoomState });
  const maxPos = () => s.app.store.events.maxPos();

  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true, signingKey: ourKey, config: { server_name: OURS, federation: { port: 0 } }, serverKeys: remote.lookup });
    fed = s.app.federationHttp!;
    await fed.ready();
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  describe('an invite, its rejection, a new invite, forget and purge', () => {
    const room = '!abc:origin.test';
    const state1 = [
      stripped('m.room.create', '@carol:origin.test', { creator: '@carol:origin.test', room_version: '10' }),
      stripped('m.room.name', '@dan:third.test', { name: 'Elsewhere' }),
      stripped('m.room.join_rules', BOB, { join_rule: 'invite' }),
    ];
    let first: { pdu: Pdu; eventId: EventId };
    let since: string;
    let leaveId: string;

    it('200 with the event co-signed by Hearth, the sender\'s keys looked up at the event\'s time; /sync shows the invite at once', async () => {
      since = (await sync(s, alice)).next_batch;
      // A long-poll already waiting is woken by the invite.
      const waiting = sync(s, alice, { since, timeout: 30_000 });
      // With the legacy `origin`, which the spec's InviteEvent schema still requires of the answer
      // (it is the peer's event, returned untouched but for Hearth's signature).
      first = invite(alice.userId, room, { origin: 'remote.test' } as Partial<UnsignedPdu>);
      const res = await put(room, first.eventId, body(first.pdu, state1));
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'PUT', inviteUrl(room, first.eventId), SS);
      const returned = res.json().event as Pdu;
      assert.deepEqual({ ...returned, signatures: {} }, { ...first.pdu, signatures: {} });
      assert.deepEqual(returned.signatures['remote.test'], first.pdu.signatures['remote.test']);
      assert.deepEqual(Object.keys(returned.signatures).sort(), ['hs.test', 'remote.test']);
      assert.ok(verifyEventSignature(returned, v10, { serverName: OURS, keyId: ourKey.keyId, publicKey: publicKeyBase64(ourKey) }));
      assert.deepEqual(remote.lookup.asked.at(-1), { serverName: 'remote.test', keyIds: [remote.key.keyId], atMs: first.pdu.origin_server_ts });

      const woken = await waiting;
      const entry = woken.rooms.invite[room];
      assert.ok(entry, JSON.stringify(woken.rooms));
      const events = entry.invite_state.events as Body[];
      assert.deepEqual(events.slice(0, 3), state1);
      assert.deepEqual([events.length, events[3].event_id, events[3].type, events[3].sender, events[3].state_key, events[3].content],
        [4, first.eventId, 'm.room.member', BOB, alice.userId, { membership: 'invite' }]);
      since = woken.next_batch;
      // An initial sync shows it too.
      assert.deepEqual((await sync(s, alice)).rooms.invite[room].invite_state.events, events);
    });

    it('the same invite again (a retry) is answered the same, and stores nothing new', async () => {
      const before = await maxPos();
      const res = await put(room, first.eventId, body(first.pdu, state1));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().event.signatures['hs.test'], { [ourKey.keyId]: res.json().event.signatures['hs.test'][ourKey.keyId] });
      assert.equal(await maxPos(), before);
    });

    it('rejecting: 200 at once, a leave signed here after the invite, /sync moves the room to leave, the rejection queued for the room\'s servers', async () => {
      const res = await s.request('POST', `${V3}/rooms/${encodeURIComponent(room)}/leave`, { token: alice.accessToken, body: { reason: 'no thanks' } });
      assert.equal(res.statusCode, 200, res.body);
      assertSpecResponse(res, 'POST', `${V3}/rooms/${encodeURIComponent(room)}/leave`);
      const next = await sync(s, alice, { since });
      assert.equal(next.rooms.invite[room], undefined);
      const timeline = next.rooms.leave[room].timeline.events as Body[];
      assert.deepEqual(timeline.map((e) => [e.type, e.sender, e.state_key, e.content]), [['m.room.member', alice.userId, alice.userId, { membership: 'leave', reason: 'no thanks' }]]);
      assert.deepEqual(next.rooms.leave[room].state.events, []);
      leaveId = timeline[0].event_id;
      const stored = (await s.app.store.events.get(leaveId as EventId))!.event;
      assert.deepEqual([stored.prev_events, stored.auth_events, stored.depth], [[first.eventId], [first.eventId], 8]);
      const { event_id: _id, ...pdu } = stored;
      assert.ok(verifyEventSignature(pdu, v10, { serverName: OURS, keyId: ourKey.keyId, publicKey: publicKeyBase64(ourKey) }));

      // The commit woke the delivery worker; no server is reachable here, so one failed attempt.
      await s.app.services.outbox.runOnce();
      const item = await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId));
      assert.ok(item);
      assert.deepEqual([item.kind, item.destinations, item.payload, item.attempts], [
        REMOTE_LEAVE, ['remote.test', 'origin.test', 'third.test'], { roomId: room, userId: alice.userId, roomVersion: '10', reason: 'no thanks' }, 1,
      ]);
      since = next.next_batch;
    });

    it('leaving again: 200 without a new event or a new outbox item; initial sync lists the room only with include_leave', async () => {
      const before = await maxPos();
      const itemBefore = await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId));
      await rest(s).leave(alice, room);
      assert.equal(await maxPos(), before);
      assert.deepEqual(await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId)), itemBefore);
      assert.equal((await sync(s, alice)).rooms.leave[room], undefined);
      const withLeave = await sync(s, alice, `filter=${encodeURIComponent(JSON.stringify({ room: { include_leave: true } }))}`);
      // As a locally rejected invite: the user's own membership events, no room state.
      assert.deepEqual((withLeave.rooms.leave[room].timeline.events as Body[]).map((e) => e.event_id), [first.eventId, leaveId]);
      assert.deepEqual(withLeave.rooms.leave[room].state.events, []);
    });

    it('a new invite replaces the stripped state and cancels the queued rejection, in the same transaction', async () => {
      const second = invite(alice.userId, room);
      const state2 = [stripped('m.room.name', BOB, { name: 'Renamed' })];
      const res = await put(room, second.eventId, body(second.pdu, state2));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId)), undefined);
      const next = await sync(s, alice, { since });
      assert.deepEqual((next.rooms.invite[room].invite_state.events as Body[]).map((e) => e.event_id ?? e.content.name), ['Renamed', second.eventId]);
      // PUT state m.room.member leave for oneself rejects it too.
      const url = `${V3}/rooms/${encodeURIComponent(room)}/state/m.room.member/${encodeURIComponent(alice.userId)}`;
      const left = await s.request('PUT', url, { token: alice.accessToken, body: { membership: 'leave', reason: 'still no' } });
      assert.equal(left.statusCode, 200, left.body);
      assert.equal((await s.app.store.events.get(left.json().event_id))?.event.content.reason, 'still no');
      assert.equal((await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId)))?.payload.reason, 'still no');
    });

    it('forget, then the purge deletes every row of the room once its rejection was delivered', async () => {
      const eventIds = (await s.app.store.events.page(room as RoomId, { dir: 'f', limit: 10 })).map((e) => e.event.event_id);
      assert.equal(eventIds.length, 4);
      await rest(s).forget(alice, room);
      // The worker delivers the rejection and removes its item (the purge does not wait for it).
      const item = (await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, alice.userId)))!;
      assert.equal(await s.app.store.outbox.remove(item.id), true);
      s.clock.advance(8 * DAY);
      assert.ok((await s.app.purger!.runOnce()) >= 1);
      assert.equal(await s.app.store.rooms.get(room as RoomId), undefined);
      for (const id of [room, ...eventIds]) assert.deepEqual(await rowsMentioning(s.database, id), [], id);
    });
  });

  describe('refusals store nothing', () => {
    const room = '!refused:remote.test';
    const nothingStored = async (...ids: string[]) => {
      for (const id of ids) assert.deepEqual(await rowsMentioning(s.database, id), [], id);
    };
    const cases: Array<[string, () => Promise<{ roomId: string; eventId: string; body: Record<string, unknown> }>, number, string]> = [
      ['an unsupported room version', async () => {
        const { pdu, eventId } = invite(alice.userId, room);
        return { roomId: room, eventId, body: body(pdu, [], '1') };
      }, 400, 'M_INCOMPATIBLE_ROOM_VERSION'],
      ['an invitee of another server', async () => {
        const { pdu, eventId } = invite('@alice:elsewhere.test', room);
        return { roomId: room, eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
      ['an unknown invitee', async () => {
        const { pdu, eventId } = invite('@nobody:hs.test', room);
        return { roomId: room, eventId, body: body(pdu) };
      }, 404, 'M_NOT_FOUND'],
      ['a deactivated invitee', async () => {
        const gone = await s.createUser(`gone${ts}`);
        await s.app.store.accounts.setDeactivated(gone.userId);
        const { pdu, eventId } = invite(gone.userId, room);
        return { roomId: room, eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
      ['an event ID that does not match the event', async () => {
        const { pdu } = invite(alice.userId, room);
        return { roomId: room, eventId: invite(alice.userId, room).eventId, body: body(pdu) };
      }, 400, 'M_INVALID_PARAM'],
      ['a content hash that does not match (content altered after signing)', async () => {
        const { pdu, eventId } = invite(alice.userId, room);
        return { roomId: room, eventId, body: body({ ...pdu, content: { membership: 'invite', displayname: 'changed' } }) };
      }, 400, 'M_BAD_JSON'],
      ['an event that is not an invite', async () => {
        const { pdu, eventId } = invite(alice.userId, room, { content: { membership: 'join' } });
        return { roomId: room, eventId, body: body(pdu) };
      }, 400, 'M_BAD_JSON'],
      ['a sender who is not of the requesting server', async () => {
        const { pdu, eventId } = invite(alice.userId, room, { sender: '@bob:other.test' as UserId });
        return { roomId: room, eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
      ['a forged sender signature (another key under the same key ID)', async () => {
        const { pdu, eventId } = invite(alice.userId, room, {}, { ...generateSigningKey(randomBytes), keyId: remote.key.keyId });
        return { roomId: room, eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
      ['no sender signature', async () => {
        const { pdu, eventId } = invite(alice.userId, room);
        return { roomId: room, eventId, body: body({ ...pdu, signatures: {} }) };
      }, 403, 'M_FORBIDDEN'],
      ['too much stripped state', async () => {
        const { pdu, eventId } = invite(alice.userId, room);
        return { roomId: room, eventId, body: body(pdu, Array.from({ length: MAX_INVITE_ROOM_STATE + 1 }, () => stripped('m.room.name', BOB, { name: 'n' }))) };
      }, 400, 'M_BAD_JSON'],
      ['the ID of a Hearth room', async () => {
        const roomId = await rest(s).createRoom(alice);
        const { pdu, eventId } = invite(alice.userId, roomId);
        return { roomId, eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
      ['an event larger than 64 KiB', async () => {
        const { pdu, eventId } = invite(alice.userId, room, { content: { membership: 'invite', padding: 'x'.repeat(70_000) } });
        return { roomId: room, eventId, body: body(pdu) };
      }, 400, 'M_BAD_JSON'],
      ['a room ID of this server that no room has', async () => {
        const { pdu, eventId } = invite(alice.userId, '!madeup:hs.test');
        return { roomId: '!madeup:hs.test', eventId, body: body(pdu) };
      }, 403, 'M_FORBIDDEN'],
    ];
    for (const [name, make, status, errcode] of cases) {
      it(`${status} ${errcode} for ${name}`, async () => {
        const { roomId, eventId, body: b } = await make();
        const before = await maxPos();
        const res = await put(roomId, eventId, b);
        assertMatrixError(res, status, errcode, 'PUT', inviteUrl(roomId, eventId), SS);
        assert.equal(await maxPos(), before);
        await nothingStored(eventId, ...(roomId === room || roomId.endsWith(':hs.test') && roomId.startsWith('!madeup') ? [roomId] : []));
      });
    }

    it('the v1 invite endpoint (room versions 1 and 2) is not served: 404 M_UNRECOGNIZED', async () => {
      const { pdu, eventId } = invite(alice.userId, room);
      const url = `/_matrix/federation/v1/invite/${encodeURIComponent(room)}/${encodeURIComponent(eventId)}`;
      const res = await remote.request(fed, 'PUT', url, { body: pdu });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().errcode, 'M_UNRECOGNIZED');
      await nothingStored(eventId, room);
    });
  });

  it('deactivating an invited user rejects the invite: the leave stored, the rejection queued', async () => {
    const room = '!deactivated:remote.test';
    const carol = await s.createUser('carol');
    const inv = invite(carol.userId, room);
    assert.equal((await put(room, inv.eventId, body(inv.pdu))).statusCode, 200);
    const first = await s.request('POST', `${V3}/account/deactivate`, { token: carol.accessToken, body: {} });
    const auth = { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: carol.userId }, password: carol.password };
    const done = await s.request('POST', `${V3}/account/deactivate`, { token: carol.accessToken, body: { auth } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await s.app.store.memberships.get(room as RoomId, carol.userId))?.membership, 'leave');
    assert.deepEqual((await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, carol.userId)))?.destinations, ['remote.test']);
  });

  it('an invite that can no longer be read can still be rejected: the leave follows its ID, the rejection goes to the room\'s other servers', async () => {
    const room = '!damaged:origin.test';
    const dave = await s.createUser('dave');
    const inv = invite(dave.userId, room);
    assert.equal((await put(room, inv.eventId, body(inv.pdu, [{ type: 'm.room.name', state_key: '', sender: '@x:third.test', content: { name: 'n' } }]))).statusCode, 200);
    await rawExec(s.database, "UPDATE events SET json = '{broken' WHERE event_id = $1", [inv.eventId]);
    const url = `${V3}/rooms/${encodeURIComponent(room)}/leave`;
    const res = await s.request('POST', url, { token: dave.accessToken, body: { reason: 'broken' } });
    assert.equal(res.statusCode, 200, res.body);
    const m = (await s.app.store.memberships.get(room as RoomId, dave.userId))!;
    assert.equal(m.membership, 'leave');
    const leave = (await s.app.store.events.get(m.eventId))!.event;
    assert.deepEqual([leave.prev_events, leave.auth_events, leave.depth, leave.content], [[inv.eventId], [inv.eventId], 1, { membership: 'leave', reason: 'broken' }]);
    assert.deepEqual((await s.app.store.outbox.get(membershipOutboxKey(room as RoomId, dave.userId)))?.destinations, ['origin.test', 'third.test']);
  });

  describe('nothing else can be done in an out-of-band room', () => {
    const room = '!closed:remote.test';
    let bob: TestUser;
    let inviteId: EventId;
    before(async () => {
      bob = await s.createUser('bobby');
      const inv = invite(alice.userId, room);
      inviteId = inv.eventId;
      assert.equal((await put(room, inv.eventId, body(inv.pdu))).statusCode, 200);
    });

    const r = (path: string) => `${V3}/rooms/${encodeURIComponent(room)}${path}`;
    const attempts = (): Array<[string, 'GET' | 'PUT' | 'POST', string, unknown?]> => [
      ['join', 'POST', r('/join'), {}],
      ['join by ID', 'POST', `${V3}/join/${encodeURIComponent(room)}`, {}],
      ['knock', 'POST', `${V3}/knock/${encodeURIComponent(room)}`, {}],
      ['send', 'PUT', r(`/send/m.room.message/t${++ts}`), { msgtype: 'm.text', body: 'hi' }],
      ['state PUT', 'PUT', r('/state/m.room.topic/'), { topic: 't' }],
      ['invite another', 'POST', r('/invite'), { user_id: bob.userId }],
      ['kick', 'POST', r('/kick'), { user_id: bob.userId }],
      ['ban', 'POST', r('/ban'), { user_id: bob.userId }],
      ['redact', 'PUT', r(`/redact/${encodeURIComponent(inviteId)}/t${++ts}`), {}],
      ['typing', 'PUT', r(`/typing/${encodeURIComponent(alice.userId)}`), { typing: true, timeout: 1000 }],
      ['receipt', 'POST', r(`/receipt/m.read/${encodeURIComponent(inviteId)}`), {}],
      ['state', 'GET', r('/state')],
      ['members', 'GET', r('/members')],
      ['joined_members', 'GET', r('/joined_members')],
    ];

    for (const phase of ['invited', 'after rejecting'] as const) {
      it(`${phase}: join, send, state, membership of others, typing, receipts and room state are 403 M_FORBIDDEN, and write nothing`, async () => {
        if (phase === 'after rejecting') await rest(s).leave(alice, room);
        const before = await maxPos();
        for (const [name, method, url, b] of attempts()) {
          const res = await s.request(method, url, { token: alice.accessToken, ...(b === undefined ? {} : { body: b }) });
          assert.equal(res.statusCode, 403, `${name}: ${res.body}`);
          assert.equal(res.json().errcode, 'M_FORBIDDEN', `${name}: ${res.body}`);
          // Writes say why (the room writer's one guard); reads answer as for any room the user is not in.
          if (method !== 'GET' && !['typing', 'receipt'].includes(name)) assert.equal(res.json().error, REMOTE_ROOM, name);
        }
        assert.equal(await maxPos(), before);
      });
    }

    it('after rejecting, history reads show the user their own membership events only, as for a local rejected invite', async () => {
      const messages = await rest(s).messages(alice, room);
      assert.deepEqual((messages.chunk as Body[]).map((e) => e.content.membership), ['leave', 'invite']);
      const ctx = await s.request('GET', r(`/context/${encodeURIComponent(inviteId)}`), { token: alice.accessToken });
      assert.equal(ctx.statusCode, 200, ctx.body);
      assert.deepEqual(ctx.json().state, []);
      const ev = await s.request('GET', r(`/event/${encodeURIComponent(inviteId)}`), { token: alice.accessToken });
      assert.equal(ev.statusCode, 200, ev.body);
      // Someone never invited: as for any room they are not in.
      const other = await s.request('GET', r('/messages?dir=b'), { token: bob.accessToken });
      assertMatrixError(other, 403, 'M_FORBIDDEN', 'GET', r('/messages'));
    });
  });
}, describe);

forEachBackend('federation: invites from other servers, rate limited per inviter', (backend) => {
  const remote = remoteServer('remote.test', OURS);
  let s: TestServer;
  let fed: FastifyInstance;
  before(async () => {
    s = await startTestServer({
      backend, sqliteFile: true, serverKeys: remote.lookup,
      config: { server_name: OURS, federation: { port: 0 }, rate_limits: { enabled: true, invite: { per_second: 0.001, burst: 2 } } },
    });
    fed = s.app.federationHttp!;
    await fed.ready();
  });
  after(() => s.close());

  it('rate_limits.invite: a remote server past the burst for one invitee gets 429 M_LIMIT_EXCEEDED and nothing is stored, whatever sender it names; another invitee is not held back', async () => {
    const alice = await s.createUser('alice');
    const other = await s.createUser('other');
    const send = (sender: string, n: number, invitee = alice.userId) => {
      const roomId = `!limited${n}:remote.test`;
      const unsigned: UnsignedPdu = {
        type: 'm.room.member', room_id: roomId as RoomId, sender: sender as UserId, state_key: invitee, content: { membership: 'invite' },
        origin_server_ts: n, depth: 1, prev_events: [], auth_events: [],
      };
      const { pdu, eventId } = hashAndSignEvent(unsigned, 'remote.test', remote.key, v10);
      return { eventId, roomId, res: remote.request(fed, 'PUT', inviteUrl(roomId, eventId), { body: { room_version: '10', event: pdu } }) };
    };
    for (const n of [1, 2]) assert.equal((await send(BOB, n).res).statusCode, 200);
    const limited = send(BOB, 3);
    const res = await limited.res;
    assertMatrixError(res, 429, 'M_LIMIT_EXCEEDED', 'PUT', inviteUrl(limited.roomId, limited.eventId), SS);
    assert.deepEqual(await rowsMentioning(s.database, limited.eventId), []);
    assert.deepEqual(await rowsMentioning(s.database, limited.roomId), []);
    const renamed = send('@eve:remote.test', 4);
    assertMatrixError(await renamed.res, 429, 'M_LIMIT_EXCEEDED', 'PUT', inviteUrl(renamed.roomId, renamed.eventId), SS);
    assert.equal((await send(BOB, 5, other.userId).res).statusCode, 200);
  });
}, describe);
