// End-to-end: two real matrix-js-sdk 37.5.0 clients with the SDK's Rust crypto (in-memory store)
// against a listening Hearth. Alice and bob exchange Megolm-encrypted messages in an encrypted
// room; the server only ever stores m.room.encrypted events; once bob has left, alice's next
// message is encrypted with a new session whose key is shared with none of bob's devices.
// Every wait is bounded (≤ 20 s) and every client started here is stopped in `after`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MatrixEvent, MatrixEventEvent, Preset, type MatrixClient } from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { recordingFetch, startRustCryptoClient, until, waitForMembership, waitForTimelineEvent, type HttpProblem } from '../helpers/sdk-client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/** One to-device request a client sent: its event type and, per recipient user, the device IDs. */
interface ToDeviceSent {
  eventType: string;
  recipients: Record<string, string[]>;
}

/** Wraps `inner`, recording every PUT /sendToDevice/{eventType}/{txnId} body into `log`. */
function toDeviceRecorder(inner: typeof globalThis.fetch, log: ToDeviceSent[]): typeof globalThis.fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const match = /\/sendToDevice\/([^/]+)\/[^/]+$/.exec(url.pathname);
    if (match && typeof init?.body === 'string') {
      const messages = (JSON.parse(init.body) as { messages?: Record<string, Record<string, unknown>> }).messages ?? {};
      log.push({
        eventType: decodeURIComponent(match[1]!),
        recipients: Object.fromEntries(Object.entries(messages).map(([user, devices]) => [user, Object.keys(devices)])),
      });
    }
    return inner(input, init);
  };
}

/** Resolves once `event` is decrypted (checked at once, then on MatrixEventEvent.Decrypted; bounded: 20 s). */
async function waitDecrypted(client: MatrixClient, event: MatrixEvent): Promise<MatrixEvent> {
  await client.decryptEventIfNeeded(event);
  const done = () => event.getClearContent() !== null && !event.isDecryptionFailure() && !event.isBeingDecrypted();
  if (done()) return event;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      event.off(MatrixEventEvent.Decrypted, onDecrypted);
      reject(new Error(`${client.getUserId()} could not decrypt ${event.getId()}: ${event.decryptionFailureReason ?? 'still pending'}`));
    }, 20_000);
    const onDecrypted = () => {
      if (!done()) return;
      clearTimeout(timer);
      event.off(MatrixEventEvent.Decrypted, onDecrypted);
      resolve(event);
    };
    event.on(MatrixEventEvent.Decrypted, onDecrypted);
  });
}

forEachBackend('matrix-js-sdk 37.5.0 with Rust crypto: end-to-end encrypted room', (backend) => {
  let s: TestServer;
  let baseUrl: string;
  const clients: MatrixClient[] = [];
  /** Every reply of 400 or more that any client here received. */
  const problems: HttpProblem[] = [];

  /** A client for `user` with Rust crypto (in memory), started and PREPARED, stopped in `after`. */
  const start = (user: TestUser, toDevice: ToDeviceSent[]): Promise<MatrixClient> =>
    startRustCryptoClient(baseUrl, user, toDeviceRecorder(recordingFetch(problems), toDevice), clients);

  before(async () => {
    s = await startTestServer({ backend, realClock: true });
    baseUrl = await s.listen();
  });
  after(async () => {
    for (const c of clients) c.stopClient();
    await s.close();
  });

  it('alice and bob exchange encrypted messages; after bob leaves, the new room key is not shared with him', async (t) => {
    const api = rest(s);
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const aliceToDevice: ToDeviceSent[] = [];
    const [ac, bc] = await Promise.all([start(alice, aliceToDevice), start(bob, [])]);

    // Both devices have published their identity keys before anyone shares a room key.
    await until('both devices to upload their keys', async () => {
      const res = await api.ok('POST', '/keys/query', alice, { device_keys: { [alice.userId]: [], [bob.userId]: [] } });
      return Boolean(res.device_keys?.[alice.userId]?.[alice.deviceId] && res.device_keys?.[bob.userId]?.[bob.deviceId]);
    });

    const { room_id: roomId } = await ac.createRoom({
      preset: Preset.PrivateChat,
      name: 'Encrypted',
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await ac.invite(roomId, bob.userId);
    await bc.joinRoom(roomId);
    await waitForMembership(ac, roomId, bob.userId, 'join');
    await until('both clients to know the room is encrypted', async () =>
      Boolean((await ac.getCrypto()!.isEncryptionEnabledInRoom(roomId)) && (await bc.getCrypto()!.isEncryptionEnabledInRoom(roomId))),
    );

    // 1. Alice → bob. The server stores only ciphertext.
    const { event_id: first } = await ac.sendTextMessage(roomId, 'hello bob, secretly');
    const stored1 = await api.ok('GET', `${api.room(roomId)}/event/${encodeURIComponent(first)}`, alice);
    assert.equal(stored1.type, 'm.room.encrypted');
    assert.equal(stored1.content.algorithm, 'm.megolm.v1.aes-sha2');
    assert.equal(typeof stored1.content.ciphertext, 'string');
    assert.equal(stored1.content.body, undefined);
    assert.ok(!JSON.stringify(stored1).includes('secretly'), 'the plaintext never reaches the server');
    const atBob = await waitForTimelineEvent(bc, roomId, (e) => e.getId() === first);
    await waitDecrypted(bc, atBob);
    assert.equal(atBob.getType(), 'm.room.message');
    assert.equal(atBob.getWireType(), 'm.room.encrypted');
    assert.equal(atBob.getContent().body, 'hello bob, secretly');
    assert.ok(
      aliceToDevice.some((m) => m.eventType === 'm.room.encrypted' && m.recipients[bob.userId]?.includes(bob.deviceId)),
      `alice shared the room key with bob's device: ${JSON.stringify(aliceToDevice)}`,
    );

    // 2. Bob → alice.
    const { event_id: second } = await bc.sendTextMessage(roomId, 'hello alice, secretly');
    const stored2 = await api.ok('GET', `${api.room(roomId)}/event/${encodeURIComponent(second)}`, bob);
    assert.equal(stored2.type, 'm.room.encrypted');
    assert.ok(!JSON.stringify(stored2).includes('secretly'), 'the plaintext never reaches the server');
    const atAlice = await waitForTimelineEvent(ac, roomId, (e) => e.getId() === second);
    await waitDecrypted(ac, atAlice);
    assert.equal(atAlice.getType(), 'm.room.message');
    assert.equal(atAlice.getContent().body, 'hello alice, secretly');

    // 3. Bob leaves; alice's next message uses a new session, whose key goes to none of bob's devices.
    assert.deepEqual(await bc.leave(roomId), {});
    await waitForMembership(ac, roomId, bob.userId, 'leave');
    const sentBeforeLeave = aliceToDevice.length;
    const { event_id: third } = await ac.sendTextMessage(roomId, 'bob is gone, secretly');
    const stored3 = await api.ok('GET', `${api.room(roomId)}/event/${encodeURIComponent(third)}`, alice);
    assert.equal(stored3.type, 'm.room.encrypted');
    assert.ok(!JSON.stringify(stored3).includes('secretly'), 'the plaintext never reaches the server');
    assert.notEqual(stored3.content.session_id, stored1.content.session_id, 'the Megolm session was rotated after bob left');
    const afterLeave = aliceToDevice.slice(sentBeforeLeave);
    t.diagnostic(`alice's to-device requests after bob left: ${JSON.stringify(afterLeave)}`);
    assert.ok(
      !afterLeave.some((m) => m.eventType === 'm.room.encrypted' && bob.userId in m.recipients),
      `no encrypted to-device message (room key) went to bob after he left: ${JSON.stringify(afterLeave)}`,
    );
    const alicesCopy = await waitForTimelineEvent(ac, roomId, (e) => e.getId() === third);
    await waitDecrypted(ac, alicesCopy);
    assert.equal(alicesCopy.getContent().body, 'bob is gone, secretly');

    // Bob's device, given the ciphertext anyway, cannot decrypt it.
    const forBob = new MatrixEvent(stored3);
    await bc.decryptEventIfNeeded(forBob);
    assert.ok(forBob.isDecryptionFailure(), 'bob cannot decrypt a message sent after he left');
    assert.notEqual(forBob.getContent().body, 'bob is gone, secretly');
    // …whereas the first message, whose key he holds, decrypts the same way.
    const control = new MatrixEvent(stored1);
    await bc.decryptEventIfNeeded(control);
    assert.equal(control.getContent().body, 'hello bob, secretly');

    t.diagnostic(`HTTP replies >= 400 received by the clients: ${JSON.stringify(problems.map((p) => `${p.method} ${p.path} ${p.status} ${p.errcode ?? ''}`))}`);
    // The SDK asks for the server-side key backup at start-up; with none, the spec's answer is 404 M_NOT_FOUND.
    const unexpected = problems.filter((p) => !(p.method === 'GET' && p.path === '/_matrix/client/v3/room_keys/version' && p.status === 404 && p.errcode === 'M_NOT_FOUND'));
    assert.deepEqual(unexpected, [], 'no other request of either client was refused or unknown');
  });
}, describe);
