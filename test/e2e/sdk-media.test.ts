// End-to-end: matrix-js-sdk 37.5.0 against a listening Hearth, for the content repository. Alice
// uploads an avatar and an image through the SDK and sends the image as m.image; Bob, in the room,
// receives it by sync and fetches the image, a thumbnail and Alice's avatar on the AUTHENTICATED
// media paths (the SDK's mxcUrlToHttp with useAuthentication), with his access token. Every wait
// is bounded and every client is stopped in `after`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MsgType, Preset, type MatrixClient } from 'matrix-js-sdk';
import sharp from 'sharp';
import { forEachBackend } from '../helpers/backends.js';
import { listeningServerForSdk, sdkClientLogged, startAndWaitPrepared, waitForMyMembership, waitForTimelineEvent, type HttpProblem } from '../helpers/sdk-client.js';
import type { TestUser } from '../helpers/test-server.js';

/** A small real image: solid colour, `width` x `height`. */
const image = (width: number, height: number, format: 'png' | 'jpeg', rgb: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: rgb } })[format]().toBuffer();

/** A GET with `user`'s token (or none) and a bound, as a browser client would fetch media. */
async function get(url: string, user?: TestUser): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url, { headers: user ? { authorization: `Bearer ${user.accessToken}` } : {}, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

/** The SDK's authenticated media URL for `mxc` (a thumbnail's with `size`), as clients build it. */
function mediaUrl(client: MatrixClient, mxc: string, kind: 'download' | 'thumbnail', size?: number): string {
  const url = client.mxcUrlToHttp(mxc, size, size, size ? 'crop' : undefined, false, true, true);
  assert.ok(url !== null, `no URL for ${mxc}`);
  assert.ok(url.startsWith(`${client.baseUrl}/_matrix/client/v1/media/${kind}/`), url);
  return url;
}

forEachBackend('matrix-js-sdk 37.5.0: avatars and images through authenticated media', (backend) => {
  const env = listeningServerForSdk(backend);
  const problems: HttpProblem[] = [];

  const start = async (user: TestUser): Promise<MatrixClient> => {
    const client = sdkClientLogged(env.baseUrl, user, problems);
    env.clients.push(client);
    await startAndWaitPrepared(client);
    return client;
  };

  it('bob sees alice\'s m.image and avatar and fetches image, thumbnail and avatar with his token', async () => {
    const aliceUser = await env.server.createUser('alice');
    const bobUser = await env.server.createUser('bob');
    const alice = await start(aliceUser);
    const bob = await start(bobUser);

    const avatar = await image(64, 64, 'jpeg', { r: 20, g: 120, b: 220 });
    const { content_uri: avatarMxc } = await alice.uploadContent(avatar, { name: 'me.jpg', type: 'image/jpeg' });
    assert.match(avatarMxc, /^mxc:\/\/hs\.test\/[A-Za-z0-9_-]+$/);
    await alice.setAvatarUrl(avatarMxc);

    const png = await image(120, 80, 'png', { r: 200, g: 80, b: 20 });
    const { content_uri: imageMxc } = await alice.uploadContent(png, { name: 'sunset.png', type: 'image/png' });
    const { room_id: roomId } = await alice.createRoom({ preset: Preset.PublicChat });
    await bob.joinRoom(roomId);
    await waitForMyMembership(bob, roomId, 'join');
    await alice.sendMessage(roomId, {
      msgtype: MsgType.Image, body: 'sunset.png', url: imageMxc, info: { mimetype: 'image/png', size: png.length, w: 120, h: 80 },
    });

    const event = await waitForTimelineEvent(bob, roomId, (e) => e.getType() === 'm.room.message' && e.getContent().msgtype === MsgType.Image);
    assert.equal(event.getSender(), aliceUser.userId);
    const url = event.getContent().url as string;
    assert.equal(url, imageMxc);

    const downloadUrl = mediaUrl(bob, url, 'download');
    const withoutToken = await get(downloadUrl);
    assert.equal(withoutToken.status, 401);
    assert.equal(JSON.parse(withoutToken.body.toString()).errcode, 'M_MISSING_TOKEN');
    const download = await get(downloadUrl, bobUser);
    assert.equal(download.status, 200);
    assert.equal(download.type, 'image/png');
    assert.ok(download.body.equals(png), 'the downloaded bytes are the uploaded ones');

    const thumbUrl = mediaUrl(bob, url, 'thumbnail', 32);
    const thumb = await get(thumbUrl, bobUser);
    assert.equal(thumb.status, 200);
    const meta = await sharp(thumb.body).metadata();
    assert.deepEqual({ width: meta.width, height: meta.height }, { width: 32, height: 32 });
    assert.equal(thumb.type, `image/${meta.format === 'jpeg' ? 'jpeg' : meta.format}`);

    const profile = await bob.getProfileInfo(aliceUser.userId);
    assert.equal(profile.avatar_url, avatarMxc);
    assert.ok(profile.avatar_url);
    const avatarUrl = mediaUrl(bob, profile.avatar_url, 'download');
    const avatarDownload = await get(avatarUrl, bobUser);
    assert.equal(avatarDownload.status, 200);
    assert.equal(avatarDownload.type, 'image/jpeg');
    assert.ok(avatarDownload.body.equals(avatar), 'the avatar bytes are the uploaded ones');

    assert.deepEqual(problems, [], 'the SDK had no request refused');
  });
}, describe);
