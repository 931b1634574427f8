// A rescinded invite across real `hearth serve` processes over loopback TLS (issue 15): Alice of
// Hearth A invites Bob of Hearth B (B co-signs and holds the room out of band), then kicks him.
// No one of B is joined, so A's outbox sends the kick to B in a `/v1/send` transaction, and B's
// /sync moves the room from `invite` to `leave`. Waits poll /sync with deadlines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { federationNetSkip, startHearths, type FederationNet, type NetHearth, type NetUser } from '../helpers/federation-net.js';
import { V3 } from '../helpers/rest.js';

/** The longest the rescind may take to reach B: the outbox's first attempt is at once, its retries later. */
const DEADLINE_MS = 60_000;

type SyncBody = { next_batch: string; rooms?: { invite?: Record<string, unknown>; leave?: Record<string, { timeline: { events: Array<Record<string, unknown>> } }> } };

describe('federation over loopback TLS: a rescinded invite', { skip: federationNetSkip, timeout: 240_000 }, () => {
  let net: FederationNet;
  let a: NetHearth;
  let b: NetHearth;
  let alice: NetUser;
  let bob: NetUser;
  let roomId: string;
  let since: string | undefined;

  before(async () => {
    net = await startHearths([{ host: '127.0.0.41', users: ['alice'] }, { host: '127.0.0.42', users: ['bob'] }]);
    [a, b] = net.hearths as [NetHearth, NetHearth];
    alice = a.users.alice!;
    bob = b.users.bob!;
  });
  after(() => net?.stop());

  /** Bob's /sync (a long-poll of at most 5 s from `since`) until `done` holds, or fails at the deadline. */
  async function syncUntil(what: string, done: (body: SyncBody) => boolean): Promise<SyncBody> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const query = since === undefined ? '' : `?since=${encodeURIComponent(since)}&timeout=5000`;
      const res = await b.call('GET', `${V3}/sync${query}`, bob.token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const body = res.body as unknown as SyncBody;
      since = body.next_batch;
      if (done(body)) return body;
      assert.ok(Date.now() < deadline, `B's /sync never showed ${what} within ${DEADLINE_MS} ms`);
    }
  }

  it('alice of A invites bob of B: B co-signs, and bob\'s /sync lists the room under invite', async () => {
    const created = await a.call('POST', `${V3}/createRoom`, alice.token, { preset: 'private_chat', name: 'Rescinded' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    roomId = created.body.room_id as string;
    const invited = await a.call('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/invite`, alice.token, { user_id: bob.userId });
    assert.equal(invited.status, 200, JSON.stringify(invited.body));
    await b.answered('/_matrix/federation/v2/invite/:roomId/:eventId', 200);
    await syncUntil('the invite', (body) => body.rooms?.invite?.[roomId] !== undefined);
  });

  it('alice kicks bob: within the deadline B\'s /sync moves the room from invite to leave, with A\'s kick', async () => {
    const kicked = await a.call('POST', `${V3}/rooms/${encodeURIComponent(roomId)}/kick`, alice.token, { user_id: bob.userId, reason: 'wrong person' });
    assert.equal(kicked.status, 200, JSON.stringify(kicked.body));
    const body = await syncUntil('the rescind', (s) => s.rooms?.leave?.[roomId] !== undefined);
    assert.equal(body.rooms?.invite?.[roomId], undefined);
    const events = body.rooms!.leave![roomId]!.timeline.events;
    assert.deepEqual(events.map((e) => [e.type, e.sender, e.state_key, e.content]),
      [['m.room.member', alice.userId, bob.userId, { membership: 'leave', reason: 'wrong person' }]]);
    await b.answered('/_matrix/federation/v1/send/:txnId', 200);
    // An initial sync no longer lists the invite either.
    const initial = await b.call('GET', `${V3}/sync`, bob.token);
    assert.equal(initial.status, 200, JSON.stringify(initial.body));
    assert.equal((initial.body as unknown as SyncBody).rooms?.invite?.[roomId], undefined);
  });
});
