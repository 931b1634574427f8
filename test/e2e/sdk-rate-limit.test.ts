// matrix-js-sdk meeting Hearth's rate limits: a burst of messages past the `message` bucket gets
// 429 M_LIMIT_EXCEEDED; the SDK's scheduler waits the advertised time (Retry-After / retry_after_ms)
// and sends again, and every message ends up in the room exactly once, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { forEachBackend } from '../helpers/backends.js';
import { rest } from '../helpers/rest.js';
import { sdkClientLogged, startAndWaitPrepared, type HttpProblem } from '../helpers/sdk-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

forEachBackend('matrix-js-sdk 37.5.0 and rate limiting', (backend) => {
  let s: TestServer;
  let baseUrl: string;
  const clients: sdk.MatrixClient[] = [];
  before(async () => {
    // Two messages at once, then one per second: a burst of five must wait for three tokens.
    s = await startTestServer({ backend, realClock: true, config: { rate_limits: { enabled: true, message: { per_second: 1, burst: 2 } } } });
    baseUrl = await s.listen();
  });
  after(async () => {
    for (const c of clients) c.stopClient();
    await s.close();
  });

  it('the client waits retry_after_ms after a 429 and its messages all arrive, once each, in order', { timeout: 30_000 }, async () => {
    const alice = await s.createUser('alice');
    const roomId = await rest(s).createRoom(alice, { name: 'Slow room' });
    const log: HttpProblem[] = [];
    const client = sdkClientLogged(baseUrl, alice, log);
    clients.push(client);
    await startAndWaitPrepared(client);

    const bodies = ['one', 'two', 'three', 'four', 'five'];
    const sent = await Promise.all(bodies.map((body) => client.sendTextMessage(roomId, body)));
    assert.equal(new Set(sent.map((r) => r.event_id)).size, bodies.length, 'every message got its own event ID');

    const limited = log.filter((p) => p.status === 429);
    assert.ok(limited.length >= 1, `no 429 was seen: ${JSON.stringify(log)}`);
    for (const p of limited) {
      const body = JSON.parse(p.body) as { errcode: string; retry_after_ms: number };
      assert.equal(body.errcode, 'M_LIMIT_EXCEEDED');
      assert.ok(body.retry_after_ms > 0 && body.retry_after_ms <= 1000, p.body);
    }
    assert.deepEqual(log.filter((p) => p.status !== 429), [], 'only rate-limit refusals');

    const messages = await s.request('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`, { token: alice.accessToken });
    assert.equal(messages.statusCode, 200);
    const inRoom = (messages.json() as { chunk: Array<{ type: string; content: { body?: string } }> }).chunk
      .filter((e) => e.type === 'm.room.message').map((e) => e.content.body).reverse();
    // The SDK queues m.room.message events one after another, so the order survives the retries.
    assert.deepEqual(inRoom, bodies);
    console.log(`sdk-rate-limit [${backend}]: ${limited.length} replies were 429; all ${bodies.length} messages arrived in order`);
  });
}, describe);
