import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceId, UserId } from '../../src/core/ids.js';
import { forEachBackend } from '../helpers/backends.js';
import { newDevice } from '../helpers/e2ee.js';
import { sync, V3 } from '../helpers/rest.js';
import { assertMatrixError } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Per-user quotas (`quotas` settings): past one, a write that grows the user's data is refused with
 * 403 M_USER_LIMIT_EXCEEDED (carrying `info_uri`) and stores nothing; replacing without growing is
 * allowed; filters beyond the quota replace the oldest; /sync carries account data over several
 * responses when a user holds more than one may carry. Counted in rows and bytes.
 */

const enc = encodeURIComponent;
const ENTRIES = 3;
const BYTES = 1024;
const FILTERS = 3;
const DEVICES = 3;
const KEYS = 4;
const INFO_URI = 'https://hs.test/limits';

forEachBackend('per-user quotas', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    s = await startTestServer({
      backend,
      config: { quotas: { account_data_entries: ENTRIES, account_data_bytes: BYTES, filters: FILTERS, devices: DEVICES, one_time_keys_per_device: KEYS, info_uri: INFO_URI } },
    });
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);
  const dataUrl = (u: TestUser, type: string) => `${V3}/user/${enc(u.userId)}/account_data/${enc(type)}`;
  const put = (u: TestUser, type: string, body: unknown) => s.request('PUT', dataUrl(u, type), { token: u.accessToken, body });
  const usage = (u: TestUser) => s.app.store.accountData.usage(u.userId as UserId, []);
  const refused = (res: Awaited<ReturnType<TestServer['request']>>, method: string, url: string) => {
    assertMatrixError(res, 403, 'M_USER_LIMIT_EXCEEDED', method, url);
    assert.equal(res.json().info_uri, INFO_URI);
  };

  it('account data: past the entries quota a new entry is refused with 403 M_USER_LIMIT_EXCEEDED and not stored; replacing one still works', async () => {
    const alice = await user('alice');
    for (let i = 0; i < ENTRIES; i++) assert.equal((await put(alice, `x.t${i}`, { i })).statusCode, 200);
    refused(await put(alice, 'x.extra', { i: 99 }), 'PUT', dataUrl(alice, 'x.extra'));
    assert.equal((await s.request('GET', dataUrl(alice, 'x.extra'), { token: alice.accessToken })).statusCode, 404);
    assert.deepEqual((await usage(alice)).entries, ENTRIES);
    // Room account data counts with global account data.
    const roomUrl = `${V3}/user/${enc(alice.userId)}/rooms/${enc('!r:hs.test')}/account_data/x.room`;
    refused(await s.request('PUT', roomUrl, { token: alice.accessToken, body: {} }), 'PUT', roomUrl);
    assert.equal((await put(alice, 'x.t0', { i: 'replaced' })).statusCode, 200);
    assert.deepEqual((await s.request('GET', dataUrl(alice, 'x.t0'), { token: alice.accessToken })).json(), { i: 'replaced' });
  });

  it('account data: past the bytes quota a new or growing entry is refused and nothing changes; one that shrinks is accepted', async () => {
    const alice = await user('alice');
    const big = { pad: 'x'.repeat(BYTES - 100) };
    assert.equal((await put(alice, 'x.big', big)).statusCode, 200);
    refused(await put(alice, 'x.more', { pad: 'y'.repeat(100) }), 'PUT', dataUrl(alice, 'x.more'));
    refused(await put(alice, 'x.big', { pad: 'x'.repeat(BYTES) }), 'PUT', dataUrl(alice, 'x.big'));
    assert.deepEqual(await usage(alice), { entries: 1, bytes: Buffer.byteLength(JSON.stringify(big)) });
    assert.equal((await put(alice, 'x.big', { pad: 'small' })).statusCode, 200);
    assert.equal((await put(alice, 'x.more', { pad: 'y'.repeat(100) })).statusCode, 200);
    assert.equal((await usage(alice)).entries, 2);
  });

  it('account data: simultaneous new entries at the edge never exceed the quota', async () => {
    const alice = await user('alice');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => put(alice, `x.race${i}`, { i })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [...Array(ENTRIES).fill(200), ...Array(10 - ENTRIES).fill(403)]);
    assert.equal((await usage(alice)).entries, ENTRIES);
  });

  it('devices: past the quota a login that would create a device is refused and creates none; logging in as an existing device works', async () => {
    const alice = await user('alice');
    for (let i = 1; i < DEVICES; i++) await newDevice(s, alice);
    const url = `${V3}/login`;
    const login = (deviceId?: string) => s.request('POST', url, {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: alice.userId }, password: alice.password, ...(deviceId ? { device_id: deviceId } : {}) },
    });
    refused(await login(), 'POST', url);
    refused(await login('NEWDEVICE'), 'POST', url);
    assert.equal(await s.app.store.devices.count(alice.userId as UserId), DEVICES);
    assert.equal((await login(alice.deviceId)).statusCode, 200);
    assert.equal(await s.app.store.devices.count(alice.userId as UserId), DEVICES);
  });

  it('one-time and fallback keys: past the per-device quota an upload is refused and stores nothing; a retry of stored keys and uploads after a claim work', async () => {
    const alice = await user('alice');
    const url = `${V3}/keys/upload`;
    const upload = (body: unknown) => s.request('POST', url, { token: alice.accessToken, body });
    const keys = (from: number, to: number) => Object.fromEntries(Array.from({ length: to - from }, (_, i) => [`signed_curve25519:K${from + i}`, { key: `k${from + i}`, signatures: {} }]));
    const count = async () => Object.values(await s.app.store.e2ee.oneTimeKeys.counts(alice.userId as UserId, alice.deviceId as DeviceId)).reduce((a, b) => a + b, 0);
    assert.equal((await upload({ one_time_keys: keys(0, KEYS - 1) })).statusCode, 200);
    refused(await upload({ one_time_keys: keys(KEYS - 1, KEYS + 1) }), 'POST', url);
    assert.equal(await count(), KEYS - 1);
    assert.equal((await upload({ fallback_keys: { 'signed_curve25519:F1': { key: 'f1', signatures: {} } } })).statusCode, 200);
    // At the quota: a new fallback algorithm is refused, replacing the fallback key is not growth.
    refused(await upload({ fallback_keys: { 'other_alg:F2': { key: 'f2', signatures: {} } } }), 'POST', url);
    assert.deepEqual(await s.app.store.e2ee.fallbackKeys.algorithms(alice.userId as UserId, alice.deviceId as DeviceId), ['signed_curve25519']);
    assert.equal((await upload({ fallback_keys: { 'signed_curve25519:F3': { key: 'f3', signatures: {} } } })).statusCode, 200);
    assert.equal((await upload({ one_time_keys: keys(0, KEYS - 1) })).statusCode, 200);
    const claim = await s.request('POST', `${V3}/keys/claim`, { token: alice.accessToken, body: { one_time_keys: { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } } } });
    assert.equal(claim.statusCode, 200);
    assert.equal((await upload({ one_time_keys: keys(KEYS, KEYS + 1) })).statusCode, 200);
    assert.equal(await count(), KEYS - 1);
  });

  it('filters: past the quota a new filter replaces the oldest (200), so a user keeps at most that many', async () => {
    const alice = await user('alice');
    const url = `${V3}/user/${enc(alice.userId)}/filter`;
    const ids: string[] = [];
    for (let i = 0; i < FILTERS + 2; i++) {
      const res = await s.request('POST', url, { token: alice.accessToken, body: { event_fields: [`f${i}`] } });
      assert.equal(res.statusCode, 200, res.body);
      ids.push(res.json().filter_id);
    }
    const status = async (id: string) => (await s.request('GET', `${url}/${id}`, { token: alice.accessToken })).statusCode;
    assert.deepEqual(await Promise.all(ids.map(status)), [404, 404, 200, 200, 200]);
  });

  it('/sync: account data beyond what one response may carry (stored before the quota) comes over several syncs, each within the quota plus one entry', async () => {
    const alice = await user('alice');
    const store = s.app.store;
    const stored = Array.from({ length: 7 }, (_, i) => ({ type: `x.old${i}`, content: { pad: 'z'.repeat(400) } }));
    for (const e of stored) {
      await store.transaction(async (tx) => tx.accountData.put({ userId: alice.userId as UserId, roomId: '', type: e.type, content: e.content, pos: await tx.counters.next('account_data') }));
    }
    const seen: string[] = [];
    let since: string | undefined;
    for (let round = 0; round < 10 && seen.length < stored.length; round++) {
      const body = await sync(s, alice, since === undefined ? '' : { since, timeout: 0 });
      const events = (body.account_data.events as Array<{ type: string; content: unknown }>).filter((e) => e.type !== 'm.push_rules');
      const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.content)), 0);
      assert.ok(events.length >= 1 && events.length <= ENTRIES + 1, `round ${round}: ${events.length} entries`);
      assert.ok(bytes <= BYTES + 500, `round ${round}: ${bytes} bytes`);
      seen.push(...events.map((e) => e.type));
      since = body.next_batch;
    }
    assert.deepEqual(seen, stored.map((e) => e.type));
    // Then nothing more: an incremental sync with no timeout is empty.
    assert.deepEqual((await sync(s, alice, { since: since!, timeout: 0 })).account_data.events, []);
  });
}, describe);
