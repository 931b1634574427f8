// Slow clients (issue 21 item 13): a request whose headers or body arrive a byte at a time is
// answered 408 and its connection closed once `request_timeout_ms` has passed since it began, so
// that trickling clients cannot hold connections and memory for ever. The timeout covers receiving
// the request only: a /sync long-poll (no body) waits longer than it and still answers. The timeout
// here is short so that the test runs fast; the assertions are about answers, not durations.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sync, V3 } from '../helpers/rest.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

const TIMEOUT_MS = 400;
/** How long a test waits for the server to give up on a trickling client before declaring that it never does. */
const GIVE_UP_MS = 8_000;

/** Everything the server sends until it closes the connection, or null if it has not closed it by GIVE_UP_MS. */
function untilClosed(socket: Socket): Promise<string | null> {
  return new Promise((resolve) => {
    let received = '';
    const deadline = setTimeout(() => resolve(null), GIVE_UP_MS);
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve(received);
    });
  });
}

/** Writes `bytes` one at a time, every 50 ms, while the socket stays open. */
function trickle(socket: Socket, bytes: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= bytes.length) return clearInterval(timer);
    socket.write(bytes[i++]!);
  }, 50);
}

function assertTimedOut(reply: string | null): void {
  assert.notEqual(reply, null, 'the server closed the connection of the trickling client');
  assert.match(reply!, /^HTTP\/1\.1 408 /, reply!);
  const body = JSON.parse(reply!.slice(reply!.indexOf('\r\n\r\n') + 4)) as { errcode: string };
  assert.equal(body.errcode, 'M_UNKNOWN');
}

describe('a request that arrives too slowly is answered 408 and closed', () => {
  let s: TestServer;
  let host: string;
  let port: number;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ config: { request_timeout_ms: TIMEOUT_MS } });
    const url = new URL(await s.listen());
    host = url.hostname;
    port = Number(url.port);
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  it('a body trickled a byte at a time: 408 M_UNKNOWN, connection closed', { timeout: GIVE_UP_MS * 2 }, async () => {
    const socket = connect({ host, port });
    const closed = untilClosed(socket);
    const body = JSON.stringify({ name: 'x'.repeat(500) });
    socket.write(`POST ${V3}/createRoom HTTP/1.1\r\nHost: hs.test\r\nAuthorization: Bearer ${alice.accessToken}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    trickle(socket, body);
    assertTimedOut(await closed);
    assert.deepEqual((await sync(s, alice)).rooms?.join ?? {}, {}, 'the half-sent room was never created');
  });

  it('headers trickled a byte at a time: 408 M_UNKNOWN, connection closed', { timeout: GIVE_UP_MS * 2 }, async () => {
    const socket = connect({ host, port });
    const closed = untilClosed(socket);
    socket.write(`GET ${V3}/account/whoami HTTP/1.1\r\n`);
    trickle(socket, `Host: hs.test\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`);
    assertTimedOut(await closed);
  });

  it('a /sync long-poll waits longer than the timeout and answers 200', async () => {
    const first = await sync(s, alice);
    const res = await fetch(`http://${host}:${port}${V3}/sync?since=${encodeURIComponent(first.next_batch)}&timeout=${TIMEOUT_MS * 4}`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    assert.equal(res.status, 200);
    assert.equal(typeof ((await res.json()) as { next_batch: unknown }).next_batch, 'string');
  });
});

describe('open connections per client address are capped', () => {
  /** Opens a connection and resolves once it is open or closed by the server, with which of the two it is. */
  const open = (host: string, port: number) => new Promise<{ socket: Socket; closed: Promise<string | null> }>((resolve) => {
    const socket = connect({ host, port });
    const closed = untilClosed(socket);
    socket.once('connect', () => resolve({ socket, closed }));
  });
  /** A whole request on the socket: the status line of its answer, or null if the server closed it unanswered. */
  async function ask(c: { socket: Socket; closed: Promise<string | null> }): Promise<string | null> {
    c.socket.write(`GET /_matrix/client/versions HTTP/1.1\r\nHost: hs.test\r\nConnection: close\r\n\r\n`);
    const reply = await c.closed;
    return reply === null || reply === '' ? null : reply.slice(0, reply.indexOf('\r\n'));
  }

  async function serverWith(config: Record<string, unknown>) {
    const s = await startTestServer({ config });
    const url = new URL(await s.listen());
    return { s, host: url.hostname, port: Number(url.port) };
  }

  it('past max_connections_per_address a new connection is closed unanswered; once one closes, another is served', async () => {
    const { s, host, port } = await serverWith({ max_connections_per_address: 2 });
    const held: Array<{ socket: Socket; closed: Promise<string | null> }> = [];
    try {
      held.push(await open(host, port), await open(host, port));
      assert.equal(await ask(await open(host, port)), null, 'the third connection is closed without an answer');
      assert.match((await ask(held[0]!))!, /^HTTP\/1\.1 /, 'the first two are served');
      assert.match((await ask(await open(host, port)))!, /^HTTP\/1\.1 /, 'a freed place is taken again');
    } finally {
      for (const c of held) c.socket.destroy();
      await s.close();
    }
  });

  it('a trusted proxy is exempt: all its clients share its address', async () => {
    const { s, host, port } = await serverWith({ max_connections_per_address: 2, trusted_proxies: ['127.0.0.0/8'] });
    try {
      const held = [await open(host, port), await open(host, port), await open(host, port)];
      for (const c of held) assert.match((await ask(c))!, /^HTTP\/1\.1 /);
    } finally {
      await s.close();
    }
  });
});
