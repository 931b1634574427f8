import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, buildConfig, loadConfig } from './load.js';
import { parseDuration } from './duration.js';

describe('configuration', () => {
  it('defaults: localhost on 127.0.0.1:8008, SQLite under ./data, registration off', () => {
    const c = buildConfig({}, '/srv');
    assert.equal(c.serverName, 'localhost');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8008);
    assert.deepEqual(c.database, { kind: 'sqlite', path: '/srv/data/hearth.db', synchronous: 'full' });
    assert.equal(c.signingKeyPath, '/srv/data/signing.key');
    assert.equal(c.enableRegistration, false);
    assert.equal(c.forgetRoomsOnLeave, false);
    assert.equal(c.forgottenRoomRetentionMs, 7 * 86_400_000);
    assert.equal(c.accessTokenLifetimeMs, 300_000);
    assert.equal(c.rateLimits.enabled, true);
    // Per account, as Synapse's rc_login.account and rc_login.failed_attempts.
    assert.deepEqual([c.rateLimits.login_account, c.rateLimits.failed_password], [{ perSecond: 0.17, burst: 3 }, { perSecond: 0.17, burst: 3 }]);
    assert.ok(Object.isFrozen(c));
  });

  it('a postgres:// URL selects PostgreSQL', () => {
    const c = buildConfig({ database: 'postgres://u@127.0.0.1/db' });
    assert.equal(c.database.kind, 'postgres');
  });

  it('reports the key and the reason of a bad setting', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ port: 70000 }, 'port'],
      [{ port: 'eighty' }, 'port'],
      [{ server_name: 'bad name!' }, 'server_name'],
      [{ enable_registration: 'yes' }, 'enable_registration'],
      [{ forgotten_room_retention: 'soon' }, 'forgotten_room_retention'],
      [{ access_token_lifetime_ms: 0 }, 'access_token_lifetime_ms'],
      [{ rate_limits: { login: { per_second: -1 } } }, 'rate_limits.login.per_second'],
      [{ rate_limits: { logins: {} } }, 'rate_limits.logins'],
      [{ rate_limits: { failed_password: { burst: 0 } } }, 'rate_limits.failed_password.burst'],
      // Hashing may never take all four of libuv's threads: the write-ahead log's fdatasync needs one.
      [{ password_hashing: { max_concurrent: 4 } }, 'password_hashing.max_concurrent'],
      [{ password_hashing: { max_queued: -1 } }, 'password_hashing.max_queued'],
      [{ databse: 'x' }, 'databse'],
      [{ database: 'mysql://x' }, 'database'],
      [{ sqlite_synchronous: 'sometimes' }, 'sqlite_synchronous'],
    ];
    for (const [raw, key] of cases) {
      assert.throws(() => buildConfig(raw), (err: unknown) => err instanceof ConfigError && err.key === key, key);
    }
  });

  it('default_room_version: 10 unless set; any served version (3 to 11, an unquoted YAML number too); HEARTH_DEFAULT_ROOM_VERSION overrides the file', () => {
    assert.equal(buildConfig({}).defaultRoomVersion, '10');
    assert.equal(buildConfig({ default_room_version: '9' }).defaultRoomVersion, '9');
    assert.equal(buildConfig({ default_room_version: 3 }).defaultRoomVersion, '3');
    assert.equal(loadConfig({}, { HEARTH_DEFAULT_ROOM_VERSION: '11' }).defaultRoomVersion, '11');
    // Versions 1, 2 and 12 are not served: a server that would create rooms it cannot run does not start.
    for (const bad of ['1', '2', '12', '9.0', '', 10.5]) {
      assert.throws(() => buildConfig({ default_room_version: bad }), (err: unknown) => err instanceof ConfigError && err.key === 'default_room_version'
        && err.message.includes('3, 4, 5, 6, 7, 8, 9, 10, 11'), String(bad));
    }
    assert.throws(() => loadConfig({}, { HEARTH_DEFAULT_ROOM_VERSION: '2' }), (err: unknown) => err instanceof ConfigError && err.key === 'default_room_version');
  });

  it('null retention disables the purge', () => {
    assert.equal(buildConfig({ forgotten_room_retention: null }).forgottenRoomRetentionMs, null);
  });

  it('flags override the environment, which overrides defaults', () => {
    const env = { HEARTH_PORT: '9001', HEARTH_SERVER_NAME: 'env.example', HEARTH_DISABLE_RATE_LIMITS: 'true', HEARTH_ENABLE_REGISTRATION: '1' };
    const c = loadConfig({ port: '9002' }, env);
    assert.equal(c.port, 9002);
    assert.equal(c.serverName, 'env.example');
    assert.equal(c.rateLimits.enabled, false);
    assert.equal(c.enableRegistration, true);
  });

  it('an environment boolean or port that is not one is refused under the variable\'s name, not read as off', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ HEARTH_ENABLE_REGISTRATION: 'maybe' }, 'HEARTH_ENABLE_REGISTRATION'],
      [{ HEARTH_DISABLE_RATE_LIMITS: '' }, 'HEARTH_DISABLE_RATE_LIMITS'],
      [{ HEARTH_PORT: '80a' }, 'HEARTH_PORT'],
      [{ HEARTH_PORT: '70000' }, 'HEARTH_PORT'],
    ];
    for (const [env, key] of cases) {
      assert.throws(() => loadConfig({}, env), (err: unknown) => err instanceof ConfigError && err.key === key && err.message.startsWith(`invalid config: ${key}: must be`), key);
    }
    assert.throws(() => loadConfig({ port: 'http' }, {}), (err: unknown) => err instanceof ConfigError && err.key === '--port');
    assert.equal(loadConfig({}, { HEARTH_ENABLE_REGISTRATION: 'OFF' }).enableRegistration, false);
    assert.equal(loadConfig({}, { HEARTH_ENABLE_REGISTRATION: 'Yes' }).enableRegistration, true);
  });

  it('to_device: 64 KiB content, 1000 messages a request, 1000 pending a device, 30 days undelivered by default; each configurable', () => {
    assert.deepEqual(buildConfig({}).toDevice, { maxContentBytes: 65536, maxMessagesPerRequest: 1000, maxPendingPerDevice: 1000, undeliveredRetentionMs: 30 * 86_400_000 });
    assert.equal(buildConfig({ to_device: { undelivered_retention: null } }).toDevice.undeliveredRetentionMs, null);
    assert.equal(buildConfig({ to_device: { max_pending_per_device: 5 } }).toDevice.maxPendingPerDevice, 5);
    assert.throws(() => buildConfig({ to_device: { max_content_bytes: 10 } }), (err: unknown) => err instanceof ConfigError && err.key === 'to_device.max_content_bytes');
  });

  it('password_min_length: 8 by default, configurable from 1', () => {
    assert.equal(buildConfig({}).passwordMinLength, 8);
    assert.equal(buildConfig({ password_min_length: 12 }).passwordMinLength, 12);
    assert.throws(() => buildConfig({ password_min_length: 0 }), (err: unknown) => err instanceof ConfigError && err.key === 'password_min_length');
  });

  it('durations', () => {
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('-1d'), undefined);
    assert.equal(parseDuration('week'), undefined);
  });
});

describe('trusted_proxies', () => {
  it('accepts addresses and CIDR ranges of both families; the default is none', () => {
    assert.deepEqual(buildConfig({}).trustedProxies, []);
    assert.deepEqual(buildConfig({ trusted_proxies: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'] }).trustedProxies, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  });
  for (const bad of [['proxy.example.org'], ['10.0.0.0/33'], ['::1/129'], ['10.0.0.0/8/1'], [7], '127.0.0.1']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => buildConfig({ trusted_proxies: bad }), (err: unknown) => err instanceof ConfigError && /trusted_proxies/.test(err.message));
    });
  }
});

describe('quotas', () => {
  it('defaults bound a user far above real use; each is configurable; nonsense is refused by name', () => {
    const q = buildConfig({}).quotas;
    assert.deepEqual(
      [q.accountDataEntries, q.accountDataBytes, q.filters, q.devices, q.oneTimeKeysPerDevice],
      [1000, 10 * 1024 * 1024, 100, 500, 1000],
    );
    assert.match(q.infoUri, /^https:\/\//);
    const set = buildConfig({ quotas: { devices: 3, info_uri: 'https://example.org/limits' } }).quotas;
    assert.deepEqual([set.devices, set.infoUri, set.filters], [3, 'https://example.org/limits', 100]);
    for (const [quotas, key] of [
      [{ devices: 0 }, 'quotas.devices'],
      [{ account_data_bytes: 512 * 1024 * 1024 }, 'quotas.account_data_bytes'],
      [{ info_uri: 'mailto:admin@example.org' }, 'quotas.info_uri'],
      [{ rooms: 5 }, 'quotas.rooms'],
    ] as const) {
      assert.throws(() => buildConfig({ quotas }), (err: unknown) => err instanceof ConfigError && err.key === key);
    }
  });
});

describe('media', () => {
  it('defaults: files beside the database, 50 MiB uploads, authenticated media on; each is configurable; nonsense is refused by name', () => {
    const m = buildConfig({ data_dir: '/srv/hearth' }).media;
    assert.deepEqual(
      [m.path, m.maxUploadBytes, m.enableAuthenticatedMedia, m.maxImagePixels, m.maxPendingUploads, m.unusedExpirationMs],
      ['/srv/hearth/media', 50 * 1024 * 1024, true, 32_000_000, 5, 24 * 3600 * 1000],
    );
    assert.equal(buildConfig({ media: { path: 'm' } }, '/etc/hearth').media.path, '/etc/hearth/m');
    assert.equal(buildConfig({}).quotas.mediaBytes, 10 * 1024 * 1024 * 1024);
    assert.deepEqual(buildConfig({}).rateLimits.media_upload, { perSecond: 1, burst: 30 });
    for (const [media, key] of [
      [{ max_upload_size: 0 }, 'media.max_upload_size'],
      [{ enable_authenticated_media: 'yes' }, 'media.enable_authenticated_media'],
      [{ unused_expiration: 'soon' }, 'media.unused_expiration'],
      [{ url_preview: true }, 'media.url_preview'],
    ] as const) {
      assert.throws(() => buildConfig({ media }), (err: unknown) => err instanceof ConfigError && err.key === key);
    }
  });

  it('user_directory, TURN and well_known_support: defaults off, validated', () => {
    const d = buildConfig({});
    assert.deepEqual([d.userDirectorySearchAllUsers, d.turn, d.wellKnownSupport], [false, null, null]);
    const c = buildConfig({ user_directory: { search_all_users: true }, turn_uris: ['turns:t.example:443'], turn_shared_secret: 's', turn_user_lifetime: '2h',
      well_known_support: { support_page: 'https://example.org/help' } });
    assert.deepEqual([c.userDirectorySearchAllUsers, c.turn, c.wellKnownSupport],
      [true, { uris: ['turns:t.example:443'], sharedSecret: 's', userLifetimeMs: 2 * 3600 * 1000 }, { support_page: 'https://example.org/help' }]);
    for (const [raw, key] of [
      [{ user_directory: { everyone: true } }, 'user_directory.everyone'],
      [{ turn_uris: ['turn:t.example'] }, 'turn_shared_secret'],
      [{ turn_shared_secret: 's' }, 'turn_uris'],
      [{ turn_uris: ['http://t.example'], turn_shared_secret: 's' }, 'turn_uris'],
      [{ well_known_support: {} }, 'well_known_support'],
      [{ well_known_support: { contacts: [{ role: 'm.role.admin' }] } }, 'well_known_support.contacts[0]'],
      [{ well_known_support: { contacts: [{ role: 'm.role.admin', matrix_id: 'admin' }] } }, 'well_known_support.contacts[0].matrix_id'],
    ] as const) {
      assert.throws(() => buildConfig(raw), (err: unknown) => err instanceof ConfigError && err.key === key, JSON.stringify(raw));
    }
  });
});
