import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUserId } from '../core/ids.js';
import { ConfigError, buildConfig, loadConfig } from './load.js';

const refused = (key: string) => (err: unknown) => err instanceof ConfigError && err.key === key;

describe('federation settings', () => {
  it('default: no federation listener, HTTP, private addresses refused, no .well-known/matrix/server', () => {
    assert.deepEqual(buildConfig({}, '/srv').federation, {
      host: '127.0.0.1', port: null, tlsCertificatePath: null, tlsPrivateKeyPath: null, caFile: null,
      allowPrivateAddresses: false, wellKnownServer: null, trustedKeyServers: [],
    });
    assert.ok(Object.isFrozen(buildConfig({}).federation));
  });

  it('from the file: paths resolve against the file\'s folder', () => {
    const c = buildConfig({
      federation: {
        host: '0.0.0.0', port: 8448, tls_certificate: 'tls/fullchain.pem', tls_private_key: '/etc/hearth/key.pem',
        ca_file: 'ca.pem', allow_private_addresses: true, well_known_server: 'matrix.example.org:443',
      },
    }, '/srv/hearth');
    assert.deepEqual(c.federation, {
      host: '0.0.0.0', port: 8448, tlsCertificatePath: '/srv/hearth/tls/fullchain.pem', tlsPrivateKeyPath: '/etc/hearth/key.pem',
      caFile: '/srv/hearth/ca.pem', allowPrivateAddresses: true, wellKnownServer: 'matrix.example.org:443', trustedKeyServers: [],
    });
  });

  it('reports the key and the reason of a bad federation setting', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ federation: 'on' }, 'federation'],
      [{ federation: { port: 70000 } }, 'federation.port'],
      [{ federation: { port: '8448' } }, 'federation.port'],
      [{ federation: { prot: 8448 } }, 'federation.prot'],
      [{ federation: { port: 8448, tls_certificate: 'c.pem' } }, 'federation.tls_private_key'],
      [{ federation: { port: 8448, tls_private_key: 'k.pem' } }, 'federation.tls_certificate'],
      [{ federation: { tls_certificate: 'c.pem', tls_private_key: 'k.pem' } }, 'federation.port'],
      [{ federation: { tls_certificate: '' } }, 'federation.tls_certificate'],
      [{ federation: { allow_private_addresses: 'yes' } }, 'federation.allow_private_addresses'],
      [{ federation: { well_known_server: 'https://matrix.example.org' } }, 'federation.well_known_server'],
      [{ federation: { well_known_server: 8448 } }, 'federation.well_known_server'],
    ];
    for (const [raw, key] of cases) assert.throws(() => buildConfig(raw), refused(key), key);
  });

  it('flags override the environment, which overrides the file', () => {
    const env = {
      HEARTH_FEDERATION_HOST: '0.0.0.0', HEARTH_FEDERATION_PORT: '8448', HEARTH_TLS_CERTIFICATE: '/env/cert.pem',
      HEARTH_TLS_PRIVATE_KEY: '/env/key.pem', HEARTH_FEDERATION_CA_FILE: '/env/ca.pem', HEARTH_ALLOW_PRIVATE_ADDRESSES: 'on',
    };
    const fromEnv = loadConfig({}, env).federation;
    assert.deepEqual(fromEnv, {
      host: '0.0.0.0', port: 8448, tlsCertificatePath: '/env/cert.pem', tlsPrivateKeyPath: '/env/key.pem', caFile: '/env/ca.pem',
      allowPrivateAddresses: true, wellKnownServer: null, trustedKeyServers: [],
    });
    const flags = {
      federationHost: '127.0.0.11', federationPort: '18448', tlsCertificate: '/flag/cert.pem', tlsPrivateKey: '/flag/key.pem',
      federationCaFile: '/flag/ca.pem', allowPrivateAddresses: true,
    };
    assert.deepEqual(loadConfig(flags, { ...env, HEARTH_ALLOW_PRIVATE_ADDRESSES: 'false' }).federation, {
      host: '127.0.0.11', port: 18448, tlsCertificatePath: '/flag/cert.pem', tlsPrivateKeyPath: '/flag/key.pem', caFile: '/flag/ca.pem',
      allowPrivateAddresses: true, wellKnownServer: null, trustedKeyServers: [],
    });
  });

  it('a bad federation port or switch is refused under the name the operator typed', () => {
    assert.throws(() => loadConfig({}, { HEARTH_FEDERATION_PORT: '84a8' }), refused('HEARTH_FEDERATION_PORT'));
    assert.throws(() => loadConfig({}, { HEARTH_ALLOW_PRIVATE_ADDRESSES: 'maybe' }), refused('HEARTH_ALLOW_PRIVATE_ADDRESSES'));
    assert.throws(() => loadConfig({ federationPort: '99999' }, {}), refused('--federation-port'));
  });

  it('trusted_key_servers: none by default; each a server name with optional ed25519 verify keys', () => {
    const key = 'Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw';
    const c = buildConfig({
      federation: { trusted_key_servers: [{ server_name: 'matrix.org', verify_keys: { 'ed25519:auto': key } }, { server_name: 'notary.example:8448' }] },
    });
    assert.deepEqual(c.federation.trustedKeyServers, [
      { serverName: 'matrix.org', verifyKeys: { 'ed25519:auto': key } },
      { serverName: 'notary.example:8448', verifyKeys: null },
    ]);
    assert.ok(Object.isFrozen(c.federation.trustedKeyServers) && Object.isFrozen(c.federation.trustedKeyServers[0]));
    const at = 'federation.trusted_key_servers[0]';
    const cases: Array<[unknown, string]> = [
      [{ server_name: 'matrix.org' }, 'federation.trusted_key_servers'],
      [['matrix.org'], at],
      [[{}], `${at}.server_name`],
      [[{ server_name: 'bad name!' }], `${at}.server_name`],
      [[{ server_name: 'matrix.org', verify_key: {} }], `${at}.verify_key`],
      [[{ server_name: 'matrix.org', verify_keys: [key] }], `${at}.verify_keys`],
      [[{ server_name: 'matrix.org', verify_keys: {} }], `${at}.verify_keys`],
      [[{ server_name: 'matrix.org', verify_keys: { auto: key } }], `${at}.verify_keys`],
      [[{ server_name: 'matrix.org', verify_keys: { 'ed25519:auto': key.slice(1) } }], `${at}.verify_keys`],
      [[{ server_name: 'matrix.org', verify_keys: { 'ed25519:auto': 42 } }], `${at}.verify_keys`],
    ];
    for (const [list, refusedKey] of cases) {
      assert.throws(() => buildConfig({ federation: { trusted_key_servers: list } }), refused(refusedKey), JSON.stringify(list));
    }
  });

  it('a server name may carry a port, and user IDs of it parse', () => {
    assert.equal(buildConfig({ server_name: '127.0.0.11:8448' }).serverName, '127.0.0.11:8448');
    assert.equal(buildConfig({ server_name: 'example.org:8448' }).serverName, 'example.org:8448');
    assert.throws(() => buildConfig({ server_name: 'example.org:84489' }), refused('server_name'));
    assert.equal(parseUserId('@a:127.0.0.11:8448'), '@a:127.0.0.11:8448');
    assert.equal(parseUserId('@a:[::1]:8448'), '@a:[::1]:8448');
  });
});
