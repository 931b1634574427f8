// Invites between two real `hearth serve` processes over loopback TLS (issue 15): alice of A invites
// bob of B (A has B co-sign the invite), bob rejects it (B queues the rejection in its outbox and
// delivers it with make_leave/send_leave), also while A is down and across B's restart, and B
// purges the room once bob forgot it. Polls with deadlines; asserts no timings.
import assert from 'node:assert/strict';
import SqliteDatabase from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { verifyEventSignature } from '../../src/core/events/signing.js';
import { REMOTE_LEAVE } from '../../src/core/federation/outbox-items.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import { rowsMentioning, type RawDatabase } from '../helpers/db-scan.js';
import { federationNetSkip, startHearths, type FederationNet, type NetHearth, type NetUser } from '../helpers/federation-net.js';
import { V3, type SyncEvent } from '../helpers/rest.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const room = (roomId: string, tail: string) => `${V3}/rooms/${encodeURIComponent(roomId)}/${tail}`;

/** Polls `check` (every 250 ms) until it returns a value, for at most `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function syncOf(hearth: NetHearth, user: NetUser, since?: string): Promise<Body> {
  const res = await hearth.call('GET', `${V3}/sync?timeout=0${since ? `&since=${encodeURIComponent(since)}` : ''}`, user.token);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Bob's membership events of the room as alice's server shows them, newest first. */
async function bobsMemberships(a: NetHearth, alice: NetUser, roomId: string, bobId: string): Promise<SyncEvent[]> {
  const res = await a.call('GET', room(roomId, 'messages?dir=b&limit=50'), alice.token);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body.chunk as SyncEvent[]).filter((e) => e.type === 'm.room.member' && e.state_key === bobId);
}

/** The outbox rows among `rowsMentioning`'s answer, parsed. */
function outboxRows(rows: string[]): Body[] {
  const prefix = 'federation_outbox: ';
  return rows.filter((r) => r.startsWith(prefix)).map((r) => JSON.parse(r.slice(prefix.length)) as Body);
}

/** The stored event (as JSON) of a Hearth's SQLite database, read behind its back. */
function storedEvent(database: RawDatabase, eventId: string): Body | undefined {
  assert.equal(database.kind, 'sqlite');
  const db = new SqliteDatabase(database.path, { readonly: true });
  try {
    const row = db.prepare('SELECT json FROM events WHERE event_id = ?').get(eventId) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as Body) : undefined;
  } finally {
    db.close();
  }
}

describe('invites across Hearths over loopback TLS', { skip: federationNetSkip, timeout: 240_000 }, () => {
  let net: FederationNet;
  let a: NetHearth;
  let b: NetHearth;
  let alice: NetUser;
  let bob: NetUser;

  before(async () => {
    net = await startHearths([
      { host: '127.0.0.21', users: ['alice'] },
      // Forgotten rooms are purged a second after (the job runs every second then).
      { host: '127.0.0.22', users: ['bob'], config: () => ({ forgotten_room_retention: '1s' }) },
    ]);
    [a, b] = net.hearths as [NetHearth, NetHearth];
    alice = a.users.alice!;
    bob = b.users.bob!;
  });
  after(() => net?.stop());

  /** Alice creates a room and invites bob; resolves once B's /sync shows the invite. */
  async function invitedRoom(name: string, since: string): Promise<{ roomId: string; invite: Body }> {
    const created = await a.call('POST', `${V3}/createRoom`, alice.token, { name, topic: `About ${name}` });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const roomId = String(created.body.room_id);
    const invited = await a.call('POST', room(roomId, 'invite'), alice.token, { user_id: bob.userId });
    assert.equal(invited.status, 200, JSON.stringify(invited.body));
    assert.deepEqual(invited.body, {});
    const invite = await until('the invite in B\'s /sync', 20_000, async () => (await syncOf(b, bob, since)).rooms?.invite?.[roomId] as Body | undefined);
    return { roomId, invite };
  }

  it('alice invites bob; bob rejects with a reason; A shows his leave; B purges the room once he forgot it', async () => {
    const start = String((await syncOf(b, bob)).next_batch);
    const { roomId, invite } = await invitedRoom('Garden', start);
    const stripped = invite.invite_state.events as Array<{ type: string; content: Body; sender: string }>;
    assert.equal(stripped.find((e) => e.type === 'm.room.name')?.content.name, 'Garden');
    assert.equal(stripped.find((e) => e.type === 'm.room.topic')?.content.topic, 'About Garden');
    const member = stripped.find((e) => e.type === 'm.room.member' && e.content.membership === 'invite');
    assert.equal(member?.sender, alice.userId);
    const afterInvite = String((await syncOf(b, bob, start)).next_batch);

    const left = await b.call('POST', room(roomId, 'leave'), bob.token, { reason: 'not now' });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    assert.deepEqual(left.body, {});
    const leaveSync = await until('the room in B\'s leave section', 20_000, async () => {
      const body = await syncOf(b, bob, afterInvite);
      return body.rooms?.leave?.[roomId] ? body : undefined;
    });
    assert.equal(leaveSync.rooms?.invite?.[roomId], undefined);

    const leave = await until('bob\'s leave on A', 30_000, async () => (await bobsMemberships(a, alice, roomId, bob.userId)).find((e) => e.content.membership === 'leave'));
    assert.equal(leave.sender, bob.userId);
    assert.equal(leave.content.reason, 'not now');
    const members = await a.call('GET', room(roomId, `state/m.room.member/${encodeURIComponent(bob.userId)}`), alice.token);
    assert.equal(members.status, 200, JSON.stringify(members.body));
    assert.equal(members.body.membership, 'leave');

    // Delivered: nothing is left in B's outbox.
    await until('B\'s outbox emptied', 20_000, async () => (outboxRows(await rowsMentioning(b.database, roomId)).length > 0 ? undefined : true));
    const forgot = await b.call('POST', room(roomId, 'forget'), bob.token, {});
    assert.equal(forgot.status, 200, JSON.stringify(forgot.body));
    const rows = await until('B purged the room', 30_000, async () => {
      const found = await rowsMentioning(b.database, roomId);
      return found.length === 0 ? found : undefined;
    });
    assert.deepEqual(rows, []);
  });

  it('bob rejects while A is down: the rejection survives B\'s restart and reaches A when it is back', async () => {
    const start = String((await syncOf(b, bob)).next_batch);
    const { roomId } = await invitedRoom('Cellar', start);
    const afterInvite = String((await syncOf(b, bob, start)).next_batch);

    await a.halt();
    const left = await b.call('POST', room(roomId, 'leave'), bob.token, { reason: 'A is away' });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    const leaveSync = await syncOf(b, bob, afterInvite);
    assert.ok(leaveSync.rooms?.leave?.[roomId], JSON.stringify(leaveSync.rooms));
    assert.equal(leaveSync.rooms?.invite?.[roomId], undefined);

    // B stops with the rejection queued in its outbox table, after its first attempt failed.
    await until('B\'s failed attempt', 20_000, async () => (outboxRows(await rowsMentioning(b.database, roomId)).some((r) => r.attempts === 1) ? true : undefined));
    await b.halt();
    const queued = outboxRows(await rowsMentioning(b.database, roomId));
    assert.equal(queued.length, 1, JSON.stringify(queued));
    assert.equal(queued[0]!.kind, REMOTE_LEAVE);
    assert.match(String(queued[0]!.payload), /A is away/);
    await a.resume();
    await b.resume();
    // Nobody acts: B's worker retries when the backoff (30 s at most after one failure) ends.
    const leave = await until('bob\'s leave on A', 75_000, async () => (await bobsMemberships(a, alice, roomId, bob.userId)).find((e) => e.content.membership === 'leave'));
    assert.equal(leave.sender, bob.userId);
    assert.equal(leave.content.reason, 'A is away');
  });

  it('A\'s stored invite carries B\'s signature (co-signed by the invitee\'s server)', async () => {
    const start = String((await syncOf(b, bob)).next_batch);
    const { roomId } = await invitedRoom('Attic', start);
    const [invite] = (await bobsMemberships(a, alice, roomId, bob.userId)).filter((e) => e.content.membership === 'invite');
    assert.ok(invite, 'the invite on A');
    // Signatures are not in the client format: A's database has the event as it federates.
    const stored = storedEvent(a.database, invite.event_id);
    assert.ok(stored, 'A stored the invite');
    const create = await a.call('GET', room(roomId, 'state/m.room.create'), alice.token);
    assert.equal(create.status, 200, JSON.stringify(create.body));
    const version = getRoomVersion(String(create.body.room_version));
    assert.ok(version, String(create.body.room_version));
    // The store keeps the event ID with the event; the PDU of these room versions has none.
    const { event_id: _eventId, ...pdu } = stored;
    for (const signer of [a, b]) {
      const signerKey = signer.signingKey.keyId;
      assert.ok(verifyEventSignature(pdu, version, { serverName: signer.serverName, keyId: signerKey, publicKey: signer.verifyKeys[signerKey]! }), signer.serverName);
    }
  });
});
