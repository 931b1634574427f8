// The federation outbox worker against fake peers: remote leaves (make_leave, check, sign,
// send_leave v2 or v1) through destinations in order, PDU transactions, back-off and retries on
// the test server's clock, supersession during an attempt, restarts and two workers on one database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkContentHash, computeReferenceHash, eventIdFromReferenceHash } from '../../src/core/events/hashes.js';
import { generateSigningKey, publicKeyBase64, verifyEventSignature } from '../../src/core/events/signing.js';
import { membershipOutboxKey, REMOTE_LEAVE, SEND_PDUS } from '../../src/core/federation/outbox-items.js';
import type { RoomId, UserId } from '../../src/core/ids.js';
import type { JsonObject } from '../../src/core/json.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import type { FederationRequestOptions } from '../../src/services/federation/federation-client.js';
import { createOutboxWorker } from '../../src/services/federation/outbox.js';
import { OUTBOX_BACKOFF, OUTBOX_LEASE_MS } from '../../src/services/federation/outbox-worker.js';
import { outboxTxnId } from '../../src/services/federation/send-pdus-delivery.js';
import { openStore } from '../../src/storage/open.js';
import { forEachBackend } from '../helpers/backends.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakePeers, refusal, type FakePeer } from '../helpers/fake-peers.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const ME = '@me:hs.test' as UserId;
const KEY = generateSigningKey(randomBytes);
const V10 = getRoomVersion('10')!;
const PREV = `$${'p'.repeat(43)}`;
const AUTH = `$${'a'.repeat(43)}`;
const MAKE_LEAVE = /^\/_matrix\/federation\/v1\/make_leave\/([^/]+)\/([^/]+)$/;
const SEND_LEAVE_V2 = /^\/_matrix\/federation\/v2\/send_leave\/([^/]+)\/([^/]+)$/;
const SEND_LEAVE_V1 = /^\/_matrix\/federation\/v1\/send_leave\/([^/]+)\/([^/]+)$/;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** A make_leave answer as a resident server gives it, `change` applied to its event. */
function template(req: FederationRequestOptions, match: RegExpMatchArray, change: Record<string, unknown> = {}): Record<string, unknown> {
  const roomId = decodeURIComponent(match[1]!);
  const userId = decodeURIComponent(match[2]!);
  return {
    room_version: '10',
    event: {
      type: 'm.room.member', room_id: roomId, sender: userId, state_key: userId, content: { membership: 'leave' },
      origin: req.destination, origin_server_ts: 1, depth: 12, prev_events: [PREV], auth_events: [AUTH], ...change,
    },
  };
}

/** Waits (up to a generous bound) for something the background worker does. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 3000 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(await condition(), 'the condition never held');
}

forEachBackend('federation outbox worker', (backend) => {
  let s: TestServer;
  const peers = new FakePeers();
  let n = 0;
  /** A new peer (routes cannot be removed, so each test makes its own). */
  const peer = (up = true): FakePeer => {
    const p = peers.add(`peer${++n}.test`);
    p.up = up;
    return p;
  };
  /** A peer that serves make_leave and v2 send_leave. */
  const resident = (): FakePeer => {
    const p = peer();
    p.on('GET', MAKE_LEAVE, template);
    p.on('PUT', SEND_LEAVE_V2, () => ({}));
    return p;
  };
  const room = (): RoomId => `!room${++n}:remote.test` as RoomId;
  const enqueueLeave = (roomId: RoomId, destinations: string[], reason?: string, createdTs = s.clock.now()) =>
    s.app.store.outbox.enqueue({
      kind: REMOTE_LEAVE, supersedeKey: membershipOutboxKey(roomId, ME), destinations, createdTs,
      payload: { roomId, userId: ME, roomVersion: '10', ...(reason === undefined ? {} : { reason }) },
    });
  const paths = (p: FakePeer) => peers.to(p.name).map((r) => `${r.method} ${r.path.replace(/\/[^/]+\/[^/]+$/, '')}`);
  const worker = (clock = s.clock) => createOutboxWorker({ store: s.app.store, clock, requester: peers, serverName: 'hs.test', signingKey: KEY, logger: silent });

  before(async () => {
    // A SQLite file, so that a second store (another process's) can open it.
    s = await startTestServer({ backend, sqliteFile: true, federationRequester: peers, signingKey: KEY, config: { metrics: { enabled: true } } });
  });
  after(() => s.close());

  it('tries the destinations in order and stops at the first that accepts; the signed leave carries the reason and verifies', async () => {
    const down = peer(false);
    const ok = resident();
    const unused = resident();
    const roomId = room();
    await enqueueLeave(roomId, [down.name, ok.name, unused.name], 'not for me');
    await s.app.services.outbox.runOnce();

    assert.deepEqual(paths(down), ['GET /_matrix/federation/v1/make_leave']);
    assert.deepEqual(paths(ok), ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave']);
    assert.deepEqual(paths(unused), []);
    const [make, send] = peers.to(ok.name);
    // Path parameters are percent-encoded.
    assert.equal(make?.path, `/_matrix/federation/v1/make_leave/${encodeURIComponent(roomId)}/%40me%3Ahs.test`);
    const pdu = send?.body as JsonObject & { content: JsonObject };
    assert.deepEqual(pdu.content, { membership: 'leave', reason: 'not for me' });
    assert.deepEqual([pdu['type'], pdu['room_id'], pdu['sender'], pdu['state_key'], pdu['depth']], ['m.room.member', roomId, ME, ME, 12]);
    assert.deepEqual([pdu['prev_events'], pdu['auth_events'], pdu['origin'], pdu['origin_server_ts']], [[PREV], [AUTH], 'hs.test', s.clock.now()]);
    assert.equal(verifyEventSignature(pdu, V10, { serverName: 'hs.test', keyId: KEY.keyId, publicKey: publicKeyBase64(KEY) }), true);
    assert.equal(checkContentHash(pdu), true);
    const eventId = eventIdFromReferenceHash(computeReferenceHash(pdu, V10), V10);
    assert.equal(send?.path, `/_matrix/federation/v2/send_leave/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`);
    assert.equal(await s.app.store.outbox.get(membershipOutboxKey(roomId, ME)), undefined);
    const metrics = await s.app.metrics!.registry.getSingleMetricAsString('hearth_federation_outbox_attempts_total');
    assert.match(metrics, /hearth_federation_outbox_attempts_total\{kind="remote-leave",result="delivered"\} 1$/m);
    assert.match(await s.app.metrics!.registry.getSingleMetricAsString('hearth_federation_outbox_queued'), /hearth_federation_outbox_queued 0$/m);
  });

  it('falls back to v1 send_leave where v2 is not served (404, or 400 M_UNRECOGNIZED), but not after another refusal', async () => {
    const v1Only = peer();
    v1Only.on('GET', MAKE_LEAVE, template);
    v1Only.on('PUT', SEND_LEAVE_V1, () => ({}));
    const oldStyle = peer();
    oldStyle.on('GET', MAKE_LEAVE, template);
    oldStyle.on('PUT', SEND_LEAVE_V2, () => {
      throw refusal(400, 'M_UNRECOGNIZED');
    });
    oldStyle.on('PUT', SEND_LEAVE_V1, () => ({}));
    const forbids = peer();
    forbids.on('GET', MAKE_LEAVE, template);
    forbids.on('PUT', SEND_LEAVE_V2, () => {
      throw refusal(403, 'M_FORBIDDEN');
    });
    forbids.on('PUT', SEND_LEAVE_V1, () => ({}));
    const [first, second] = [room(), room()];
    await enqueueLeave(first, [v1Only.name]);
    await enqueueLeave(second, [forbids.name, oldStyle.name]);
    await s.app.services.outbox.runOnce();

    const viaV1 = ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave', 'PUT /_matrix/federation/v1/send_leave'];
    assert.deepEqual(paths(v1Only), viaV1);
    assert.deepEqual(paths(oldStyle), viaV1);
    assert.deepEqual(paths(forbids), ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave']);
    const [, v2, v1] = peers.to(v1Only.name);
    // The same signed event, and the client is told the answer is v1's [200, {}] pair.
    assert.deepEqual([v1?.path.replace('/v1/', '/v2/'), v1?.body, v1?.v1Envelope], [v2?.path, v2?.body, true]);
    for (const roomId of [first, second]) assert.equal(await s.app.store.outbox.get(membershipOutboxKey(roomId, ME)), undefined);
  });

  it('refuses a hostile template (another sender, type, membership or room) and asks the next server', async () => {
    const hostile = [
      { sender: '@evil:remote.test' },
      { type: 'm.room.message' },
      { content: { membership: 'join' } },
      { room_id: '!elsewhere:remote.test' },
    ].map((change) => {
      const p = peer();
      p.on('GET', MAKE_LEAVE, (req, match) => template(req, match, change));
      p.on('PUT', SEND_LEAVE_V2, () => ({}));
      return p;
    });
    const honest = resident();
    const roomId = room();
    const onlyHostile = room();
    await enqueueLeave(roomId, [...hostile.map((p) => p.name), honest.name]);
    await enqueueLeave(onlyHostile, [hostile[0]!.name]);
    await s.app.services.outbox.runOnce();

    const refused = await s.app.store.outbox.get(membershipOutboxKey(onlyHostile, ME));
    assert.deepEqual([refused?.attempts, refused?.lastError], [1, `${hostile[0]!.name}: bad template: another user`]);
    assert.equal(await s.app.store.outbox.cancel(membershipOutboxKey(onlyHostile, ME)), true);

    // The first was asked for both rooms.
    for (const [i, p] of hostile.entries()) assert.deepEqual(paths(p), Array(i === 0 ? 2 : 1).fill('GET /_matrix/federation/v1/make_leave'), p.name);
    assert.deepEqual(paths(honest), ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave']);
    const pdu = peers.to(honest.name)[1]?.body as JsonObject;
    assert.deepEqual([pdu['sender'], pdu['type'], pdu['room_id'], pdu['content']], [ME, 'm.room.member', roomId, { membership: 'leave' }]);
    assert.equal(await s.app.store.outbox.get(membershipOutboxKey(roomId, ME)), undefined);
  });

  it('when every server fails, retries after the back-off (doubling) until one accepts', async () => {
    const down = peer(false);
    const refusing = peer();
    let accept = false;
    refusing.on('GET', MAKE_LEAVE, (req, match) => {
      if (!accept) throw refusal(403, 'M_FORBIDDEN');
      return template(req, match);
    });
    refusing.on('PUT', SEND_LEAVE_V2, () => ({}));
    const roomId = room();
    const key = membershipOutboxKey(roomId, ME);
    await enqueueLeave(roomId, [down.name, refusing.name]);
    await s.app.services.outbox.runOnce();

    const failed = await s.app.store.outbox.get(key);
    assert.equal(failed?.attempts, 1);
    assert.equal(failed?.lastError, `${down.name}: unreachable; ${refusing.name}: refused 403 M_FORBIDDEN`);
    // 30 s, less up to a quarter of jitter.
    const delay = failed!.nextAttemptTs - s.clock.now();
    assert.ok(delay >= OUTBOX_BACKOFF.initialMs * 0.75 && delay <= OUTBOX_BACKOFF.initialMs, `delay ${delay}`);
    // Not due yet: nobody is asked.
    await s.app.services.outbox.runOnce();
    assert.equal(peers.to(refusing.name).length, 1);

    s.clock.advance(delay);
    await s.app.services.outbox.runOnce();
    const again = await s.app.store.outbox.get(key);
    assert.equal(again?.attempts, 2);
    const second = again!.nextAttemptTs - s.clock.now();
    assert.ok(second >= OUTBOX_BACKOFF.initialMs * 2 * 0.75 && second <= OUTBOX_BACKOFF.initialMs * 2, `delay ${second}`);

    accept = true;
    s.clock.advance(second);
    await s.app.services.outbox.runOnce();
    assert.equal(await s.app.store.outbox.get(key), undefined);
    assert.deepEqual(paths(down), Array(3).fill('GET /_matrix/federation/v1/make_leave'));
    assert.deepEqual(paths(refusing).slice(-2), ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave']);
  });

  it('a stopped worker does not wait for its request; its item is due again after the lease and a new worker delivers it', async () => {
    // Its own clock, a year ahead: the app's worker never finds this item due.
    const clock = new FakeClock(s.clock.now() + 365 * 86_400_000);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = peer();
    slow.on('GET', MAKE_LEAVE, async (req, match) => {
      await gate;
      return template(req, match);
    });
    slow.on('PUT', SEND_LEAVE_V2, () => ({}));
    const roomId = room();
    const key = membershipOutboxKey(roomId, ME);
    await enqueueLeave(roomId, [slow.name], 'bye', clock.now());

    const first = worker(clock);
    const run = first.runOnce();
    await until(() => peers.to(slow.name).length === 1);
    await first.stop();
    release();
    await run;
    // What the stopped worker's attempt came to is not recorded: the item waits out its lease.
    const leased = await s.app.store.outbox.get(key);
    assert.deepEqual([leased?.attempts, leased?.nextAttemptTs], [0, clock.now() + OUTBOX_LEASE_MS]);

    const restarted = worker(clock);
    await restarted.runOnce();
    assert.equal(peers.to(slow.name).length, 2, 'the leased item is left alone');
    clock.advance(OUTBOX_LEASE_MS);
    await restarted.runOnce();
    assert.equal(await s.app.store.outbox.get(key), undefined);
    const sends = peers.to(slow.name).filter((r) => r.method === 'PUT');
    assert.equal(sends.length, 2);
    assert.deepEqual((sends[1]?.body as { content: unknown }).content, { membership: 'leave', reason: 'bye' });
  });

  it('an item superseded during an attempt is left to its successor: the old attempt neither removes nor reschedules it', async () => {
    const p = peer();
    const roomId = room();
    const key = membershipOutboxKey(roomId, ME);
    let makes = 0;
    let sends = 0;
    p.on('GET', MAKE_LEAVE, async (req, match) => {
      // The first attempt fails after a newer membership was queued.
      if (++makes === 1) {
        await enqueueLeave(roomId, [p.name], 'second');
        throw refusal(500, 'M_UNKNOWN');
      }
      return template(req, match);
    });
    p.on('PUT', SEND_LEAVE_V2, async () => {
      // The second succeeds after one more was queued.
      if (++sends === 1) await enqueueLeave(roomId, [p.name], 'third');
      return {};
    });
    await enqueueLeave(roomId, [p.name], 'first');
    await s.app.services.outbox.runOnce();

    // Each successor was due at once, not pushed back by its predecessor's failure, and not removed by its success.
    const reasons = peers.to(p.name).filter((r) => r.method === 'PUT').map((r) => (r.body as { content: { reason: string } }).content.reason);
    assert.deepEqual(reasons, ['second', 'third']);
    assert.equal(await s.app.store.outbox.get(key), undefined);
  });

  it('two workers on one database (two stores, as two processes have) never send one item twice', async () => {
    const p = peer();
    p.on('GET', MAKE_LEAVE, async (req, match) => {
      await new Promise((r) => setImmediate(r));
      return template(req, match);
    });
    p.on('PUT', SEND_LEAVE_V2, () => ({}));
    const rooms = Array.from({ length: 24 }, () => room());
    for (const roomId of rooms) await enqueueLeave(roomId, [p.name]);
    const db = s.database;
    const otherStore = await openStore(db.kind === 'sqlite' ? { kind: 'sqlite', path: db.path, synchronous: 'full' } : { kind: 'postgres', url: db.url, poolSize: 2 });
    try {
      const other = createOutboxWorker({ store: otherStore, clock: s.clock, requester: peers, serverName: 'hs.test', signingKey: KEY, logger: silent });
      await Promise.all([s.app.services.outbox.runOnce(), other.runOnce()]);
    } finally {
      await otherStore.close();
    }

    const sent = peers.to(p.name).filter((r) => r.method === 'PUT').map((r) => decodeURIComponent(r.path.match(SEND_LEAVE_V2)![1]!));
    assert.deepEqual([...sent].sort(), [...rooms].sort());
    assert.equal(await s.app.store.outbox.count(), 0);
  });

  it('sends PDUs in one transaction whose ID stays the same across retries; a refused PDU is not retried', async () => {
    const p = peer(false);
    const never = resident();
    const sendRoute = /^\/_matrix\/federation\/v1\/send\/([^/]+)$/;
    p.on('PUT', sendRoute, () => ({ pdus: { '$refused': { error: 'not allowed' } } }));
    const roomId = room();
    const key = membershipOutboxKey(roomId, '@them:remote.test' as UserId);
    const event = { type: 'm.room.member', room_id: roomId, state_key: '@them:remote.test', content: { membership: 'leave' }, event_id: '$refused', unsigned: { local: 'x' } };
    const id = await s.app.store.outbox.enqueue({ kind: SEND_PDUS, supersedeKey: key, destinations: [p.name, never.name], payload: { pdus: [event] }, createdTs: s.clock.now() });
    const createdTs = s.clock.now();
    await s.app.services.outbox.runOnce();
    const failed = await s.app.store.outbox.get(key);
    assert.deepEqual([failed?.attempts, failed?.lastError], [1, `${p.name}: unreachable`]);

    p.up = true;
    s.clock.advance(failed!.nextAttemptTs - s.clock.now());
    await s.app.services.outbox.runOnce();
    assert.equal(await s.app.store.outbox.get(key), undefined);
    const [down, up] = peers.to(p.name);
    const path = `/_matrix/federation/v1/send/${encodeURIComponent(outboxTxnId({ id, createdTs }))}`;
    assert.deepEqual([down?.path, up?.path], [path, path]);
    const { event_id: _id, unsigned: _unsigned, ...pdu } = event;
    assert.deepEqual(up?.body, { origin: 'hs.test', origin_server_ts: s.clock.now(), pdus: [pdu] });
    assert.deepEqual(peers.to(never.name), []);

    // A newer item for the same key is another transaction.
    const newer = await s.app.store.outbox.enqueue({ kind: SEND_PDUS, supersedeKey: key, destinations: [p.name], payload: { pdus: [event] }, createdTs: s.clock.now() });
    await s.app.services.outbox.runOnce();
    assert.equal(peers.to(p.name)[2]?.path, `/_matrix/federation/v1/send/${encodeURIComponent(outboxTxnId({ id: newer, createdTs: s.clock.now() }))}`);
    assert.notEqual(peers.to(p.name)[2]?.path, path);
  });

  it('drops an item of an unknown kind, or one it could never deliver, without asking anyone', async () => {
    const p = resident();
    await s.app.store.outbox.enqueue({ kind: 'nonsense', supersedeKey: 'nonsense 1', destinations: [p.name], payload: {}, createdTs: s.clock.now() });
    // Hearth signs only for its own users.
    await s.app.store.outbox.enqueue({
      kind: REMOTE_LEAVE, supersedeKey: 'foreign user', destinations: [p.name], createdTs: s.clock.now(),
      payload: { roomId: room(), userId: '@someone:remote.test', roomVersion: '10' },
    });
    await s.app.store.outbox.enqueue({ kind: SEND_PDUS, supersedeKey: 'no pdus', destinations: [p.name], payload: { pdus: 'x' }, createdTs: s.clock.now() });
    await s.app.services.outbox.runOnce();
    assert.equal(await s.app.store.outbox.count(), 0);
    assert.deepEqual(peers.to(p.name), []);
    const metrics = await s.app.metrics!.registry.getSingleMetricAsString('hearth_federation_outbox_attempts_total');
    for (const kind of ['nonsense', REMOTE_LEAVE, SEND_PDUS]) assert.match(metrics, new RegExp(`kind="${kind}",result="dropped"\\} 1$`, 'm'));
  });

  it('the running worker delivers when woken after an enqueue', async () => {
    const p = resident();
    const roomId = room();
    await enqueueLeave(roomId, [p.name]);
    s.app.services.outbox.wake();
    await until(async () => (await s.app.store.outbox.get(membershipOutboxKey(roomId, ME))) === undefined);
    assert.deepEqual(paths(p), ['GET /_matrix/federation/v1/make_leave', 'PUT /_matrix/federation/v2/send_leave']);
  });
}, describe);
