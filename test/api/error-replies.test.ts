import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { V3 } from '../helpers/rest.js';

/**
 * Every error reply is a Matrix error (`errcode` M_..., `error`), JSON with a JSON content type: those
 * of the routes, of Fastify itself (content type, JSON, body size, URL) and of Node's HTTP parser,
 * which refuses some requests before Fastify sees them (those need a real socket: inject() has no parser).
 */


interface RawReply { status: number; headers: Record<string, string>; body: string }

/**
 * Sends bytes as they are on a fresh connection; resolves to everything the server sent once it closed
 * the connection. `keepOpen`: our side stays open (the server decides when the exchange ends).
 */
function sendRaw(base: string, bytes: Buffer, o: { keepOpen?: boolean } = {}): Promise<Buffer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no reply within 10 s: ${Buffer.concat(chunks).toString('latin1').slice(0, 500)}`)));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    if (o.keepOpen) socket.write(bytes);
    else socket.end(bytes);
  });
}

/** The HTTP replies in what a connection received, each framed by its Content-Length. */
function splitReplies(raw: Buffer): RawReply[] {
  const replies: RawReply[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine = '', ...lines] = raw.subarray(at, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? raw.length - end - 4);
    replies.push({ status: Number(statusLine.split(' ')[1]), headers, body: raw.subarray(end + 4, end + 4 + length).toString('utf8') });
    at = end + 4 + length;
  }
  return replies;
}

function assertMatrixJson(what: string, status: number, contentType: string | undefined, body: string, expected: { status: number; errcode: string }) {
  assert.equal(status, expected.status, `${what}: status (${body})`);
  assert.match(String(contentType), /^application\/json/, `${what}: content type`);
  const json = JSON.parse(body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['errcode', 'error'], `${what}: ${body}`);
  assert.equal(json.errcode, expected.errcode, `${what}: ${body}`);
  assert.equal(typeof json.error, 'string', what);
}

forEachBackend('every error reply is a Matrix error', (backend) => {
  let s: TestServer;
  let base: string;
  let token: string;
  before(async () => {
    s = await startTestServer({ backend, config: { max_request_bytes: 65536 } });
    base = await s.listen();
    token = (await s.createUser('alice')).accessToken;
  });
  after(() => s.close());

  it('requests that Node\'s HTTP parser refuses (raw bytes over a socket): Matrix errors, not Fastify\'s "Client Error"', async () => {
    const line = (requestLine: string | Buffer, headers = 'Host: hs.test\r\n') =>
      Buffer.concat([typeof requestLine === 'string' ? Buffer.from(requestLine, 'latin1') : requestLine, Buffer.from(`\r\n${headers}\r\n`)]);
    const cases: Array<[string, Buffer, { status: number; errcode: string }]> = [
      ['raw non-ASCII bytes in the path', line(Buffer.concat([Buffer.from('GET /_matrix/client/v3/rooms/'), Buffer.from([0xff, 0xfe, 0xe9]), Buffer.from('/state HTTP/1.1')])), { status: 400, errcode: 'M_UNRECOGNIZED' }],
      ['a control character in the path', line('GET /_matrix/client/versions\u0001x HTTP/1.1'), { status: 400, errcode: 'M_UNRECOGNIZED' }],
      ['a request line that is not HTTP', line('HELLO THERE'), { status: 400, errcode: 'M_UNKNOWN' }],
      ['a header name with a space', line('GET /_matrix/client/versions HTTP/1.1', 'Host: hs.test\r\nBad Header: x\r\n'), { status: 400, errcode: 'M_UNKNOWN' }],
      ['headers past Node\'s limit', line('GET /_matrix/client/versions HTTP/1.1', `Host: hs.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n`), { status: 431, errcode: 'M_UNKNOWN' }],
      ['a URL past Node\'s header limit', line(`GET /_matrix/client/v3/${'a'.repeat(20_000)} HTTP/1.1`), { status: 431, errcode: 'M_UNKNOWN' }],
    ];
    for (const [what, bytes, expected] of cases) {
      const replies = splitReplies(await sendRaw(base, bytes));
      assert.equal(replies.length, 1, what);
      const [reply] = replies as [RawReply];
      assertMatrixJson(what, reply.status, reply.headers['content-type'], reply.body, expected);
    }
    // The server is still there.
    const ok = await fetch(`${base}/_matrix/client/versions`);
    assert.equal(ok.status, 200);
  });

  it('Fastify\'s own refusals (JSON, body size, URL length, percent-encoding, route, method): Matrix errors', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const cases: Array<[string, InjectOptions, { status: number; errcode: string }]> = [
      // Any content type is read as JSON (clients send all sorts): what is not JSON is refused as such.
      ['a body that is not JSON under another content type', { method: 'POST', url: `${V3}/createRoom`, headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'preset=public_chat' }, { status: 400, errcode: 'M_NOT_JSON' }],
      ['invalid JSON', { method: 'POST', url: `${V3}/createRoom`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"preset":' }, { status: 400, errcode: 'M_NOT_JSON' }],
      ['a body past max_request_bytes', { method: 'POST', url: `${V3}/createRoom`, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(70_000) }) }, { status: 413, errcode: 'M_TOO_LARGE' }],
      ['a path parameter past the router\'s limit', { method: 'GET', url: `${V3}/rooms/${'a'.repeat(3000)}/state`, headers: auth }, { status: 400, errcode: 'M_UNRECOGNIZED' }],
      ['bad percent-encoding', { method: 'GET', url: `${V3}/rooms/%E0%A4%A/state`, headers: auth }, { status: 400, errcode: 'M_UNRECOGNIZED' }],
      ['bad percent-encoding outside any route', { method: 'GET', url: '/%E0%A4%A', headers: auth }, { status: 400, errcode: 'M_UNRECOGNIZED' }],
      ['an unknown route', { method: 'GET', url: `${V3}/no/such/thing`, headers: auth }, { status: 404, errcode: 'M_UNRECOGNIZED' }],
      ['a method the route does not have', { method: 'DELETE', url: `${V3}/createRoom`, headers: auth }, { status: 405, errcode: 'M_UNRECOGNIZED' }],
    ];
    for (const [what, request, expected] of cases) {
      const res = await s.app.http.inject(request);
      assertMatrixJson(what, res.statusCode, res.headers['content-type'] as string | undefined, res.body, expected);
    }
  });

  it('a request that arrives while the server shuts down: 503 as a Matrix error, not Fastify\'s own body', { timeout: 30_000 }, async () => {
    // A server of its own, since this test closes it. A request whose body is still arriving keeps
    // its keep-alive connection busy while the server closes (parked long-polls answer at once);
    // the next request, sent with the rest of the body, arrives at a closing server.
    const closing = await startTestServer({ backend });
    const { hostname, port } = new URL(await closing.listen());
    const bob = await closing.createUser('bob');
    const headers = `Host: hs.test\r\nAuthorization: Bearer ${bob.accessToken}\r\n`;
    const socket = connect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    let arrived = () => {};
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      arrived();
    });
    /** Resolves once `count` whole replies have arrived on the connection. */
    const replies = (count: number) => new Promise<RawReply[]>((resolve) => {
      arrived = () => {
        const got = splitReplies(received);
        if (got.length >= count && got.every((r) => Buffer.byteLength(r.body) >= Number(r.headers['content-length']))) resolve(got);
      };
      arrived();
    });
    socket.write(`POST ${V3}/user/${encodeURIComponent(bob.userId)}/filter HTTP/1.1\r\n${headers}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closed = closing.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(`}GET /_matrix/client/versions HTTP/1.1\r\n${headers}\r\n`);
    const [filter, late] = await replies(2);
    assert.equal(filter!.status, 200, filter!.body);
    socket.destroy();
    await closed;
    assertMatrixJson('a request while closing', late!.status, late!.headers['content-type'], late!.body, { status: 503, errcode: 'M_UNKNOWN' });
  });
}, describe);
