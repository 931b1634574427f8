// Pushers, notifications and delivery to push gateways (issue 17): a fake gateway on 127.0.0.1
// (allowed by federation.allow_private_addresses) receives what Hearth pushes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { UserId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { V3, rest } from '../helpers/rest.js';
import { settlePush as settle } from '../helpers/push.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

type Notification = { event_id: string; room_id: string; type?: string; sender?: string; sender_display_name?: string; content?: Record<string, unknown>; counts: { unread: number }; prio: string; devices: Array<{ app_id: string; pushkey: string; pushkey_ts: number; data: Record<string, unknown>; tweaks: Record<string, unknown> }> };

/** A push gateway: records every request; answers 500 while `down`, else 200 with `rejected`. */
class FakeGateway {
  readonly accepted: Notification[] = [];
  attempts = 0;
  down = false;
  rejected: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        if (this.down || req.url !== '/_matrix/push/v1/notify' || req.method !== 'POST') {
          res.writeHead(500).end();
          return;
        }
        this.accepted.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { notification: Notification }).notification);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rejected: this.rejected }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/_matrix/push/v1/notify`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const pusherBody = (url: string, pushkey = 'pk-1', extra: Record<string, unknown> = {}) => ({
  kind: 'http', app_id: 'org.example.app', pushkey, app_display_name: 'Example', device_display_name: 'Phone',
  lang: 'en', data: { url, custom: 'kept' }, ...extra,
});

forEachBackend('pushers API', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend });
    alice = await s.createUser('alice');
  });
  after(() => s.close());
  const set = (body: unknown, user = alice) => s.request('POST', `${V3}/pushers/set`, { token: user.accessToken, body });
  const list = async (user = alice) => {
    const res = await s.request('GET', `${V3}/pushers`, { token: user.accessToken });
    assertSpecResponse(res, 'GET', `${V3}/pushers`);
    return (res.json() as { pushers: Array<Record<string, unknown>> }).pushers;
  };
  const url = 'https://push.example.org/_matrix/push/v1/notify';

  it('sets, lists, replaces and deletes (kind null) a pusher', async () => {
    const res = await set({ ...pusherBody(url), profile_tag: 'tag' });
    assertSpecResponse(res, 'POST', `${V3}/pushers/set`);
    assert.deepEqual(res.json(), {});
    assert.deepEqual(await list(), [{
      pushkey: 'pk-1', kind: 'http', app_id: 'org.example.app', app_display_name: 'Example', device_display_name: 'Phone',
      lang: 'en', data: { url, custom: 'kept' }, profile_tag: 'tag',
    }]);
    assert.equal((await set(pusherBody(url, 'pk-1', { lang: 'fr' }))).statusCode, 200);
    assert.deepEqual((await list()).map((p) => [p.pushkey, p.lang]), [['pk-1', 'fr']]);
    assert.equal((await set({ kind: null, app_id: 'org.example.app', pushkey: 'pk-1' })).statusCode, 200);
    assert.deepEqual(await list(), []);
  });

  it('append: false takes the app ID and pushkey from another user; append: true shares them', async () => {
    const bob = await s.createUser('bob-append');
    assert.equal((await set(pusherBody(url, 'shared'))).statusCode, 200);
    assert.equal((await set(pusherBody(url, 'shared', { append: true }), bob)).statusCode, 200);
    assert.equal((await list()).length, 1);
    assert.equal((await set(pusherBody(url, 'shared'), bob)).statusCode, 200);
    assert.deepEqual(await list(), []);
    assert.equal((await list(bob)).length, 1);
  });

  it('every invalid field is 400 with its errcode, and nothing is stored', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...pusherBody(url), kind: 'email', pushkey: 'a@example.org', app_id: 'm.email' }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), kind: 'sms' }, 'M_INVALID_PARAM'],
      [(({ kind: _k, ...rest }) => rest)(pusherBody(url)), 'M_MISSING_PARAM'],
      [(({ lang: _l, ...rest }) => rest)(pusherBody(url)), 'M_MISSING_PARAM'],
      [{ ...pusherBody(url), data: {} }, 'M_MISSING_PARAM'],
      [{ ...pusherBody(url), data: { url: 'ftp://push.example.org/_matrix/push/v1/notify' } }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), data: { url: 'https://push.example.org/elsewhere' } }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), data: { url: 'not a url' } }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), data: { url, format: 'full' } }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), data: { url, pad: 'x'.repeat(5000) } }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), app_id: 'a'.repeat(65) }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), pushkey: 'é'.repeat(257) }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), lang: 7 }, 'M_INVALID_PARAM'],
      [{ ...pusherBody(url), append: 'yes' }, 'M_INVALID_PARAM'],
    ];
    for (const [body, errcode] of cases) assertMatrixError(await set(body), 400, errcode, 'POST', `${V3}/pushers/set`);
    const email = await set({ ...pusherBody(url), kind: 'email' });
    assert.match((email.json() as { error: string }).error, /email/i);
    assert.deepEqual(await list(), []);
  });

  it('a user has at most 100 pushers: the 101st is refused, replacing one still works', async () => {
    const carol = await s.createUser('carol');
    for (let i = 0; i < 100; i++) assert.equal((await set(pusherBody(url, `k${i}`), carol)).statusCode, 200);
    assertMatrixError(await set(pusherBody(url, 'k100'), carol), 403, 'M_USER_LIMIT_EXCEEDED', 'POST', `${V3}/pushers/set`);
    assert.equal((await set(pusherBody(url, 'k5', { lang: 'de' }), carol)).statusCode, 200);
    assert.equal((await list(carol)).length, 100);
  });

  it('a pusher belongs to the device that set it: logging that device out removes it, others stay', async () => {
    const dave = await s.createUser('dave');
    const other = await s.app.services.sessions.issue(dave.userId, undefined, null);
    assert.equal((await set(pusherBody(url, 'd1'), dave)).statusCode, 200);
    assert.equal((await set(pusherBody(url, 'd2'), { ...dave, accessToken: other.access_token })).statusCode, 200);
    assert.equal((await s.request('POST', `${V3}/logout`, { token: dave.accessToken, body: {} })).statusCode, 200);
    assert.deepEqual((await list({ ...dave, accessToken: other.access_token })).map((p) => p.pushkey), ['d2']);
  });

  it('deactivating the account removes all its pushers', async () => {
    const erin = await s.createUser('erin');
    const other = await s.app.services.sessions.issue(erin.userId, undefined, null);
    assert.equal((await set(pusherBody(url, 'e1'), erin)).statusCode, 200);
    assert.equal((await set(pusherBody(url, 'e2'), { ...erin, accessToken: other.access_token })).statusCode, 200);
    const first = await s.request('POST', `${V3}/account/deactivate`, { token: erin.accessToken, body: {} });
    const auth = { type: 'm.login.password', session: first.json().session, identifier: { type: 'm.id.user', user: erin.userId }, password: erin.password };
    assert.equal((await s.request('POST', `${V3}/account/deactivate`, { token: erin.accessToken, body: { auth } })).statusCode, 200);
    assert.deepEqual(await s.app.store.pushers.list(erin.userId), []);
  });
}, describe);

forEachBackend('push delivery and notifications', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  const gateway = new FakeGateway();
  const r = () => rest(s);
  before(async () => {
    await gateway.start();
    s = await startTestServer({ backend, config: { federation: { allow_private_addresses: true } } });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
    roomId = await r().createRoom(alice, { preset: 'private_chat', invite: [bob.userId] });
    await r().join(bob, roomId);
    await r().putState(alice, roomId, 'm.room.member', { membership: 'join', displayname: 'Alice A' }, alice.userId);
    const res = await s.request('POST', `${V3}/pushers/set`, { token: bob.accessToken, body: pusherBody(gateway.url) });
    assert.equal(res.statusCode, 200, res.body);
    await settle(s);
  });
  after(async () => {
    await s.close();
    await gateway.close();
  });

  const notifications = async (query = '') => {
    const url = `${V3}/notifications${query}`;
    const res = await s.request('GET', url, { token: bob.accessToken });
    assertSpecResponse(res, 'GET', url);
    return res.json() as { next_token?: string; notifications: Array<{ event: { event_id: string }; read: boolean; room_id: string; actions: unknown[] }> };
  };

  it('the gateway receives exactly one notification per message, with the unread count', async () => {
    assert.equal(gateway.accepted.length, 0, 'nothing from before the pusher was set');
    const m1 = await r().send(alice, roomId, 'one');
    await settle(s);
    const m2 = await r().send(alice, roomId, 'two');
    await settle(s);
    await settle(s);
    assert.deepEqual(gateway.accepted.map((n) => [n.event_id, n.counts.unread]), [[m1, 1], [m2, 2]]);
    const [first] = gateway.accepted;
    assert.equal(first!.room_id, roomId);
    assert.equal(first!.type, 'm.room.message');
    assert.equal(first!.sender, alice.userId);
    assert.equal(first!.sender_display_name, 'Alice A');
    assert.deepEqual(first!.content, { msgtype: 'm.text', body: 'one' });
    assert.equal(first!.prio, 'high');
    assert.deepEqual(first!.devices, [{
      app_id: 'org.example.app', pushkey: 'pk-1', pushkey_ts: Math.floor(s.clock.now() / 1000), data: { custom: 'kept' }, tweaks: { sound: 'default' },
    }]);
    // Reading up to m2 brings the count back down for the next push.
    await r().ok('POST', `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(m2)}`, bob, {});
    const m3 = await r().send(alice, roomId, 'three');
    await settle(s);
    assert.deepEqual(gateway.accepted.slice(2).map((n) => [n.event_id, n.counts.unread]), [[m3, 1]]);
    // The oldest is bob's invite (the default rule .m.rule.invite_for_me), never pushed: it came before the pusher.
    const listed = (await notifications()).notifications;
    assert.deepEqual(listed.map((n) => [n.event.event_id, n.read]).slice(0, 3), [[m3, false], [m2, true], [m1, true]]);
    assert.deepEqual(listed.slice(3).map((n) => [(n.event as unknown as { type: string; content: { membership: string } }).content.membership, n.read]), [['invite', true]]);
  });

  it('GET /notifications pages with from and limit, and only=highlight keeps highlights', async () => {
    const mention = (await r().ok('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/mention`, alice,
      { msgtype: 'm.text', body: 'hey bob', 'm.mentions': { user_ids: [bob.userId] } })).event_id as string;
    await settle(s);
    const page = await notifications('?limit=2');
    assert.equal(page.notifications.length, 2);
    assert.equal(page.notifications[0]!.event.event_id, mention);
    const rest2 = await notifications(`?limit=10&from=${page.next_token!}`);
    assert.equal(rest2.notifications.length, 3);
    assert.equal(rest2.next_token, undefined);
    assert.deepEqual((await notifications('?only=highlight')).notifications.map((n) => n.event.event_id), [mention]);
    assertMatrixError(await s.request('GET', `${V3}/notifications?from=abc`, { token: bob.accessToken }), 400, 'M_INVALID_PARAM', 'GET', `${V3}/notifications`);
  });

  it('a gateway that was down gets the notification again after the backoff, once', async () => {
    const before = gateway.accepted.length;
    gateway.down = true;
    const attempts = gateway.attempts;
    const m = await r().send(alice, roomId, 'while down');
    await settle(s);
    assert.equal(gateway.attempts, attempts + 1);
    s.clock.advance(5_000);
    await settle(s);
    assert.equal(gateway.attempts, attempts + 1, 'not before the backoff');
    gateway.down = false;
    s.clock.advance(10_000);
    await settle(s);
    assert.deepEqual(gateway.accepted.slice(before).map((n) => n.event_id), [m]);
  });

  it('a message redacted before the gateway took it is not pushed', async () => {
    const before = gateway.accepted.length;
    gateway.down = true;
    const m = await r().send(alice, roomId, 'oops');
    await settle(s);
    await r().ok('PUT', `/rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(m)}/redact-1`, alice, {});
    gateway.down = false;
    s.clock.advance(60_000);
    // A message after it is pushed: delivery went on, passing over the redacted one.
    const after = await r().send(alice, roomId, 'after the redaction');
    await settle(s);
    assert.deepEqual(gateway.accepted.slice(before).map((n) => n.event_id), [after]);
  });

  it('a pushkey the gateway rejects loses its pusher', async () => {
    const carol = await s.createUser('carol');
    await r().invite(alice, roomId, carol);
    await r().join(carol, roomId);
    assert.equal((await s.request('POST', `${V3}/pushers/set`, { token: carol.accessToken, body: pusherBody(gateway.url, 'carol-key') })).statusCode, 200);
    gateway.rejected = ['carol-key'];
    await r().send(alice, roomId, 'to carol');
    await settle(s);
    gateway.rejected = [];
    const res = await s.request('GET', `${V3}/pushers`, { token: carol.accessToken });
    assert.deepEqual(res.json(), { pushers: [] });
    assert.equal((await s.app.store.pushers.list(bob.userId as UserId)).length, 1, 'another user\'s pusher stays');
  });

  it('after leaving, no more pushes from the room, not even one recorded before; after forgetting, its notifications are gone', async () => {
    const before = gateway.accepted.filter((n) => n.devices[0]!.pushkey === 'pk-1').length;
    // Recorded while bob was in the room, but the gateway is down until he has left.
    gateway.down = true;
    await r().send(alice, roomId, 'before leave');
    await settle(s);
    await r().leave(bob, roomId);
    gateway.down = false;
    s.clock.advance(60_000);
    await r().send(alice, roomId, 'after leave');
    await settle(s);
    assert.equal(gateway.accepted.filter((n) => n.devices[0]!.pushkey === 'pk-1').length, before);
    assert.ok((await notifications()).notifications.length > 0);
    await r().forget(bob, roomId);
    assert.deepEqual((await notifications()).notifications, []);
  });
}, describe);

forEachBackend('push gateways on private addresses', (backend) => {
  let s: TestServer;
  const gateway = new FakeGateway();
  before(async () => {
    await gateway.start();
    s = await startTestServer({ backend });
  });
  after(async () => {
    await s.close();
    await gateway.close();
  });

  it('are refused while federation.allow_private_addresses is off: the gateway hears nothing and the pusher backs off', async () => {
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const roomId = await rest(s).createRoom(alice, { preset: 'private_chat', invite: [bob.userId] });
    await rest(s).join(bob, roomId);
    assert.equal((await s.request('POST', `${V3}/pushers/set`, { token: bob.accessToken, body: pusherBody(gateway.url) })).statusCode, 200);
    await rest(s).send(alice, roomId, 'hello');
    await settle(s);
    assert.equal(gateway.attempts, 0);
    assert.deepEqual((await s.app.store.pushers.list(bob.userId)).map((p) => p.failures), [1]);
  });
}, describe);
