import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { describe, it } from 'node:test';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, overridesFrom } from './options.js';

describe('configuration flags', () => {
  it('the federation flags reach their overrides, and --help lists each', () => {
    const args = [
      '--federation-host', '127.0.0.11', '--federation-port', '18448', '--tls-certificate', 'c.pem', '--tls-private-key', 'k.pem',
      '--federation-ca-file', 'ca.pem', '--allow-private-addresses',
    ];
    const { values } = parseArgs({ args, options: CONFIG_FLAGS, strict: true });
    assert.deepEqual(overridesFrom(values), {
      federationHost: '127.0.0.11', federationPort: '18448', tlsCertificate: 'c.pem', tlsPrivateKey: 'k.pem',
      federationCaFile: 'ca.pem', allowPrivateAddresses: true,
    });
    for (const flag of args.filter((a) => a.startsWith('--'))) assert.match(CONFIG_FLAGS_HELP, new RegExp(`${flag}\\b`), flag);
    assert.deepEqual(overridesFrom(parseArgs({ args: [], options: CONFIG_FLAGS, strict: true }).values), {});
  });
});
