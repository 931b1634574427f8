import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { crossSigningKeys, newDevice, passwordAuth, signedDeviceKeys } from '../helpers/e2ee.js';
import { rest, sync, V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Device-list tracking: /sync's `device_lists.changed` and `left`, and GET /keys/changes.
 * `changed`: users sharing a room whose keys changed, and users who came to share a room.
 * `left`: users who no longer share any room (they left or were kicked, or we did).
 */

const enc = encodeURIComponent;

forEachBackend('device lists', (backend) => {
  let s: TestServer;
  let r: ReturnType<typeof rest>;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
    r = rest(s);
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);

  async function keyChanges(who: TestUser, from: string, to: string): Promise<{ changed: string[]; left: string[] }> {
    const url = `${V3}/keys/changes?from=${enc(from)}&to=${enc(to)}`;
    const res = await s.request('GET', url, { token: who.accessToken });
    assert.equal(res.statusCode, 200, res.body);
    assertSpecResponse(res, 'GET', url);
    return res.json();
  }

  /** The device-list news for `who` since `token`, from /sync, checked to agree with /keys/changes. */
  async function news(who: TestUser, token: string): Promise<{ changed: string[]; left: string[]; next: string }> {
    const body = await sync(s, who, { since: token });
    const lists = { changed: [...body.device_lists.changed].sort(), left: [...body.device_lists.left].sort() };
    const viaChanges = await keyChanges(who, token, body.next_batch);
    assert.deepEqual({ changed: [...viaChanges.changed].sort(), left: [...viaChanges.left].sort() }, lists, '/keys/changes agrees with /sync');
    return { ...lists, next: body.next_batch };
  }

  const uploadKeys = async (who: TestUser) => r.ok('POST', '/keys/upload', who, { device_keys: signedDeviceKeys(who) });

  /** alice and bob in one room, and their sync tokens after it. */
  async function pair(): Promise<{ alice: TestUser; bob: TestUser; roomId: string; aliceToken: string; bobToken: string }> {
    const alice = await user('alice');
    const bob = await user('bob');
    const roomId = await r.createRoom(alice, { preset: 'public_chat' });
    await r.join(bob, roomId);
    // bob first: his coming online is presence news for alice, which would end her long-polls early.
    const bobToken = (await sync(s, bob)).next_batch;
    return { alice, bob, roomId, aliceToken: (await sync(s, alice)).next_batch, bobToken };
  }

  describe('changed', () => {
    it('a user sharing a room uploads device keys: in changed for the other, and for their own devices', async () => {
      const { alice, bob, aliceToken, bobToken } = await pair();
      await uploadKeys(bob);
      const forAlice = await news(alice, aliceToken);
      assert.deepEqual(forAlice.changed, [bob.userId]);
      assert.deepEqual(forAlice.left, []);
      assert.deepEqual((await news(bob, bobToken)).changed, [bob.userId]);
      // Reported once.
      assert.deepEqual((await news(alice, forAlice.next)).changed, []);
    });

    it('keys of a user who shares no room are not reported', async () => {
      const { alice, aliceToken } = await pair();
      const stranger = await user('stranger');
      await uploadKeys(stranger);
      assert.deepEqual((await news(alice, aliceToken)).changed, []);
    });

    it('joining a shared room puts the joiner in changed for the members, and the members in changed for the joiner', async () => {
      const { alice, bob, roomId, aliceToken } = await pair();
      const carol = await user('carol');
      const carolToken = (await sync(s, carol)).next_batch;
      await r.join(carol, roomId);
      assert.deepEqual((await news(alice, aliceToken)).changed, [carol.userId]);
      assert.deepEqual((await news(carol, carolToken)).changed, [alice.userId, bob.userId].sort());
    });

    it('an invite alone changes nothing, nor does rejecting it', async () => {
      const { alice, roomId, aliceToken } = await pair();
      const dave = await user('dave');
      await r.invite(alice, roomId, dave);
      await r.leave(dave, roomId);
      const lists = await news(alice, aliceToken);
      assert.deepEqual(lists.changed, []);
      assert.deepEqual(lists.left, []);
    });

    it('deleting a device with keys is a change; deleting one without keys is not', async () => {
      const { alice, bob, aliceToken } = await pair();
      const phone = await newDevice(s, bob, 'PHONE');
      const tablet = await newDevice(s, bob, 'TABLET');
      await uploadKeys(phone);
      const token = (await news(alice, aliceToken)).next;
      const first = await s.request('DELETE', `${V3}/devices/TABLET`, { token: bob.accessToken });
      await r.ok('DELETE', '/devices/TABLET', bob, { auth: passwordAuth(bob, first.json().session) });
      assert.deepEqual((await news(alice, token)).changed, []);
      assert.equal((await s.request('GET', `${V3}/account/whoami`, { token: tablet.accessToken })).statusCode, 401);
      await r.ok('POST', '/logout', phone, {});
      assert.deepEqual((await news(alice, token)).changed, [bob.userId]);
    });

    it('uploading cross-signing keys is a change', async () => {
      const { alice, bob, aliceToken } = await pair();
      await r.ok('POST', '/keys/device_signing/upload', bob, crossSigningKeys(bob).body);
      assert.deepEqual((await news(alice, aliceToken)).changed, [bob.userId]);
    });

    it('a waiting /sync wakes up when a user sharing a room changes keys', async () => {
      const { alice, bob, aliceToken } = await pair();
      const began = Date.now();
      const waiting = sync(s, alice, { since: aliceToken, timeout: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await uploadKeys(bob);
      const body = await waiting;
      assert.ok(Date.now() - began < 10_000, 'returned well before the timeout');
      assert.deepEqual(body.device_lists.changed, [bob.userId]);
    });

    it('an initial sync reports no device lists', async () => {
      const { alice, bob } = await pair();
      await uploadKeys(bob);
      assert.deepEqual((await sync(s, alice)).device_lists, { changed: [], left: [] });
    });
  });

  describe('left', () => {
    it('leaving the last shared room puts the leaver in left for the other, and the other in left for the leaver', async () => {
      const { alice, bob, roomId, aliceToken, bobToken } = await pair();
      await r.leave(bob, roomId);
      const forAlice = await news(alice, aliceToken);
      assert.deepEqual(forAlice.left, [bob.userId]);
      assert.deepEqual(forAlice.changed, []);
      assert.deepEqual((await news(bob, bobToken)).left, [alice.userId]);
      // Keys of someone no longer sharing a room are not news.
      await uploadKeys(bob);
      assert.deepEqual((await news(alice, forAlice.next)).changed, []);
    });

    it('leaving one of two shared rooms is not leaving', async () => {
      const { alice, bob, aliceToken, bobToken } = await pair();
      const second = await r.createRoom(alice, { preset: 'public_chat' });
      await r.join(bob, second);
      const token = (await news(alice, aliceToken)).next;
      const bobMid = (await news(bob, bobToken)).next;
      await r.leave(bob, second);
      assert.deepEqual((await news(alice, token)).left, []);
      assert.deepEqual((await news(bob, bobMid)).left, []);
    });

    it('a kick does the same for both sides, and so does a ban', async () => {
      const { alice, bob, roomId, aliceToken, bobToken } = await pair();
      await r.kick(alice, roomId, bob, 'bye');
      assert.deepEqual((await news(alice, aliceToken)).left, [bob.userId]);
      assert.deepEqual((await news(bob, bobToken)).left, [alice.userId]);

      const other = await pair();
      await r.ban(other.alice, other.roomId, other.bob);
      assert.deepEqual((await news(other.alice, other.aliceToken)).left, [other.bob.userId]);
      assert.deepEqual((await news(other.bob, other.bobToken)).left, [other.alice.userId]);
    });

    it('leaving and joining again within one sync window is a change, not a departure', async () => {
      const { alice, bob, roomId, aliceToken } = await pair();
      await r.leave(bob, roomId);
      await r.join(bob, roomId);
      const lists = await news(alice, aliceToken);
      assert.deepEqual(lists.left, []);
      assert.deepEqual(lists.changed, [bob.userId]);
    });
  });

  describe('GET /keys/changes', () => {
    it('bad or missing tokens are 400', async () => {
      const alice = await user('alice');
      const bad = await s.request('GET', `${V3}/keys/changes?from=nonsense&to=s1`, { token: alice.accessToken });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errcode, 'M_INVALID_PARAM');
      const missing = await s.request('GET', `${V3}/keys/changes?from=s1`, { token: alice.accessToken });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
    });
  });
}, describe);
