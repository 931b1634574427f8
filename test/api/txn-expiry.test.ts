// Transaction IDs are remembered for a day: a retry within it gets the first answer, a reuse after
// the hourly expiry makes a new event (or a new to-device message), and the tables stop growing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rest, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const HOUR = 3_600_000;

forEachBackend('transaction ID expiry', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  it('a send retried within a day returns the first event; after a day and an expiry pass, the ID makes a new event', async () => {
    const r = rest(s);
    const alice = await s.createUser('alice');
    const roomId = await r.createRoom(alice);
    const send = async () => (await r.ok('PUT', `${r.room(roomId)}/send/m.room.message/same-txn`, alice, { msgtype: 'm.text', body: 'hi' })).event_id as string;
    const first = await send();
    s.clock.advance(23 * HOUR);
    assert.equal(await s.app.txnExpiry.runOnce(), 0);
    assert.equal(await send(), first, 'still remembered after 23 hours');
    s.clock.advance(2 * HOUR);
    assert.ok(await s.app.txnExpiry.runOnce() >= 1);
    const second = await send();
    assert.notEqual(second, first, 'forgotten after a day: a new event');
  });

  it('a to-device message retried within a day is delivered once; after the expiry the ID delivers again', async () => {
    const alice = await s.createUser('alice2');
    const bob = await s.createUser('bob2');
    const put = () => s.request('PUT', `${V3}/sendToDevice/m.test/td-1`, {
      token: alice.accessToken, body: { messages: { [bob.userId]: { [bob.deviceId]: { n: 1 } } } },
    });
    const inbox = async () => {
      const res = await s.request('GET', `${V3}/sync?timeout=0`, { token: bob.accessToken });
      return (res.json() as { to_device?: { events: unknown[] } }).to_device?.events.length ?? 0;
    };
    assert.equal((await put()).statusCode, 200);
    assert.equal((await put()).statusCode, 200);
    assert.equal(await inbox(), 1);
    s.clock.advance(25 * HOUR);
    assert.ok(await s.app.txnExpiry.runOnce() >= 1);
    assert.equal((await put()).statusCode, 200);
    assert.equal(await inbox(), 2, 'the reused ID delivered a second message');
  });
}, describe);
