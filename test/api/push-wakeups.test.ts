// The push job starts a pass for stored events only: typing and receipts, announced to /sync
// waiters as room changes too, must not each cost a pass (a keystroke would otherwise run the
// pipeline). One backend: the job's wake-ups do not depend on storage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { PushWorker } from '../../src/services/push/push-worker.js';
import type { NotificationRecorder } from '../../src/services/push/notification-recorder.js';
import type { PushDelivery } from '../../src/services/push/push-delivery.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('push job wake-ups', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    // The app's own job steps aside: the notifier has one observer, the job under test.
    await s.app.pushWorker.stop();
  });
  after(() => s.close());

  it('a typing or receipt change starts no pass; a stored event starts one', async () => {
    let passes = 0;
    const recorder = { catchUp: async () => { passes++; return 0; } } as unknown as NotificationRecorder;
    const delivery = { deliverDue: async () => 0 } as unknown as PushDelivery;
    const job = new PushWorker({ store: s.app.store, notifier: s.app.services.notifier, recorder, delivery, logger: pino({ level: 'silent' }) });
    job.start(3_600_000);
    const notifier = s.app.services.notifier;
    notifier.announce({ pos: 1, roomId: '!r:hs.test' });
    notifier.announceHere({ pos: 2, roomId: '!r:hs.test' });
    notifier.announce({ pos: 3, roomId: '!r:hs.test', event: true });
    // Stopping waits for the passes started: a typing-started pass would have made two (the event
    // arriving during it runs another).
    await job.stop();
    assert.equal(passes, 1);
  });
});
