import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { newDevice } from '../helpers/e2ee.js';
import { sync, V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * The bounds on send-to-device messaging (`to_device` settings): a message's content size and the
 * messages one request may queue (413 M_TOO_LARGE, nothing queued), and the undelivered messages a
 * device may hold (a full device is skipped; 429 M_LIMIT_EXCEEDED when every recipient is full);
 * and the expiry of messages left undelivered past `to_device.undelivered_retention`.
 */

const enc = encodeURIComponent;
const MAX_CONTENT = 1024;
const MAX_PER_REQUEST = 3;
const MAX_PENDING = 2;
const DAY = 86_400_000;

forEachBackend('send-to-device limits', (backend) => {
  let s: TestServer;
  let n = 0;
  let txn = 0;
  before(async () => {
    s = await startTestServer({
      backend,
      config: { to_device: { max_content_bytes: MAX_CONTENT, max_messages_per_request: MAX_PER_REQUEST, max_pending_per_device: MAX_PENDING, undelivered_retention: '30d' } },
    });
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);
  const url = (txnId = `t${++txn}`) => `${V3}/sendToDevice/m.test/${enc(txnId)}`;
  const put = (from: TestUser, messages: unknown, at = url()) => s.request('PUT', at, { token: from.accessToken, body: { messages } });
  /** The contents waiting for a device (an initial /sync acknowledges nothing). */
  const waiting = async (device: TestUser) => ((await sync(s, device)).to_device.events as Array<{ content: unknown }>).map((e) => e.content);

  it('a message whose content is over max_content_bytes is refused with 413 M_TOO_LARGE and queues nothing', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const at = url();
    const res = await put(alice, { [bob.userId]: { [bob.deviceId]: { pad: 'x'.repeat(MAX_CONTENT) } } }, at);
    assertMatrixError(res, 413, 'M_TOO_LARGE', 'PUT', at);
    assert.deepEqual(await waiting(bob), []);
    // Just under the limit is fine.
    const fits = { pad: 'x'.repeat(MAX_CONTENT - 20) };
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: fits } })).statusCode, 200);
    assert.deepEqual(await waiting(bob), [fits]);
  });

  it('`*` fanning out to more devices than max_messages_per_request is refused with 413 M_TOO_LARGE and queues nothing', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const devices = [bob];
    for (let i = 0; i < MAX_PER_REQUEST; i++) devices.push(await newDevice(s, bob));
    const at = url();
    assertMatrixError(await put(alice, { [bob.userId]: { '*': { fan: 'out' } } }, at), 413, 'M_TOO_LARGE', 'PUT', at);
    for (const d of devices) assert.deepEqual(await waiting(d), []);
    // Naming more messages than the cap is refused before any device is looked up.
    const named = Object.fromEntries(Array.from({ length: MAX_PER_REQUEST + 1 }, (_, i) => [`NOPE${i}`, {}]));
    const at2 = url();
    assertMatrixError(await put(alice, { [bob.userId]: named }, at2), 413, 'M_TOO_LARGE', 'PUT', at2);
    // As many as the cap is fine.
    const carol = await user('carol');
    const carolDevices = [carol, await newDevice(s, carol), await newDevice(s, carol)];
    assert.equal((await put(alice, { [carol.userId]: { '*': { fan: 'out' } } })).statusCode, 200);
    for (const d of carolDevices) assert.deepEqual(await waiting(d), [{ fan: 'out' }]);
  });

  it('a device holds at most max_pending_per_device messages: the next is refused with 429 M_LIMIT_EXCEEDED until it syncs', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    for (let i = 0; i < MAX_PENDING; i++) assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { i } } })).statusCode, 200);
    const at = url();
    const refused = await put(alice, { [bob.userId]: { [bob.deviceId]: { i: MAX_PENDING } } }, at);
    assertMatrixError(refused, 429, 'M_LIMIT_EXCEEDED', 'PUT', at);
    assert.deepEqual(await waiting(bob), [{ i: 0 }, { i: 1 }]);
    // The refused transaction ID was not kept: once bob acknowledges his messages, a retry is delivered.
    const first = await sync(s, bob);
    await sync(s, bob, { since: first.next_batch });
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { i: MAX_PENDING } } }, at)).statusCode, 200);
    assert.deepEqual(await waiting(bob), [{ i: MAX_PENDING }]);
  });

  it('a full device is skipped: its owner\'s other devices still get the message', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const laptop = await newDevice(s, bob);
    for (let i = 0; i < MAX_PENDING; i++) assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { i } } })).statusCode, 200);
    assert.equal((await put(alice, { [bob.userId]: { '*': { key: 'room key' } } })).statusCode, 200);
    assert.deepEqual(await waiting(laptop), [{ key: 'room key' }]);
    assert.deepEqual(await waiting(bob), [{ i: 0 }, { i: 1 }], 'the full device got nothing more');
  });

  it('messages left undelivered past undelivered_retention are deleted by the expiry pass; newer ones stay', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { old: true } } })).statusCode, 200);
    s.clock.advance(29 * DAY);
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { recent: true } } })).statusCode, 200);
    assert.equal(await s.app.toDeviceExpiry!.runOnce(), 0, 'nothing is 30 days old yet');
    assert.deepEqual(await waiting(bob), [{ old: true }, { recent: true }]);
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { next: true } } })).statusCode, 429, 'the queue is full');
    s.clock.advance(2 * DAY);
    // Earlier tests' messages (all older) go too.
    assert.ok(await s.app.toDeviceExpiry!.runOnce() >= 1);
    assert.deepEqual(await waiting(bob), [{ recent: true }]);
    // The expired message freed its place in the full queue.
    assert.equal((await put(alice, { [bob.userId]: { [bob.deviceId]: { next: true } } })).statusCode, 200);
  });
}, describe);
