import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { forEachBackend } from '../helpers/backends.js';
import { AUTHED, LEGACY, filesUnder, get, uploadOk } from '../helpers/media.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Thumbnails (spec v1.19 "Thumbnails"): one of the pre-generated sizes by the closest-larger rule,
 * made on first request and kept (file and row), dimensions checked by decoding the answer; content
 * that is no image, a truncated image and a decompression bomb are refused without a crash.
 */

const MAX_PIXELS = 4_000_000;

/** A PNG whose header claims `width` x `height` pixels, with almost no data: a decompression bomb's shape. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(16)), chunk('IEND', Buffer.alloc(0))]);
}

const picture = (width: number, height: number, format: 'png' | 'jpeg') =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 20 } } })[format]().toBuffer();

forEachBackend('media repository: thumbnails', (backend) => {
  let s: TestServer;
  let alice: TestUser;
  let png: string;
  let jpeg: string;
  before(async () => {
    s = await startTestServer({ backend, config: { media: { max_image_pixels: MAX_PIXELS, enable_authenticated_media: false } } });
    alice = await s.createUser('alice');
    png = await uploadOk(s, alice, await picture(1000, 500, 'png'), { contentType: 'image/png' });
    jpeg = await uploadOk(s, alice, await picture(1200, 900, 'jpeg'), { contentType: 'image/jpeg' });
  });
  after(() => s.close());

  const thumb = async (id: string, query: string, prefix = AUTHED) => {
    const url = `${prefix}/thumbnail/hs.test/${id}?${query}`;
    const res = await get(s, url, alice);
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url);
    const meta = await sharp(res.rawPayload).metadata();
    return { res, meta };
  };

  it('crop gives the smallest pre-generated crop size covering the request, exactly that size', async () => {
    const small = await thumb(png, 'width=20&height=20&method=crop');
    assert.deepEqual([small.meta.width, small.meta.height, small.meta.format], [32, 32, 'png']);
    assert.equal(small.res.headers['content-type'], 'image/png');
    const medium = await thumb(png, 'width=50&height=90&method=crop');
    assert.deepEqual([medium.meta.width, medium.meta.height], [96, 96]);
  });

  it('scale fits inside the smallest scale size covering the request, keeping the aspect ratio; JPEG stays JPEG', async () => {
    const a = await thumb(png, 'width=300&height=200&method=scale');
    assert.deepEqual([a.meta.width, a.meta.height], [320, 160]);
    const b = await thumb(jpeg, 'width=600&height=450');
    assert.deepEqual([b.meta.width, b.meta.height, b.meta.format], [640, 480, 'jpeg']);
    assert.equal(b.res.headers['content-type'], 'image/jpeg');
    assert.equal(b.res.headers['x-content-type-options'], 'nosniff');
    assert.equal(b.res.headers['content-disposition'], 'inline');
    // Larger than every size: the largest (800x600), never upscaled beyond the source.
    const c = await thumb(jpeg, 'width=5000&height=5000&method=crop');
    assert.deepEqual([c.meta.width, c.meta.height], [800, 600]);
  });

  it('a thumbnail is made once and then served from its file and row', async () => {
    // Made again, the same bytes would land in the same file and the row stay as it was: count the makings.
    const thumbnails = s.app.services.thumbnails as unknown as { generateInTurn: (...args: unknown[]) => Promise<unknown> };
    const generate = thumbnails.generateInTurn.bind(thumbnails);
    let made = 0;
    thumbnails.generateInTurn = (...args) => {
      made++;
      return generate(...args);
    };
    const before = filesUnder(s.app.config.media.path).length;
    const first = await thumb(png, 'width=640&height=480');
    assert.equal(filesUnder(s.app.config.media.path).length, before + 1);
    const key = { width: 640, height: 480, method: 'scale', animated: false } as const;
    const row = await s.app.store.media.getThumbnail(png, key);
    assert.equal(row?.size, first.res.rawPayload.length);
    const again = await thumb(png, 'width=639&height=479', LEGACY);
    assert.deepEqual(again.res.rawPayload, first.res.rawPayload);
    assert.equal(filesUnder(s.app.config.media.path).length, before + 1);
    assert.equal(made, 1);
    thumbnails.generateInTurn = generate;
  });

  it('animated=true makes an animated GIF an animated WebP of the chosen size; without it, and for a still JPEG, the thumbnail is still', async () => {
    const frame = (g: number) => sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 10, g, b: 30 } } }).png().toBuffer();
    const gif = await sharp(await Promise.all([frame(0), frame(120), frame(240)]), { join: { animated: true } }).gif().toBuffer();
    const id = await uploadOk(s, alice, gif, { contentType: 'image/gif' });
    const url = `${AUTHED}/thumbnail/hs.test/${id}?width=90&height=90&method=crop&animated=true`;
    const moving = await get(s, url, alice);
    assert.equal(moving.statusCode, 200);
    assertSpecResponse(moving, 'GET', url);
    assert.equal(moving.headers['content-type'], 'image/webp');
    const meta = await sharp(moving.rawPayload, { animated: true }).metadata();
    assert.deepEqual([meta.format, meta.pages, meta.width, meta.pageHeight], ['webp', 3, 96, 96]);
    const still = await thumb(id, 'width=90&height=90&method=crop');
    assert.deepEqual([still.meta.format, still.meta.pages ?? 1, still.meta.width, still.meta.height], ['png', 1, 96, 96]);
    const photo = await thumb(jpeg, 'width=32&height=32&method=crop&animated=true');
    assert.deepEqual([photo.meta.format, photo.meta.width], ['jpeg', 32]);
  });

  it('content that is no image is 400 M_UNKNOWN', async () => {
    for (const [body, type] of [['hello', 'text/plain'], ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml']] as const) {
      const id = await uploadOk(s, alice, body, { contentType: type });
      const url = `${AUTHED}/thumbnail/hs.test/${id}?width=32&height=32`;
      assertMatrixError(await get(s, url, alice), 400, 'M_UNKNOWN', 'GET', url);
    }
  });

  it('a truncated image is 400 M_UNKNOWN, and the server goes on', async () => {
    const whole = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    const id = await uploadOk(s, alice, whole.subarray(0, Math.floor(whole.length / 2)), { contentType: 'image/jpeg' });
    const url = `${AUTHED}/thumbnail/hs.test/${id}?width=32&height=32&method=crop`;
    assertMatrixError(await get(s, url, alice), 400, 'M_UNKNOWN', 'GET', url);
    assert.equal((await thumb(png, 'width=32&height=32&method=crop')).meta.width, 32);
  });

  it('an image over max_image_pixels (a decompression bomb) is 413 M_TOO_LARGE and no thumbnail is kept', async () => {
    for (const [w, h] of [[100_000, 100_000], [2001, 2000]] as const) {
      const id = await uploadOk(s, alice, pngHeaderOnly(w, h), { contentType: 'image/png' });
      const url = `${AUTHED}/thumbnail/hs.test/${id}?width=96&height=96&method=crop`;
      assertMatrixError(await get(s, url, alice), 413, 'M_TOO_LARGE', 'GET', url);
      assert.equal(await s.app.store.media.getThumbnail(id, { width: 96, height: 96, method: 'crop', animated: false }), undefined);
    }
  });

  it('width and height are required positive integers: 400 M_MISSING_PARAM / M_INVALID_PARAM', async () => {
    const missing = `${AUTHED}/thumbnail/hs.test/${png}?width=32`;
    assertMatrixError(await get(s, missing, alice), 400, 'M_MISSING_PARAM', 'GET', missing);
    for (const q of ['width=-1&height=32', 'width=1.5&height=32', 'width=32&height=32&method=stretch']) {
      const url = `${AUTHED}/thumbnail/hs.test/${png}?${q}`;
      assertMatrixError(await get(s, url, alice), 400, 'M_INVALID_PARAM', 'GET', url);
    }
  });
}, describe);
