import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildConfig } from '../../src/config/load.js';
import { exitOf, freePort, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';

describe('the hearth command', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('register-user works offline, then serve accepts the login; SIGTERM exits 0', async () => {
    const dataDir = path.join(dir, 'data');
    const reg = await runHearth(['register-user', 'alice', '--password', 'wonderland', '--admin', '--data-dir', dataDir, '--server-name', 'cli.test']);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(reg.stdout, /created @alice:cli\.test \(admin\)/);
    const again = await runHearth(['register-user', 'alice', '--password', 'x', '--data-dir', dataDir, '--server-name', 'cli.test']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already taken/);

    const port = await freePort();
    const child = spawnHearth(['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', 'cli.test'], { HEARTH_DISABLE_RATE_LIMITS: 'true' });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/_matrix/client/versions`);
    const login = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST',
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'wonderland' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(login.status, 200);
    assert.equal(((await login.json()) as { user_id: string }).user_id, '@alice:cli.test');

    const keyFile = path.join(dataDir, 'signing.key');
    assert.match(readFileSync(keyFile, 'utf8'), /^ed25519 \S+ \S+\n$/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);

    child.kill('SIGTERM');
    assert.equal(await exitOf(child), 0);

    // The same key is used after a restart.
    const key = readFileSync(keyFile, 'utf8');
    const second = spawnHearth(['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', 'cli.test']);
    await waitForHttp(`${base}/_matrix/client/versions`);
    const keys = (await (await fetch(`${base}/_matrix/key/v2/server`)).json()) as { verify_keys: Record<string, unknown> };
    assert.equal(Object.keys(keys.verify_keys)[0], `ed25519:${key.split(' ')[1]}`);
    second.kill('SIGINT');
    assert.equal(await exitOf(second), 0);
  });

  it('invalid configuration names the key and exits non-zero', async () => {
    const res = await runHearth(['serve', '--port', 'http'], {});
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^hearth: invalid config: --port: must be an integer from 0 to 65535\n$/);
    const env = await runHearth(['serve'], { HEARTH_SERVER_NAME: 'not a name' });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /server_name/);
    const flag = await runHearth(['serve', '--no-such-flag']);
    assert.equal(flag.code, 2);
  });

  it('generate-config prints a configuration that loads', async () => {
    const res = await runHearth(['generate-config']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /server_name: localhost/);
    assert.match(res.stdout, /forgotten_room_retention: 7d/);
    const loaded = buildConfig(parseYaml(res.stdout) as Record<string, unknown>, '/srv');
    assert.deepEqual(loaded, buildConfig({}, '/srv'));
  });
});
