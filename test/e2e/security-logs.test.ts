// What the server logs: request lines name the route pattern, never the URL (which may carry
// ?access_token=), and no token or password appears anywhere in the output.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { exitOf, freePort, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';

describe('server logs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-logs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `serve` at log level trace around `drive`; returns everything it printed. */
  async function serveAndCapture(name: string, drive: (base: string) => Promise<void>, options: { dataDir?: string } = {}): Promise<string> {
    const dataDir = options.dataDir ?? path.join(dir, `data-${name}`);
    const port = await freePort();
    // trace: the most verbose level, so whatever any level would log is in `out`.
    const configFile = path.join(dir, `hearth-${name}.yaml`);
    writeFileSync(configFile, 'log_level: trace\n');
    const child = spawnHearth(['serve', '--config', configFile, '--port', String(port), '--data-dir', dataDir, '--server-name', 'logs.test', '--enable-registration'], { HEARTH_DISABLE_RATE_LIMITS: 'true' });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/_matrix/client/versions`);
      await drive(base);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
    }
    return out;
  }

  it('never contain access tokens or passwords; request lines carry the route pattern', { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, 'data');
    const password = 'pw-Zq8-never-logged';
    const reg = await runHearth(['register-user', 'alice', '--password', password, '--data-dir', dataDir, '--server-name', 'logs.test']);
    assert.equal(reg.code, 0, reg.stderr);
    const out = await serveAndCapture('secrets', async (base) => {
      const post = (url: string, body: unknown) => fetch(`${base}${url}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
      const login = await post('/_matrix/client/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password });
      assert.equal(login.status, 200);
      const token = ((await login.json()) as { access_token: string }).access_token;
      const wrong = await post('/_matrix/client/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: `${password}-wrong` });
      assert.equal(wrong.status, 403);
      const query = await fetch(`${base}/_matrix/client/v3/account/whoami?access_token=${token}`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(query.status, 200);
      const header = await fetch(`${base}/_matrix/client/v3/account/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      assert.equal(header.status, 200);
      const bad = await fetch(`${base}/_matrix/client/v3/account/whoami?access_token=hth_not-a-real-token-xyz`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(bad.status, 401);
      // A registration attempt carrying a password (whatever its outcome, the body is never logged).
      await (await post('/_matrix/client/v3/register', { username: 'bob', password: 'pw-bob-never-logged', auth: { type: 'm.login.dummy' } })).text();
    }, { dataDir });
    assert.match(out, /"route":"\/_matrix\/client\/v3\/account\/whoami"/, 'request lines are logged, with the route pattern');
    for (const secret of [password, 'pw-bob-never-logged', 'hth_', 'access_token', 'Bearer']) {
      assert.ok(!out.includes(secret), `the logs contain ${secret}`);
    }
  });

  it('a request that matches no route is logged with its method and path, without its query string', { timeout: 60_000 }, async () => {
    const secret = 'hth_query-token-never-logged';
    const out = await serveAndCapture('unmatched', async (base) => {
      const res = await fetch(`${base}/_matrix/client/v3/org.example/missing/endpoint?access_token=${secret}&x=1`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { errcode: string }).errcode, 'M_UNRECOGNIZED');
    });
    const line = out.split('\n').find((l) => l.includes('org.example/missing/endpoint'));
    assert.ok(line, `no log line names the path: ${out.slice(-2000)}`);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.method, 'PUT');
    assert.equal(entry.path, '/_matrix/client/v3/org.example/missing/endpoint');
    assert.equal(entry.status, 404);
    for (const leaked of [secret, 'access_token', 'x=1']) assert.ok(!out.includes(leaked), `the logs contain ${leaked}`);
  });
});
