import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { AUTHED, LEGACY, UPLOAD, filesUnder, get, uploadOk, uploadRaw } from '../helpers/media.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * The content repository (spec v1.19 "Content repository"): upload and download byte for byte,
 * content type and file name, the authenticated and legacy paths and the setting that keeps new
 * media off the legacy ones, the configured size limit enforced while streaming (counted in files
 * left in the media directory), hostile media IDs and file names, and the download safety headers.
 */

const MAX = 64 * 1024;

forEachBackend('media repository: upload and download', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend, config: { media: { max_upload_size: MAX } } });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  it('an upload comes back byte for byte on the authenticated path, to any user, with its content type and file name', async () => {
    const bytes = randomBytes(10_000);
    const id = await uploadOk(s, alice, bytes, { contentType: 'image/png', filename: 'cat.png' });
    const url = `${AUTHED}/download/hs.test/${id}`;
    const res = await s.app.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bob.accessToken}` } });
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', url);
    assert.deepEqual(res.rawPayload, bytes);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['content-length'], '10000');
    assert.equal(res.headers['content-disposition'], 'inline; filename="cat.png"');
    // The index row records the content's size and hash, and the file is named by that hash.
    const row = await s.app.store.media.get(id);
    assert.equal(row?.size, 10_000);
    assert.equal(row?.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(row?.userId, alice.userId);
  });

  it('the file name of the path replaces the upload\'s; no content type is served as application/octet-stream, as an attachment', async () => {
    const id = await uploadOk(s, alice, 'plain bytes');
    const url = `${AUTHED}/download/hs.test/${id}/other%20name.bin`;
    const res = await get(s, url, alice);
    assert.equal(res.statusCode, 200);
    assertSpecResponse(res, 'GET', url);
    assert.equal(res.body, 'plain bytes');
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="other name.bin"');
    const bare = await get(s, `${AUTHED}/download/hs.test/${id}`, alice);
    assert.equal(bare.headers['content-disposition'], 'attachment');
  });

  it('HEAD gives a download\'s headers with its length, and no body', async () => {
    const id = await uploadOk(s, alice, 'eleven byte', { contentType: 'text/plain' });
    const res = await s.app.http.inject({ method: 'HEAD', url: `${AUTHED}/download/hs.test/${id}`, headers: { authorization: `Bearer ${alice.accessToken}` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], '11');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.body, '');
  });

  it('an empty upload is stored and served as zero bytes', async () => {
    const id = await uploadOk(s, alice, Buffer.alloc(0), { contentType: 'text/plain' });
    const res = await get(s, `${AUTHED}/download/hs.test/${id}`, alice);
    assert.equal(res.statusCode, 200);
    assert.equal(res.rawPayload.length, 0);
    assert.equal((await s.app.store.media.get(id))?.size, 0);
  });

  it('the authenticated paths need an access token: 401 M_MISSING_TOKEN', async () => {
    const id = await uploadOk(s, alice, 'x');
    for (const url of [`${AUTHED}/download/hs.test/${id}`, `${AUTHED}/config`, `${AUTHED}/thumbnail/hs.test/${id}?width=32&height=32`]) {
      assertMatrixError(await get(s, url), 401, 'M_MISSING_TOKEN', 'GET', url);
    }
    assertMatrixError(await uploadRaw(s, undefined, 'x'), 401, 'M_MISSING_TOKEN', 'POST', UPLOAD);
  });

  it('media uploaded while authenticated media is on (the default) is 404 M_NOT_FOUND on the legacy paths', async () => {
    const id = await uploadOk(s, alice, 'new media');
    for (const url of [`${LEGACY}/download/hs.test/${id}`, `${LEGACY}/download/hs.test/${id}/f.txt`, `/_matrix/media/r0/download/hs.test/${id}`]) {
      assertMatrixError(await get(s, url), 404, 'M_NOT_FOUND', 'GET', url);
      assertMatrixError(await get(s, url, alice), 404, 'M_NOT_FOUND', 'GET', url);
    }
    assert.equal((await s.app.store.media.get(id))?.authenticated, true);
  });

  it('the upload limit is /config\'s m.upload.size, on both paths', async () => {
    for (const url of [`${AUTHED}/config`, `${LEGACY}/config`]) {
      const res = await get(s, url, alice);
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'GET', url);
      assert.deepEqual(res.json(), { 'm.upload.size': MAX });
    }
  });

  it('an upload over the limit is 413 M_TOO_LARGE while streaming, and no file is left behind', async () => {
    const before = filesUnder(s.app.config.media.path).length;
    // Chunked (no Content-Length): refused once the bytes pass the limit.
    const chunked = await s.app.http.inject({
      method: 'POST', url: UPLOAD, headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(MAX + 1, 7),
    });
    assertMatrixError(chunked, 413, 'M_TOO_LARGE', 'POST', UPLOAD);
    assert.equal(chunked.headers.connection, 'close');
    // A huge Content-Length with a short body: refused before reading.
    const lying = await uploadRaw(s, alice, 'short', { headers: { 'content-length': String(10 * 1024 * 1024 * 1024) } });
    assertMatrixError(lying, 413, 'M_TOO_LARGE', 'POST', UPLOAD);
    // Exactly the limit is fine.
    await uploadOk(s, alice, Buffer.alloc(MAX, 1));
    assert.equal(filesUnder(s.app.config.media.path).length, before + 1);
  });

  it('over a real connection: a streamed upload round-trips; one passing the limit without a Content-Length is 413 and leaves no file', async () => {
    const base = (await s.listen()).replace(/\/$/, '');
    const headers = { authorization: `Bearer ${alice.accessToken}` };
    const bytes = randomBytes(MAX - 10);
    const up = await fetch(`${base}${UPLOAD}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/pdf' }, body: bytes });
    assert.equal(up.status, 200);
    const id = ((await up.json()) as { content_uri: string }).content_uri.split('/').pop();
    const down = await fetch(`${base}${AUTHED}/download/hs.test/${id}`, { headers });
    assert.deepEqual(Buffer.from(await down.arrayBuffer()), bytes);
    assert.equal(down.headers.get('content-disposition'), 'attachment');
    const before = filesUnder(s.app.config.media.path).length;
    async function* chunks() {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(MAX / 4, i);
    }
    const big = await fetch(`${base}${UPLOAD}`, { method: 'POST', headers, body: chunks(), duplex: 'half' } as RequestInit);
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { errcode: string }).errcode, 'M_TOO_LARGE');
    assert.equal(filesUnder(s.app.config.media.path).length, before);
  });

  it('a body shorter than its Content-Length is 400 M_UNKNOWN and stores nothing', async () => {
    const before = filesUnder(s.app.config.media.path).length;
    const res = await uploadRaw(s, alice, 'only this', { headers: { 'content-length': '100' } });
    assertMatrixError(res, 400, 'M_UNKNOWN', 'POST', UPLOAD);
    assert.equal(filesUnder(s.app.config.media.path).length, before);
  });

  it('hostile media IDs never read anything: 404 M_NOT_FOUND', async () => {
    await uploadOk(s, alice, 'secret');
    const hostile = ['..', '..%2F..%2Fhearth.db', '%2E%2E', 'a.b', 'abc%00', 'a%2Fb', '%5C..%5C', 'x'.repeat(256), 'files', 'tmp'];
    for (const id of hostile) {
      for (const url of [`${AUTHED}/download/hs.test/${id}`, `${AUTHED}/download/hs.test/${id}/name`, `${AUTHED}/thumbnail/hs.test/${id}?width=32&height=32`]) {
        const res = await get(s, url, alice);
        assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url}: ${res.statusCode}`);
        assert.ok(['M_NOT_FOUND', 'M_INVALID_PARAM', 'M_UNRECOGNIZED'].includes(res.json().errcode), `${url}: ${res.body}`);
      }
    }
    // A client may normalise `..` away before sending: whatever the path becomes, it is no file.
    const dotted = await get(s, `${AUTHED}/download/hs.test/../../../../hearth.db`, alice);
    assert.ok(dotted.statusCode === 404 || dotted.statusCode === 400, dotted.body.slice(0, 100));
    assert.ok(['M_NOT_FOUND', 'M_UNRECOGNIZED'].includes(dotted.json().errcode), dotted.body);
  });

  it('media of another server is 404 M_NOT_FOUND until federation fetches it', async () => {
    const url = `${AUTHED}/download/other.test/abcdef`;
    assertMatrixError(await get(s, url, alice), 404, 'M_NOT_FOUND', 'GET', url);
  });

  it('hostile file names cannot break out of Content-Disposition: quotes escaped, CR/LF and non-ASCII percent-encoded', async () => {
    const cases: Array<[string, string]> = [
      ['a"b\\c.txt', 'attachment; filename="a\\"b\\\\c.txt"'],
      ['evil\r\nSet-Cookie: x=1', "attachment; filename*=utf-8''evil%0D%0ASet-Cookie%3A%20x%3D1"],
      ['été ☃.txt', "attachment; filename*=utf-8''%C3%A9t%C3%A9%20%E2%98%83.txt"],
    ];
    for (const [name, expected] of cases) {
      const id = await uploadOk(s, alice, 'x', { filename: name, contentType: 'application/x-thing' });
      const res = await get(s, `${AUTHED}/download/hs.test/${id}`, alice);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-disposition'], expected);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assertMatrixError(await uploadRaw(s, alice, 'x', { filename: 'n'.repeat(300) }), 400, 'M_INVALID_PARAM', 'POST', UPLOAD);
  });

  it('every download carries the safety headers; HTML, SVG and JavaScript are attachments, pictures and plain text inline', async () => {
    const types: Array<[string, 'inline' | 'attachment']> = [
      ['text/html', 'attachment'], ['image/svg+xml', 'attachment'], ['application/javascript', 'attachment'], ['text/xml', 'attachment'],
      ['image/jpeg', 'inline'], ['text/plain; charset=utf-8', 'inline'], ['video/mp4', 'inline'], ['IMAGE/PNG', 'inline'],
    ];
    for (const [type, disposition] of types) {
      const id = await uploadOk(s, alice, '<script>alert(1)</script>', { contentType: type });
      const res = await get(s, `${AUTHED}/download/hs.test/${id}`, alice);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], type);
      assert.equal(res.headers['content-disposition'], disposition);
      assert.match(String(res.headers['content-security-policy']), /^sandbox; default-src 'none'; script-src 'none';/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    }
  });

  it('a Content-Type that is not a media type (or could split the header) is stored as none', async () => {
    const id = await uploadOk(s, alice, 'x', { contentType: 'not a type' });
    assert.equal((await s.app.store.media.get(id))?.contentType, null);
    assert.equal((await get(s, `${AUTHED}/download/hs.test/${id}`, alice)).headers['content-type'], 'application/octet-stream');
  });
}, describe);

forEachBackend('media repository: legacy paths with authenticated media off', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({ backend, config: { media: { enable_authenticated_media: false } } });
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  it('media uploaded while it is off is served on the legacy paths without a token, and on the authenticated ones', async () => {
    const id = await uploadOk(s, alice, 'old style', { contentType: 'text/plain', filename: 'a.txt' });
    for (const url of [`${LEGACY}/download/hs.test/${id}`, `${LEGACY}/download/hs.test/${id}/b.txt`]) {
      const res = await get(s, url);
      assert.equal(res.statusCode, 200);
      assertSpecResponse(res, 'GET', url);
      assert.equal(res.body, 'old style');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    assert.equal((await get(s, `/_matrix/media/r0/download/hs.test/${id}`)).body, 'old style');
    assert.equal((await get(s, `${AUTHED}/download/hs.test/${id}`, alice)).body, 'old style');
    assert.equal((await s.app.store.media.get(id))?.authenticated, false);
  });
}, describe);
