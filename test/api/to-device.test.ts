import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { newDevice } from '../helpers/e2ee.js';
import { sync, V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Send-to-device messaging: PUT /sendToDevice/{eventType}/{txnId} and /sync's `to_device`:
 * delivery to the named devices (or all with `*`), in order, exactly until acknowledged by a later
 * `since`, idempotent per transaction ID, at most 100 a response, waking a waiting /sync.
 */

const enc = encodeURIComponent;
// Bodies are validated against the spec's schemas; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

forEachBackend('send-to-device messaging', (backend) => {
  let s: TestServer;
  let n = 0;
  let txn = 0;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);

  async function send(from: TestUser, messages: unknown, type = 'm.test', txnId = `t${++txn}`): Promise<void> {
    const url = `${V3}/sendToDevice/${enc(type)}/${enc(txnId)}`;
    const res = await s.request('PUT', url, { token: from.accessToken, body: { messages } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    assertSpecResponse(res, 'PUT', url);
  }

  const events = (body: Body) => body.to_device.events as Array<{ sender: string; type: string; content: Body }>;

  it('a message reaches the named device, with sender, type and content, until a later since acknowledges it', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const bobPhone = await newDevice(s, bob);
    const start = await sync(s, bob);
    assert.deepEqual(events(start), []);
    await send(alice, { [bob.userId]: { [bob.deviceId]: { secret: 'ciphertext' } } }, 'm.room.encrypted');
    const first = await sync(s, bob, { since: start.next_batch });
    assert.deepEqual(events(first), [{ sender: alice.userId, type: 'm.room.encrypted', content: { secret: 'ciphertext' } }]);
    // Not acknowledged yet: the same since gets it again.
    assert.deepEqual(events(await sync(s, bob, { since: start.next_batch })), events(first));
    // The next token acknowledges it: gone, even for the older token.
    assert.deepEqual(events(await sync(s, bob, { since: first.next_batch })), []);
    assert.deepEqual(events(await sync(s, bob, { since: start.next_batch })), []);
    assert.deepEqual(events(await sync(s, bobPhone)), [], 'other devices get nothing');
  });

  it('`*` reaches every device of the user; a named device takes its own message instead', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const phone = await newDevice(s, bob);
    const tablet = await newDevice(s, bob);
    await send(alice, { [bob.userId]: { '*': { to: 'all' }, [tablet.deviceId]: { to: 'tablet' } } });
    assert.deepEqual(events(await sync(s, bob)).map((e) => e.content), [{ to: 'all' }]);
    assert.deepEqual(events(await sync(s, phone)).map((e) => e.content), [{ to: 'all' }]);
    assert.deepEqual(events(await sync(s, tablet)).map((e) => e.content), [{ to: 'tablet' }]);
  });

  it('is idempotent per transaction ID; messages arrive in order', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 1 } } }, 'm.test', 'same');
    await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 1 } } }, 'm.test', 'same');
    await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 2 } } }, 'm.test', 'other');
    assert.deepEqual(events(await sync(s, bob)).map((e) => e.content.n), [1, 2]);
    // Another device of the sender may use the same transaction ID.
    const alicePhone = await newDevice(s, alice);
    await send(alicePhone, { [bob.userId]: { [bob.deviceId]: { n: 3 } } }, 'm.test', 'same');
    assert.deepEqual(events(await sync(s, bob)).map((e) => e.content.n), [1, 2, 3]);
  });

  it('unknown devices and users, and users of other servers, are ignored; a bad user ID is 400', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await send(alice, { [bob.userId]: { NOSUCH: { x: 1 } }, '@ghost:hs.test': { '*': { x: 1 } }, '@far:elsewhere.example': { D: { x: 1 } } });
    assert.deepEqual(events(await sync(s, bob)), []);
    const bad = await s.request('PUT', `${V3}/sendToDevice/m.test/bad1`, { token: alice.accessToken, body: { messages: { nobody: { D: {} } } } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errcode, 'M_INVALID_PARAM');
    const missing = await s.request('PUT', `${V3}/sendToDevice/m.test/bad2`, { token: alice.accessToken, body: {} });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
    const notObject = await s.request('PUT', `${V3}/sendToDevice/m.test/bad3`, { token: alice.accessToken, body: { messages: { [bob.userId]: { D: 'text' } } } });
    assert.equal(notObject.statusCode, 400);
    assert.equal(notObject.json().errcode, 'M_BAD_JSON');
    const anonymous = await s.request('PUT', `${V3}/sendToDevice/m.test/bad4`, { body: { messages: {} } });
    assert.equal(anonymous.statusCode, 401);
  });

  it('at most 100 messages a response; the rest follow', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    for (let i = 0; i < 105; i++) await send(alice, { [bob.userId]: { [bob.deviceId]: { i } } });
    const first = await sync(s, bob);
    assert.deepEqual(events(first).map((e) => e.content.i), Array.from({ length: 100 }, (_, i) => i));
    const second = await sync(s, bob, { since: first.next_batch });
    assert.deepEqual(events(second).map((e) => e.content.i), [100, 101, 102, 103, 104]);
    assert.deepEqual(events(await sync(s, bob, { since: second.next_batch })), []);
  });

  it('a waiting /sync wakes up for a message to its device', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const start = await sync(s, bob);
    const began = Date.now();
    const waiting = sync(s, bob, { since: start.next_batch, timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await send(alice, { [bob.userId]: { [bob.deviceId]: { wake: true } } });
    const body = await waiting;
    assert.ok(Date.now() - began < 10_000, 'returned well before the timeout');
    assert.deepEqual(events(body).map((e) => e.content), [{ wake: true }]);
  });

  it('logging out deletes the inbox: a device logging in again under the same ID starts empty', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const phone = await newDevice(s, bob, 'PHONE');
    await send(alice, { [bob.userId]: { PHONE: { old: true } } });
    const res = await s.request('POST', `${V3}/logout`, { token: phone.accessToken, body: {} });
    assert.equal(res.statusCode, 200);
    const again = await newDevice(s, bob, 'PHONE');
    assert.deepEqual(events(await sync(s, again)), []);
  });

  it('a five-part token from before this stream existed still works and delivers what is pending', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await send(alice, { [bob.userId]: { [bob.deviceId]: { pending: true } } });
    const body = await sync(s, bob, { since: 's0_0_0_0_0' });
    assert.deepEqual(events(body).map((e) => e.content), [{ pending: true }]);
    assert.match(body.next_batch, /^s\d+(_\d+){6}$/);
  });
}, describe);
