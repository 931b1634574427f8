import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signJson } from '../../src/core/events/signing.js';
import { forEachBackend } from '../helpers/backends.js';
import { crossSigningKeys, ed25519Key, newDevice, passwordAuth, signedDeviceKeys } from '../helpers/e2ee.js';
import { V3 } from '../helpers/rest.js';
import { assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * End-to-end encryption keys: POST /keys/upload, /keys/query, /keys/claim, cross-signing
 * (/keys/device_signing/upload, /keys/signatures/upload), the key counts /sync reports, and what
 * deleting a device takes with it. The server only stores and hands out what clients upload.
 */

// Bodies are validated against the spec's schemas; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

forEachBackend('end-to-end encryption keys', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);

  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, who: TestUser, body?: unknown, status = 200): Promise<Body> {
    const res = await s.request(method, `${V3}${path}`, { token: who.accessToken, ...(body === undefined ? {} : { body }) });
    assert.equal(res.statusCode, status, `${method} ${path}: ${res.body}`);
    assertSpecResponse(res, method, `${V3}${path}`);
    return res.json();
  }
  const upload = (who: TestUser, body: unknown, status = 200) => call('POST', '/keys/upload', who, body, status);
  const query = (who: TestUser, deviceKeys: Record<string, string[]>) => call('POST', '/keys/query', who, { device_keys: deviceKeys });
  const claim = (who: TestUser, oneTimeKeys: Record<string, Record<string, string>>) => call('POST', '/keys/claim', who, { one_time_keys: oneTimeKeys });
  const otk = (id: string, who: TestUser) => ({ [`signed_curve25519:${id}`]: { key: `k-${id}`, signatures: { [who.userId]: { [`ed25519:${who.deviceId}`]: 'sig' } } } });

  describe('POST /keys/upload', () => {
    it('stores device keys, one-time and fallback keys, and returns the one-time key counts', async () => {
      const alice = await user('alice');
      const body = await upload(alice, {
        device_keys: signedDeviceKeys(alice),
        one_time_keys: { ...otk('A1', alice), ...otk('A2', alice), 'curve25519:B1': 'plainkey' },
        fallback_keys: { 'signed_curve25519:F1': { key: 'fb', fallback: true, signatures: {} } },
      });
      assert.deepEqual(body.one_time_key_counts, { signed_curve25519: 2, curve25519: 1 });
      // Keys only, nothing else: the counts of a fresh device are 0.
      const empty = await upload(await newDevice(s, alice), {});
      assert.deepEqual(empty.one_time_key_counts, { signed_curve25519: 0 });
    });

    it('device_keys of another user or device are 400 M_INVALID_PARAM; a malformed upload is M_BAD_JSON or M_MISSING_PARAM', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      for (const keys of [signedDeviceKeys(bob), signedDeviceKeys(alice, 'OTHERDEVICE')]) {
        const res = await s.request('POST', `${V3}/keys/upload`, { token: alice.accessToken, body: { device_keys: keys } });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().errcode, 'M_INVALID_PARAM');
      }
      const badName = await s.request('POST', `${V3}/keys/upload`, { token: alice.accessToken, body: { one_time_keys: { nocolon: 'k' } } });
      assert.equal(badName.statusCode, 400);
      assert.equal(badName.json().errcode, 'M_INVALID_PARAM');
      const missing = { ...signedDeviceKeys(alice) };
      delete missing.keys;
      const res = await s.request('POST', `${V3}/keys/upload`, { token: alice.accessToken, body: { device_keys: missing } });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().errcode, 'M_MISSING_PARAM');
      const wrongType = await s.request('POST', `${V3}/keys/upload`, { token: alice.accessToken, body: { one_time_keys: { 'a:b': 5 } } });
      assert.equal(wrongType.statusCode, 400);
      assert.equal(wrongType.json().errcode, 'M_BAD_JSON');
      const noToken = await s.request('POST', `${V3}/keys/upload`, { body: {} });
      assert.equal(noToken.statusCode, 401);
      assert.equal(noToken.json().errcode, 'M_MISSING_TOKEN');
    });

    it('re-uploading a one-time key unchanged is a no-op; a different key under a used ID is 400', async () => {
      const alice = await user('alice');
      await upload(alice, { one_time_keys: otk('X', alice) });
      const again = await upload(alice, { one_time_keys: otk('X', alice) });
      assert.deepEqual(again.one_time_key_counts, { signed_curve25519: 1 });
      const clash = await s.request('POST', `${V3}/keys/upload`, { token: alice.accessToken, body: { one_time_keys: { 'signed_curve25519:X': 'other' } } });
      assert.equal(clash.statusCode, 400);
      assert.equal(clash.json().errcode, 'M_INVALID_PARAM');
    });
  });

  describe('POST /keys/query', () => {
    it("returns every device's keys with its display name, or only the devices asked for", async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const phone = await newDevice(s, alice, 'PHONE');
      await call('PUT', `/devices/PHONE`, phone, { display_name: "Alice's phone" });
      const laptopKeys = signedDeviceKeys(alice);
      await upload(alice, { device_keys: laptopKeys });
      await upload(phone, { device_keys: signedDeviceKeys(phone) });
      const all = await query(bob, { [alice.userId]: [] });
      assert.deepEqual(Object.keys(all.device_keys[alice.userId]).sort(), [alice.deviceId, 'PHONE'].sort());
      assert.deepEqual(all.device_keys[alice.userId].PHONE.unsigned, { device_display_name: "Alice's phone" });
      const { unsigned: _u, ...laptop } = all.device_keys[alice.userId][alice.deviceId];
      assert.deepEqual(laptop, laptopKeys);
      assert.deepEqual(all.failures, {});
      const one = await query(bob, { [alice.userId]: ['PHONE', 'NOSUCH'] });
      assert.deepEqual(Object.keys(one.device_keys[alice.userId]), ['PHONE']);
    });

    it('users without keys map to {}; users of other servers are left out; a bad user ID is 400', async () => {
      const bob = await user('bob');
      const body = await query(bob, { '@nobody:hs.test': [], '@someone:elsewhere.example': [] });
      assert.deepEqual(body.device_keys, { '@nobody:hs.test': {} });
      const bad = await s.request('POST', `${V3}/keys/query`, { token: bob.accessToken, body: { device_keys: { 'not-a-user': [] } } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errcode, 'M_INVALID_PARAM');
      const missing = await s.request('POST', `${V3}/keys/query`, { token: bob.accessToken, body: {} });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().errcode, 'M_MISSING_PARAM');
    });
  });

  describe('POST /keys/claim and the key counts of /sync', () => {
    it('hands out one-time keys oldest first, each once, then the fallback key (kept, marked used)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await upload(alice, { one_time_keys: otk('K1', alice) });
      await upload(alice, { one_time_keys: otk('K2', alice), fallback_keys: { 'signed_curve25519:FB': { key: 'fb', fallback: true, signatures: {} } } });
      let sync = await call('GET', '/sync', alice);
      assert.deepEqual(sync.device_one_time_keys_count, { signed_curve25519: 2 });
      assert.deepEqual(sync.device_unused_fallback_key_types, ['signed_curve25519']);

      const ask = { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } };
      const first = await claim(bob, ask);
      assert.deepEqual(Object.keys(first.one_time_keys[alice.userId][alice.deviceId]), ['signed_curve25519:K1']);
      assert.deepEqual(first.failures, {});
      const second = await claim(bob, ask);
      assert.deepEqual(Object.keys(second.one_time_keys[alice.userId][alice.deviceId]), ['signed_curve25519:K2']);
      sync = await call('GET', '/sync', alice);
      assert.deepEqual(sync.device_one_time_keys_count, { signed_curve25519: 0 });
      assert.deepEqual(sync.device_unused_fallback_key_types, ['signed_curve25519']);

      for (let i = 0; i < 2; i++) {
        const fallback = await claim(bob, ask);
        assert.deepEqual(fallback.one_time_keys[alice.userId][alice.deviceId], { 'signed_curve25519:FB': { key: 'fb', fallback: true, signatures: {} } });
      }
      sync = await call('GET', '/sync', alice);
      assert.deepEqual(sync.device_unused_fallback_key_types, []);
      // Re-uploading the same fallback key keeps it used; a new one is unused.
      await upload(alice, { fallback_keys: { 'signed_curve25519:FB': { key: 'fb', fallback: true, signatures: {} } } });
      assert.deepEqual((await call('GET', '/sync', alice)).device_unused_fallback_key_types, []);
      await upload(alice, { fallback_keys: { 'signed_curve25519:FB2': { key: 'fb2', fallback: true, signatures: {} } } });
      assert.deepEqual((await call('GET', '/sync', alice)).device_unused_fallback_key_types, ['signed_curve25519']);
    });

    it('devices without keys, unknown devices and other algorithms are simply absent', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      await upload(alice, { one_time_keys: otk('K1', alice) });
      const body = await claim(bob, { [alice.userId]: { [alice.deviceId]: 'curve25519', NOSUCH: 'signed_curve25519' }, [bob.userId]: { [bob.deviceId]: 'signed_curve25519' } });
      assert.deepEqual(body.one_time_keys, {});
    });

    it('concurrent claims never hand out the same key twice', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const keys = Object.assign({}, ...Array.from({ length: 10 }, (_, i) => otk(`C${i}`, alice)));
      await upload(alice, { one_time_keys: keys });
      const ask = { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } };
      const results = await Promise.all(Array.from({ length: 12 }, () => claim(bob, ask)));
      const got = results.flatMap((r) => Object.keys(r.one_time_keys[alice.userId]?.[alice.deviceId] ?? {}));
      assert.equal(got.length, 10);
      assert.equal(new Set(got).size, 10);
    });
  });

  describe('cross-signing', () => {
    it('the first upload needs no password; others see master and self-signing keys, only the owner the user-signing key', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const keys = crossSigningKeys(alice);
      assert.deepEqual(await call('POST', '/keys/device_signing/upload', alice, keys.body), {});
      const seen = await query(bob, { [alice.userId]: [] });
      assert.deepEqual(seen.master_keys[alice.userId], keys.body.master_key);
      assert.deepEqual(seen.self_signing_keys[alice.userId], keys.body.self_signing_key);
      assert.deepEqual(seen.user_signing_keys, {});
      const own = await query(alice, { [alice.userId]: [] });
      assert.deepEqual(own.user_signing_keys[alice.userId], keys.body.user_signing_key);
      // The same keys again: no password needed, nothing changes.
      assert.deepEqual(await call('POST', '/keys/device_signing/upload', alice, keys.body), {});
    });

    it('replacing keys needs the password (UIA)', async () => {
      const alice = await user('alice');
      await call('POST', '/keys/device_signing/upload', alice, crossSigningKeys(alice).body);
      const next = crossSigningKeys(alice);
      // The spec documents no 401 for this endpoint (though it uses UIA): the body is not checked against it.
      const res = await s.request('POST', `${V3}/keys/device_signing/upload`, { token: alice.accessToken, body: next.body });
      assert.equal(res.statusCode, 401);
      const challenge = res.json();
      assert.deepEqual(challenge.flows, [{ stages: ['m.login.password'] }]);
      const wrong = await s.request('POST', `${V3}/keys/device_signing/upload`, {
        token: alice.accessToken, body: { ...next.body, auth: { ...passwordAuth(alice, challenge.session), password: 'nope' } },
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().errcode, 'M_FORBIDDEN');
      await call('POST', '/keys/device_signing/upload', alice, { ...next.body, auth: passwordAuth(alice, challenge.session) });
      assert.deepEqual((await query(alice, { [alice.userId]: [] })).master_keys[alice.userId], next.body.master_key);
    });

    it('bad signatures are M_INVALID_SIGNATURE, no master key M_MISSING_PARAM, a key of someone else M_INVALID_PARAM', async () => {
      const alice = await user('alice');
      const keys = crossSigningKeys(alice);
      const forged = crossSigningKeys(alice);
      const expect = async (body: unknown, errcode: string) => {
        const res = await s.request('POST', `${V3}/keys/device_signing/upload`, { token: alice.accessToken, body });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().errcode, errcode);
      };
      await expect({ master_key: keys.body.master_key, self_signing_key: forged.body.self_signing_key }, 'M_INVALID_SIGNATURE');
      await expect({ self_signing_key: keys.body.self_signing_key }, 'M_MISSING_PARAM');
      const bob = await user('bob');
      await expect({ master_key: crossSigningKeys(bob).body.master_key }, 'M_INVALID_PARAM');
      await expect({ master_key: { ...keys.body.master_key, usage: ['self_signing'] } }, 'M_INVALID_PARAM');
      await expect({ master_key: { ...keys.body.master_key, keys: {} } }, 'M_BAD_JSON');
      assert.deepEqual((await query(alice, { [alice.userId]: [] })).master_keys, {});
    });

    it('signatures upload: own device by the self-signing key, another user by the user-signing key (seen only by the signer)', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      const aliceKeys = crossSigningKeys(alice);
      const bobKeys = crossSigningKeys(bob);
      await call('POST', '/keys/device_signing/upload', alice, aliceKeys.body);
      await call('POST', '/keys/device_signing/upload', bob, bobKeys.body);
      const deviceKeys = signedDeviceKeys(alice);
      await upload(alice, { device_keys: deviceKeys });

      const signedDevice = signJson(deviceKeys, alice.userId, aliceKeys.selfSigning);
      const signedBob = signJson(bobKeys.body.master_key, alice.userId, aliceKeys.userSigning);
      const forgedDevice = signJson(deviceKeys, alice.userId, { ...ed25519Key(), keyId: aliceKeys.selfSigning.keyId });
      const res = await call('POST', '/keys/signatures/upload', alice, {
        [alice.userId]: { [alice.deviceId]: signedDevice, NOSUCHKEY: signedDevice },
        [bob.userId]: { [bobKeys.master.publicBase64]: signedBob },
      });
      assert.deepEqual(res.failures, { [alice.userId]: { NOSUCHKEY: { errcode: 'M_NOT_FOUND', error: 'Unknown key' } } });
      const bad = await call('POST', '/keys/signatures/upload', alice, { [alice.userId]: { [alice.deviceId]: forgedDevice } });
      assert.equal(bad.failures[alice.userId][alice.deviceId].errcode, 'M_INVALID_SIGNATURE');

      const byBob = await query(bob, { [alice.userId]: [], [bob.userId]: [] });
      assert.deepEqual(byBob.device_keys[alice.userId][alice.deviceId].signatures, signedDevice.signatures);
      assert.deepEqual(byBob.master_keys[bob.userId], bobKeys.body.master_key, "alice's signature on bob's key is alice's business");
      const byAlice = await query(alice, { [bob.userId]: [] });
      assert.deepEqual(byAlice.master_keys[bob.userId].signatures, signedBob.signatures);
      const byCarol = await query(carol, { [bob.userId]: [] });
      assert.deepEqual(byCarol.master_keys[bob.userId], bobKeys.body.master_key);

      // Uploading the same device keys again keeps the cross-signing signature.
      await upload(alice, { device_keys: deviceKeys });
      const after = await query(bob, { [alice.userId]: [alice.deviceId] });
      assert.deepEqual(after.device_keys[alice.userId][alice.deviceId].signatures, signedDevice.signatures);
    });

    it("the master key signed by one of the user's devices", async () => {
      const alice = await user('alice');
      const deviceKey = ed25519Key(alice.deviceId);
      await upload(alice, { device_keys: signedDeviceKeys(alice, alice.deviceId, deviceKey) });
      const keys = crossSigningKeys(alice);
      await call('POST', '/keys/device_signing/upload', alice, keys.body);
      const signed = signJson(keys.body.master_key, alice.userId, deviceKey);
      const res = await call('POST', '/keys/signatures/upload', alice, { [alice.userId]: { [keys.master.publicBase64]: signed } });
      assert.deepEqual(res.failures, {});
      const seen = await query(alice, { [alice.userId]: [] });
      assert.deepEqual(seen.master_keys[alice.userId].signatures, signed.signatures);
    });
  });

  describe('deleting a device', () => {
    it('logout and device deletion remove its keys, one-time and fallback keys', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const phone = await newDevice(s, alice, 'PHONE');
      const tablet = await newDevice(s, alice, 'TABLET');
      for (const d of [phone, tablet]) {
        await upload(d, { device_keys: signedDeviceKeys(d), one_time_keys: otk('O1', d), fallback_keys: { 'signed_curve25519:F': 'fb' } });
      }
      await call('POST', '/logout', phone, {});
      const first = await s.request('DELETE', `${V3}/devices/TABLET`, { token: alice.accessToken });
      await call('DELETE', '/devices/TABLET', alice, { auth: passwordAuth(alice, first.json().session) });
      const keys = await query(bob, { [alice.userId]: [] });
      assert.deepEqual(keys.device_keys[alice.userId], {});
      const claimed = await claim(bob, { [alice.userId]: { PHONE: 'signed_curve25519', TABLET: 'signed_curve25519' } });
      assert.deepEqual(claimed.one_time_keys, {});
      // A device logging in again under the same ID starts with no keys.
      const again = await newDevice(s, alice, 'PHONE');
      assert.deepEqual((await upload(again, {})).one_time_key_counts, { signed_curve25519: 0 });
      assert.deepEqual((await query(bob, { [alice.userId]: [] })).device_keys[alice.userId], {});
    });
  });
}, describe);
