import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { rowsMentioning } from '../helpers/db-scan.js';
import { passwordAuth } from '../helpers/e2ee.js';
import { V3 } from '../helpers/rest.js';
import { assertMatrixError, assertSpecResponse } from '../helpers/spec-schema.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/test-server.js';

/**
 * Server-side key backups (spec v1.19 "Server-side key backups", key_backup.yaml): backup versions
 * (create, read, update, delete), and keys per backup, room and session, with the spec's rule for
 * replacing a stored key by a better one, etag and count, and M_WRONG_ROOM_KEYS_VERSION.
 */

// Bodies are validated against the spec's schemas; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';
const publicKey = () => randomBytes(32).toString('base64').replace(/=+$/, '');
const authData = (key = publicKey()) => ({ public_key: key, signatures: { '@someone:hs.test': { 'ed25519:DEV': 'sig' } } });
const ROOM = '!room:hs.test';
const OTHER_ROOM = '!other:elsewhere.example';

/** A key as a client backs it up: `tag` goes into the (opaque) session data, to tell keys apart. */
const key = (tag: string, fields: { fmi?: number; fc?: number; verified?: boolean } = {}) => ({
  first_message_index: fields.fmi ?? 0,
  forwarded_count: fields.fc ?? 0,
  is_verified: fields.verified ?? false,
  session_data: { ephemeral: 'eph', ciphertext: tag, mac: 'mac' },
});

forEachBackend('server-side key backups', (backend) => {
  let s: TestServer;
  let n = 0;
  before(async () => {
    s = await startTestServer({ backend });
  });
  after(() => s.close());

  const user = (name: string) => s.createUser(`${name}${++n}`);

  async function call(method: Method, path: string, who: TestUser, body?: unknown, status = 200): Promise<Body> {
    const url = `${V3}${path}`;
    const res = await s.request(method, url, { token: who.accessToken, ...(body === undefined ? {} : { body }) });
    assert.equal(res.statusCode, status, `${method} ${path}: ${res.body}`);
    assertSpecResponse(res, method, url);
    return res.json();
  }
  async function fails(method: Method, path: string, who: TestUser, status: number, errcode: string, body?: unknown): Promise<Body> {
    const url = `${V3}${path}`;
    const res = await s.request(method, url, { token: who.accessToken, ...(body === undefined ? {} : { body }) });
    return assertMatrixError(res, status, errcode, method, url);
  }
  const create = async (who: TestUser, auth: object = authData()): Promise<string> =>
    (await call('POST', '/room_keys/version', who, { algorithm: ALGORITHM, auth_data: auth })).version;
  const sessionPath = (version: string, roomId = ROOM, sessionId = 's1') =>
    `/room_keys/keys/${encodeURIComponent(roomId)}/${encodeURIComponent(sessionId)}?version=${version}`;
  const putKey = (who: TestUser, version: string, k: object, sessionId = 's1', roomId = ROOM) => call('PUT', sessionPath(version, roomId, sessionId), who, k);
  const current = (who: TestUser) => call('GET', '/room_keys/version', who);

  describe('backup versions', () => {
    it('no backup: GET /room_keys/version is 404 M_NOT_FOUND, as the spec answers when none exists', async () => {
      const alice = await user('alice');
      await fails('GET', '/room_keys/version', alice, 404, 'M_NOT_FOUND');
      await fails('GET', '/room_keys/version/1', alice, 404, 'M_NOT_FOUND');
    });

    it('POST creates versions "1", "2", ...; the newest is current; each is readable with its auth_data, count 0 and an etag', async () => {
      const alice = await user('alice');
      const first = authData();
      assert.equal(await create(alice, first), '1');
      const info = await current(alice);
      assert.deepEqual({ ...info, etag: undefined }, { algorithm: ALGORITHM, auth_data: first, count: 0, etag: undefined, version: '1' });
      assert.equal(typeof info.etag, 'string');
      const second = authData();
      assert.equal(await create(alice, second), '2');
      assert.equal((await current(alice)).version, '2');
      assert.deepEqual((await call('GET', '/room_keys/version/1', alice)).auth_data, first);
      assert.deepEqual((await call('GET', '/room_keys/version/2', alice)).auth_data, second);
    });

    it('backups are per user: another user sees none of them', async () => {
      const alice = await user('alice');
      const bob = await user('bob');
      const version = await create(alice);
      await putKey(alice, version, key('a'));
      await fails('GET', '/room_keys/version', bob, 404, 'M_NOT_FOUND');
      await fails('GET', `/room_keys/version/${version}`, bob, 404, 'M_NOT_FOUND');
      await fails('GET', `/room_keys/keys?version=${version}`, bob, 404, 'M_NOT_FOUND');
      assert.equal(await create(bob), '1', 'numbering is per user');
      assert.deepEqual(await call('GET', `/room_keys/keys?version=1`, bob), { rooms: {} });
    });

    it('a bad algorithm or auth_data is 400 and creates nothing', async () => {
      const alice = await user('alice');
      const cases: Array<[object, string]> = [
        [{ algorithm: 'org.example.unknown', auth_data: authData() }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: {} }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: { public_key: 5 } }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: { public_key: 'abcdefg' } }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: { public_key: `${publicKey()}!` } }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: { public_key: publicKey(), signatures: { '@a:hs.test': 'sig' } } }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: { public_key: publicKey(), signatures: { '@a:hs.test': { 'ed25519:X': 1 } } } }, 'M_INVALID_PARAM'],
        [{ algorithm: ALGORITHM, auth_data: 'opaque' }, 'M_BAD_JSON'],
        [{ algorithm: ALGORITHM }, 'M_MISSING_PARAM'],
      ];
      for (const [body, errcode] of cases) await fails('POST', '/room_keys/version', alice, 400, errcode, body);
      await fails('GET', '/room_keys/version', alice, 404, 'M_NOT_FOUND');
      assert.equal(await create(alice), '1');
    });

    it('PUT replaces auth_data only; a different algorithm or body version is 400 M_INVALID_PARAM; an unknown version 404', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const { etag } = await putKey(alice, version, key('a'));
      const replacement = authData();
      assert.deepEqual(await call('PUT', `/room_keys/version/${version}`, alice, { algorithm: ALGORITHM, auth_data: replacement, version }), {});
      const info = await current(alice);
      assert.deepEqual(info.auth_data, replacement);
      assert.deepEqual([info.count, info.etag], [1, etag], 'updating auth_data leaves the keys, their count and etag');

      await fails('PUT', `/room_keys/version/${version}`, alice, 400, 'M_INVALID_PARAM', { algorithm: 'org.example.other', auth_data: authData() });
      await fails('PUT', `/room_keys/version/${version}`, alice, 400, 'M_INVALID_PARAM', { algorithm: ALGORITHM, auth_data: authData(), version: '7' });
      await fails('PUT', `/room_keys/version/${version}`, alice, 400, 'M_INVALID_PARAM', { algorithm: ALGORITHM, auth_data: { public_key: 'short' } });
      await fails('PUT', '/room_keys/version/7', alice, 404, 'M_NOT_FOUND', { algorithm: ALGORITHM, auth_data: authData() });
      await fails('PUT', '/room_keys/version/x', alice, 404, 'M_NOT_FOUND', { algorithm: ALGORITHM, auth_data: authData() });
      assert.deepEqual((await current(alice)).auth_data, replacement, 'refused updates change nothing');
    });

    it('DELETE removes the version and its keys, succeeds again, and the number is never reused; unknown versions are 404', async () => {
      const alice = await user('alice');
      assert.equal(await create(alice), '1');
      assert.equal(await create(alice), '2');
      await putKey(alice, '2', key('a'));
      assert.deepEqual(await call('DELETE', '/room_keys/version/2', alice), {});
      assert.deepEqual(await call('DELETE', '/room_keys/version/2', alice), {}, 'deleting a deleted backup succeeds');
      await fails('GET', '/room_keys/version/2', alice, 404, 'M_NOT_FOUND');
      await fails('GET', `/room_keys/keys?version=2`, alice, 404, 'M_NOT_FOUND');
      await fails('GET', sessionPath('2'), alice, 404, 'M_NOT_FOUND');
      assert.equal((await current(alice)).version, '1', 'the newest remaining version is current again');
      for (const v of ['3', '0', '01', 'abc', '99999999999999999999']) await fails('DELETE', `/room_keys/version/${v}`, alice, 404, 'M_NOT_FOUND');
      assert.equal(await create(alice), '3');
      await call('DELETE', '/room_keys/version/3', alice);
      await call('DELETE', '/room_keys/version/1', alice);
      await fails('GET', '/room_keys/version', alice, 404, 'M_NOT_FOUND');
      assert.equal(await create(alice), '4');
    });
  });

  describe('keys', () => {
    it('a key stored per session is read back per session, per room and per backup, counted, with a new etag', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const before = await current(alice);
      const stored = await putKey(alice, version, key('one', { fmi: 3, fc: 1, verified: true }));
      assert.equal(stored.count, 1);
      assert.notEqual(stored.etag, before.etag);
      const expected = key('one', { fmi: 3, fc: 1, verified: true });
      assert.deepEqual(await call('GET', sessionPath(version), alice), expected);
      assert.deepEqual(await call('GET', `/room_keys/keys/${encodeURIComponent(ROOM)}?version=${version}`, alice), { sessions: { s1: expected } });
      assert.deepEqual(await call('GET', `/room_keys/keys?version=${version}`, alice), { rooms: { [ROOM]: { sessions: { s1: expected } } } });
      const info = await current(alice);
      assert.deepEqual([info.count, info.etag], [1, stored.etag]);
    });

    it('PUT /room_keys/keys and /room_keys/keys/{roomId} store many keys at once; count and etag follow', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const many = await call('PUT', `/room_keys/keys?version=${version}`, alice, {
        rooms: { [ROOM]: { sessions: { a: key('a'), b: key('b') } }, [OTHER_ROOM]: { sessions: { c: key('c') } } },
      });
      assert.equal(many.count, 3);
      const room = await call('PUT', `/room_keys/keys/${encodeURIComponent(OTHER_ROOM)}?version=${version}`, alice, { sessions: { d: key('d'), c: key('c2') } });
      assert.equal(room.count, 4, 'c was already there (and the new one is no better)');
      assert.notEqual(room.etag, many.etag);
      const all = await call('GET', `/room_keys/keys?version=${version}`, alice);
      assert.deepEqual(all, {
        rooms: { [ROOM]: { sessions: { a: key('a'), b: key('b') } }, [OTHER_ROOM]: { sessions: { c: key('c'), d: key('d') } } },
      });
      // Nothing new, nothing better: the etag stays.
      const again = await call('PUT', `/room_keys/keys?version=${version}`, alice, { rooms: { [ROOM]: { sessions: { a: key('a2') } } } });
      assert.deepEqual(again, room);
      const empty = await call('PUT', `/room_keys/keys?version=${version}`, alice, { rooms: {} });
      assert.deepEqual(empty, room);
    });

    // The spec: keep the verified key; with equal is_verified the lower first_message_index; with
    // that equal too, the lower forwarded_count.
    const RULES: Array<[string, Parameters<typeof key>[1], Parameters<typeof key>[1], 'stored' | 'new']> = [
      ['verified replaces unverified, even with a higher first_message_index', { verified: false, fmi: 0 }, { verified: true, fmi: 9 }, 'new'],
      ['unverified never replaces verified, even with a lower first_message_index', { verified: true, fmi: 9 }, { verified: false, fmi: 0 }, 'stored'],
      ['unverified never replaces verified, even with a lower forwarded_count', { verified: true, fc: 5 }, { verified: false, fc: 0 }, 'stored'],
      ['same is_verified: a lower first_message_index replaces', { fmi: 5, fc: 0 }, { fmi: 4, fc: 9 }, 'new'],
      ['same is_verified: a higher first_message_index does not, whatever its forwarded_count', { fmi: 4, fc: 9 }, { fmi: 5, fc: 0 }, 'stored'],
      ['same is_verified and first_message_index: a lower forwarded_count replaces', { verified: true, fmi: 2, fc: 3 }, { verified: true, fmi: 2, fc: 2 }, 'new'],
      ['same is_verified and first_message_index: a higher forwarded_count does not', { fmi: 2, fc: 2 }, { fmi: 2, fc: 3 }, 'stored'],
      ['an equal key does not replace the stored one', { verified: true, fmi: 1, fc: 1 }, { verified: true, fmi: 1, fc: 1 }, 'stored'],
    ];
    for (const [title, stored, candidate, winner] of RULES) {
      it(`replacement: ${title}`, async () => {
        const alice = await user('alice');
        const version = await create(alice);
        const first = await putKey(alice, version, key('stored', stored));
        const second = await putKey(alice, version, key('new', candidate));
        assert.equal(second.count, 1);
        assert.equal(second.etag !== first.etag, winner === 'new', 'the etag changes exactly when the key does');
        assert.deepEqual(await call('GET', sessionPath(version), alice), winner === 'new' ? key('new', candidate) : key('stored', stored));
      });
    }

    it('concurrent uploads of one session from several devices keep the best key and count it once', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const replies = await Promise.all([8, 3, 6, 1, 7, 2, 5, 4].map((fmi) => putKey(alice, version, key(`fmi${fmi}`, { fmi }))));
      assert.ok(replies.every((r) => r.count === 1));
      assert.deepEqual(await call('GET', sessionPath(version), alice), key('fmi1', { fmi: 1 }));
      assert.equal((await current(alice)).count, 1);
    });

    it('writes to a version that is not the current one are 403 M_WRONG_ROOM_KEYS_VERSION naming the current one; without a backup 404', async () => {
      const alice = await user('alice');
      const k = key('a');
      await fails('PUT', sessionPath('1'), alice, 404, 'M_NOT_FOUND', k);
      await fails('PUT', `/room_keys/keys?version=1`, alice, 404, 'M_NOT_FOUND', { rooms: { [ROOM]: { sessions: { s1: k } } } });
      await create(alice);
      await create(alice);
      for (const stale of ['1', '3', 'x']) {
        const res = await fails('PUT', sessionPath(stale), alice, 403, 'M_WRONG_ROOM_KEYS_VERSION', k);
        assert.equal((res as Body).current_version, '2');
      }
      const byRoom = await fails('PUT', `/room_keys/keys/${encodeURIComponent(ROOM)}?version=1`, alice, 403, 'M_WRONG_ROOM_KEYS_VERSION', { sessions: { s1: k } });
      assert.equal((byRoom as Body).current_version, '2');
      const all = await fails('PUT', `/room_keys/keys?version=1`, alice, 403, 'M_WRONG_ROOM_KEYS_VERSION', { rooms: { [ROOM]: { sessions: { s1: k } } } });
      assert.equal((all as Body).current_version, '2');
      assert.deepEqual(await call('GET', `/room_keys/keys?version=1`, alice), { rooms: {} }, 'nothing was stored in the old version');
      assert.equal((await current(alice)).count, 0);
    });

    it('reads: an old version stays readable; a missing session is 404, an empty room or backup is empty; unknown versions are 404', async () => {
      const alice = await user('alice');
      const old = await create(alice);
      await putKey(alice, old, key('a'));
      await create(alice);
      assert.deepEqual(await call('GET', sessionPath(old), alice), key('a'));
      const missing = await fails('GET', sessionPath(old, ROOM, 'nope'), alice, 404, 'M_NOT_FOUND');
      assert.equal(missing.error, 'Key not found');
      assert.deepEqual(await call('GET', `/room_keys/keys/${encodeURIComponent(OTHER_ROOM)}?version=${old}`, alice), { sessions: {} });
      assert.deepEqual(await call('GET', '/room_keys/keys?version=2', alice), { rooms: {} });
      for (const path of [sessionPath('9'), `/room_keys/keys/${encodeURIComponent(ROOM)}?version=9`, '/room_keys/keys?version=9', '/room_keys/keys?version=junk']) {
        const res = await fails('GET', path, alice, 404, 'M_NOT_FOUND');
        assert.equal(res.error, 'Unknown backup version');
      }
    });

    it('DELETE per session, room and backup removes keys, lowers the count and changes the etag; deleting nothing keeps it', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const full = await call('PUT', `/room_keys/keys?version=${version}`, alice, {
        rooms: { [ROOM]: { sessions: { a: key('a'), b: key('b'), c: key('c') } }, [OTHER_ROOM]: { sessions: { d: key('d'), e: key('e') } } },
      });
      assert.equal(full.count, 5);
      const one = await call('DELETE', sessionPath(version, ROOM, 'a'), alice);
      assert.equal(one.count, 4);
      assert.notEqual(one.etag, full.etag);
      const none = await call('DELETE', sessionPath(version, ROOM, 'a'), alice);
      assert.deepEqual(none, one, 'nothing deleted: same etag and count');
      const room = await call('DELETE', `/room_keys/keys/${encodeURIComponent(OTHER_ROOM)}?version=${version}`, alice);
      assert.equal(room.count, 2);
      assert.deepEqual(await call('GET', `/room_keys/keys?version=${version}`, alice), { rooms: { [ROOM]: { sessions: { b: key('b'), c: key('c') } } } });
      const all = await call('DELETE', `/room_keys/keys?version=${version}`, alice);
      assert.equal(all.count, 0);
      assert.deepEqual(await current(alice), { ...(await current(alice)), count: 0, etag: all.etag });
      assert.deepEqual(await call('GET', `/room_keys/keys?version=${version}`, alice), { rooms: {} });
      for (const path of [sessionPath('9'), `/room_keys/keys/${encodeURIComponent(ROOM)}?version=9`, '/room_keys/keys?version=9']) {
        await fails('DELETE', path, alice, 404, 'M_NOT_FOUND');
      }
    });

    it('bounds: over 1000 keys or 16 KiB of session_data is 413 M_TOO_LARGE; bad IDs and fields are 400; nothing is stored', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      const sessions = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`s${i}`, key('x')]));
      await fails('PUT', `/room_keys/keys/${encodeURIComponent(ROOM)}?version=${version}`, alice, 413, 'M_TOO_LARGE', { sessions });
      const big = { ...key('x'), session_data: { ciphertext: 'a'.repeat(16 * 1024) } };
      await fails('PUT', sessionPath(version), alice, 413, 'M_TOO_LARGE', big);
      await fails('PUT', sessionPath(version, ROOM, 'a'.repeat(256)), alice, 400, 'M_INVALID_PARAM', key('x'));
      await fails('PUT', sessionPath(version, 'not-a-room'), alice, 400, 'M_INVALID_PARAM', key('x'));
      await fails('PUT', `/room_keys/keys?version=${version}`, alice, 400, 'M_INVALID_PARAM', { rooms: { 'no-sigil': { sessions: { s: key('x') } } } });
      await fails('PUT', `/room_keys/keys?version=${version}`, alice, 400, 'M_INVALID_PARAM', { rooms: { [ROOM]: { sessions: { 'a\u0000b': key('x') } } } });
      await fails('PUT', `/room_keys/keys?version=${version}`, alice, 400, 'M_INVALID_PARAM', { rooms: { [ROOM]: { sessions: { '': key('x') } } } });
      for (const bad of [{ ...key('x'), first_message_index: -1 }, { ...key('x'), forwarded_count: 1.5 }, { ...key('x'), is_verified: 'yes' }, { ...key('x'), session_data: 'opaque' }]) {
        await fails('PUT', sessionPath(version), alice, 400, 'M_BAD_JSON', bad);
      }
      const { session_data: _dropped, ...withoutData } = key('x');
      await fails('PUT', sessionPath(version), alice, 400, 'M_MISSING_PARAM', withoutData);
      await fails('PUT', `/room_keys/keys/${encodeURIComponent(ROOM)}/s1`, alice, 400, 'M_MISSING_PARAM', key('x'));
      assert.equal((await current(alice)).count, 0);
      // Just inside the bounds is fine.
      const edge = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`s${i}`, key('x')]));
      assert.equal((await call('PUT', `/room_keys/keys/${encodeURIComponent(ROOM)}?version=${version}`, alice, { sessions: edge })).count, 1000);
      assert.equal((await putKey(alice, version, key('x'), 'b'.repeat(255))).count, 1001);
    });

    it('session IDs are opaque strings: "__proto__" and non-ASCII ones round-trip', async () => {
      const alice = await user('alice');
      const version = await create(alice);
      await call('PUT', `/room_keys/keys?version=${version}`, alice, JSON.parse(`{"rooms":{"${ROOM}":{"sessions":{"__proto__":${JSON.stringify(key('p'))},"é/x":${JSON.stringify(key('e'))}}}}}`));
      const all = await call('GET', `/room_keys/keys?version=${version}`, alice);
      assert.deepEqual(Object.keys(all.rooms[ROOM].sessions).sort(), ['__proto__', 'é/x']);
      assert.deepEqual(await call('GET', sessionPath(version, ROOM, '__proto__'), alice), key('p'));
      assert.deepEqual(await call('GET', sessionPath(version, ROOM, 'é/x'), alice), key('e'));
    });
  });
}, describe);

forEachBackend('key backups and account deactivation', (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ backend, sqliteFile: true });
  });
  after(() => s.close());

  it('deactivating an account deletes its key backups, keys and all', async () => {
    const alice = await s.createUser('alice');
    const bob = await s.createUser('bob');
    const key = publicKey();
    for (const who of [alice, bob]) {
      const created = await s.request('POST', `${V3}/room_keys/version`, { token: who.accessToken, body: { algorithm: ALGORITHM, auth_data: { public_key: key } } });
      assert.equal(created.statusCode, 200, created.body);
      const put = await s.request('PUT', `${V3}/room_keys/keys/${encodeURIComponent(ROOM)}/s1?version=1`, {
        token: who.accessToken, body: { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: { ciphertext: `secret-of-${who.userId}` } },
      });
      assert.equal(put.statusCode, 200, put.body);
    }
    const res = await s.request('POST', `${V3}/account/deactivate`, { token: alice.accessToken, body: { auth: passwordAuth(alice) } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await rowsMentioning(s.database, `secret-of-${alice.userId}`), []);
    const left = (await rowsMentioning(s.database, key)).map((row) => row.split(':')[0]);
    assert.deepEqual(left, ['e2e_room_key_versions'], "only bob's backup is left");
    assert.equal((await rowsMentioning(s.database, `secret-of-${bob.userId}`)).length, 1);
  });
}, describe);
