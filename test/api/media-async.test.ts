import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';
import { AUTHED, UPLOAD, filesUnder, get, uploadOk, uploadRaw } from '../helpers/media.js';

/**
 * Asynchronous uploads (POST /_matrix/media/v1/create, then PUT /upload/{serverName}/{mediaId}):
 * only the creator uploads, only once, before the ID expires; a bounded number pending per user;
 * downloads wait (bounded) for the content, then 504 M_NOT_YET_UPLOADED. Also the media rate
 * limiter, the per-user media quota and the start-up sweep of temporary files a crash left.
 */

const CREATE = '/_matrix/media/v1/create';
const DAY = 24 * 60 * 60 * 1000;

forEachBackend('media repository: create, then upload', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    s = await startTestServer({ backend, config: { media: { max_pending_uploads: 3 } } });
    alice = await s.createUser('alice');
    bob = await s.createUser('bob');
  });
  after(() => s.close());

  const create = async (user: TestUser) => {
    const res = await s.request('POST', CREATE, { token: user.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'POST', CREATE);
    const body = res.json() as { content_uri: string; unused_expires_at: number };
    return { ...body, id: body.content_uri.replace('mxc://hs.test/', '') };
  };
  const putUrl = (id: string) => `/_matrix/media/v3/upload/hs.test/${id}`;
  const put = (user: TestUser, id: string, payload: string | Buffer, contentType = 'text/plain') =>
    uploadRaw(s, user, payload, { url: putUrl(id), method: 'PUT', contentType, filename: 'late.txt' });

  it('create returns an mxc URI and when it expires (24 hours); the creator uploads once; the content is served', async () => {
    const { content_uri, unused_expires_at, id } = await create(alice);
    assert.match(content_uri, /^mxc:\/\/hs\.test\/[A-Za-z0-9_-]{32}$/);
    assert.equal(unused_expires_at, s.clock.now() + DAY);
    const res = await put(alice, id, 'arrived later');
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'PUT', putUrl(id));
    assert.deepEqual(res.json(), {});
    const download = await get(s, `${AUTHED}/download/hs.test/${id}`, bob);
    assert.equal(download.statusCode, 200);
    assert.equal(download.body, 'arrived later');
    assert.equal(download.headers['content-disposition'], 'inline; filename="late.txt"');
  });

  it('a second upload is 409 M_CANNOT_OVERWRITE_MEDIA and the first content stays', async () => {
    const { id } = await create(alice);
    assert.equal((await put(alice, id, 'first')).statusCode, 200);
    assertMatrixError(await put(alice, id, 'second'), 409, 'M_CANNOT_OVERWRITE_MEDIA', 'PUT', putUrl(id));
    assert.equal((await get(s, `${AUTHED}/download/hs.test/${id}`, alice)).body, 'first');
  });

  it('two uploads racing to one media ID: one 200, the other 409, and the content is the winner\'s', async () => {
    const { id } = await create(alice);
    const [a, b] = await Promise.all([put(alice, id, 'content A'), put(alice, id, 'content B')]);
    const statuses = [a.statusCode, b.statusCode].sort();
    assert.deepEqual(statuses, [200, 409]);
    const winner = a.statusCode === 200 ? 'content A' : 'content B';
    assert.equal((await get(s, `${AUTHED}/download/hs.test/${id}`, alice)).body, winner);
  });

  it('media uploaded with POST /upload cannot be overwritten either', async () => {
    const id = await uploadOk(s, alice, 'direct');
    assertMatrixError(await put(alice, id, 'again'), 409, 'M_CANNOT_OVERWRITE_MEDIA', 'PUT', putUrl(id));
  });

  it('another user may not upload to it: 403 M_FORBIDDEN, and nothing is stored', async () => {
    const { id } = await create(alice);
    const files = filesUnder(s.app.config.media.path).length;
    assertMatrixError(await put(bob, id, 'intruder'), 403, 'M_FORBIDDEN', 'PUT', putUrl(id));
    assert.equal((await s.app.store.media.get(id))?.sha256, null);
    assert.equal(filesUnder(s.app.config.media.path).length, files);
  });

  it('an expired or unknown media ID is 404 M_NOT_FOUND, on upload and download', async () => {
    const { id } = await create(alice);
    s.clock.advance(DAY);
    assertMatrixError(await put(alice, id, 'too late'), 404, 'M_NOT_FOUND', 'PUT', putUrl(id));
    const url = `${AUTHED}/download/hs.test/${id}?timeout_ms=0`;
    assertMatrixError(await get(s, url, alice), 404, 'M_NOT_FOUND', 'GET', url);
    assertMatrixError(await put(alice, 'unknownId123', 'x'), 404, 'M_NOT_FOUND', 'PUT', putUrl('unknownId123'));
    assertMatrixError(await put(alice, 'a.b', 'x'), 404, 'M_NOT_FOUND', 'PUT', putUrl('a.b'));
  });

  it('a download of content not uploaded yet waits timeout_ms, then 504 M_NOT_YET_UPLOADED', async () => {
    const { id } = await create(alice);
    const url = `${AUTHED}/download/hs.test/${id}?timeout_ms=50`;
    assertMatrixError(await get(s, url, bob), 504, 'M_NOT_YET_UPLOADED', 'GET', url);
    const thumb = `${AUTHED}/thumbnail/hs.test/${id}?width=32&height=32&timeout_ms=0`;
    assertMatrixError(await get(s, thumb, bob), 504, 'M_NOT_YET_UPLOADED', 'GET', thumb);
  });

  it('a waiting download is answered when the upload arrives', async () => {
    const { id } = await create(alice);
    const waiting = get(s, `${AUTHED}/download/hs.test/${id}?timeout_ms=20000`, bob);
    assert.equal((await put(alice, id, 'worth the wait')).statusCode, 200);
    const res = await waiting;
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'worth the wait');
  });

  it('at most max_pending_uploads created IDs wait per user: one more is 429 M_LIMIT_EXCEEDED; expired and uploaded ones free places', async () => {
    const carol = await s.createUser('carol');
    const ids = [(await create(carol)).id, (await create(carol)).id, (await create(carol)).id];
    assertMatrixError(await s.request('POST', CREATE, { token: carol.accessToken }), 429, 'M_LIMIT_EXCEEDED', 'POST', CREATE);
    // Another user is not affected.
    await create(bob);
    assert.equal((await put(carol, ids[0]!, 'done')).statusCode, 200);
    await create(carol);
    assertMatrixError(await s.request('POST', CREATE, { token: carol.accessToken }), 429, 'M_LIMIT_EXCEEDED', 'POST', CREATE);
    s.clock.advance(DAY);
    await create(carol);
  });
}, describe);

forEachBackend('media repository: rate limit and quota', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  before(async () => {
    s = await startTestServer({
      backend,
      config: { rate_limits: { enabled: true, media_upload: { per_second: 0.001, burst: 3 } }, quotas: { media_bytes: 100 } },
    });
    alice = await s.createUser('alice');
  });
  after(() => s.close());

  it('past the quota an upload is 403 M_USER_LIMIT_EXCEEDED and leaves no file; past the rate limit 429 M_LIMIT_EXCEEDED', async () => {
    await uploadOk(s, alice, Buffer.alloc(60, 1));
    const files = filesUnder(s.app.config.media.path).length;
    const over = await uploadRaw(s, alice, Buffer.alloc(60, 2));
    assertMatrixError(over, 403, 'M_USER_LIMIT_EXCEEDED', 'POST', UPLOAD);
    assert.equal(filesUnder(s.app.config.media.path).length, files);
    assert.equal(await s.app.store.media.bytesOf(alice.userId), 60);
    await uploadOk(s, alice, Buffer.alloc(40, 3));
    // Three tokens were taken (two uploads and the refused one): the fourth request waits.
    const limited = await s.request('POST', CREATE, { token: alice.accessToken });
    assertMatrixError(limited, 429, 'M_LIMIT_EXCEEDED', 'POST', CREATE);
  });
}, describe);

describe('media repository: temporary files a crash left', () => {
  it('are deleted at start-up; finished files stay', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-media-sweep-'));
    try {
      mkdirSync(path.join(dir, 'tmp'), { recursive: true });
      const orphan = path.join(dir, 'tmp', 'abc.part');
      writeFileSync(orphan, 'half an upload');
      utimesSync(orphan, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      const first = await startTestServer({ config: { media: { path: dir } } });
      let kept: string;
      try {
        assert.equal(existsSync(orphan), false);
        const id = await uploadOk(first, await first.createUser('alice'), 'kept');
        const row = await first.app.store.media.get(id);
        kept = first.app.services.media.files.pathOf(row!.sha256!);
      } finally {
        await first.close();
      }
      assert.equal(existsSync(kept), true);
      assert.deepEqual(filesUnder(path.join(dir, 'tmp')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
