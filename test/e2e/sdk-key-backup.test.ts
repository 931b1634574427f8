// End-to-end: matrix-js-sdk 37.5.0 with its Rust crypto (in memory) against a listening Hearth.
// Alice's first device sends an encrypted message, creates a server-side key backup and backs its
// room key up; a second device, given only the backup's private key, restores the key from the
// server and decrypts the message. Every wait is bounded and every client is stopped in `after`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MatrixEvent, Preset, type MatrixClient } from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { newDevice } from '../helpers/e2ee.js';
import { rest } from '../helpers/rest.js';
import { recordingFetch, startRustCryptoClient, until, type HttpProblem } from '../helpers/sdk-client.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

forEachBackend('matrix-js-sdk 37.5.0 with Rust crypto: server-side key backup', (backend) => {
  let s: TestServer;
  let baseUrl: string;
  const clients: MatrixClient[] = [];
  const problems: HttpProblem[] = [];

  const start = (user: TestUser): Promise<MatrixClient> => startRustCryptoClient(baseUrl, user, recordingFetch(problems), clients);

  before(async () => {
    s = await startTestServer({ backend, realClock: true });
    baseUrl = await s.listen();
  });
  after(async () => {
    for (const c of clients) c.stopClient();
    await s.close();
  });

  it('a new device restores the room key from the backup and decrypts an old message', async () => {
    const api = rest(s);
    const alice = await s.createUser('alice');
    const first = await start(alice);
    const { room_id: roomId } = await first.createRoom({
      preset: Preset.PrivateChat,
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await until('the room to be encrypted', async () => Boolean(await first.getCrypto()!.isEncryptionEnabledInRoom(roomId)));
    const { event_id: eventId } = await first.sendTextMessage(roomId, 'for my future self, secretly');

    await first.getCrypto()!.resetKeyBackup();
    await until('the room key to reach the backup', async () => {
      const res = await s.request('GET', '/_matrix/client/v3/room_keys/version', { token: alice.accessToken });
      return res.statusCode === 200 && res.json().count >= 1;
    });
    const info = await api.ok('GET', '/room_keys/version', alice);
    const backupKey = await first.getCrypto()!.getSessionBackupPrivateKey();
    assert.ok(backupKey, 'the first device holds the backup key');

    const second = await start(await newDevice(s, alice));
    const stored = await api.ok('GET', `${api.room(roomId)}/event/${encodeURIComponent(eventId)}`, alice);
    const event = new MatrixEvent(stored);
    await second.decryptEventIfNeeded(event);
    assert.ok(event.isDecryptionFailure(), 'without the backup the new device cannot decrypt');

    await second.getCrypto()!.storeSessionBackupPrivateKey(backupKey, info.version);
    const restored = await second.getCrypto()!.restoreKeyBackup();
    assert.ok(restored.imported >= 1, JSON.stringify(restored));
    const again = new MatrixEvent(stored);
    await second.decryptEventIfNeeded(again);
    assert.equal(again.getContent().body, 'for my future self, secretly');
    const unexpected = problems.filter((p) => !(p.path === '/_matrix/client/v3/room_keys/version' && p.status === 404));
    assert.deepEqual(unexpected, [], 'no other request was refused');
  });
}, describe);
