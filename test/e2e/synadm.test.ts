// Synapse's admin API proven with the real admin tool: synadm against a Hearth process. Each command's
// JSON output is checked, not only its exit code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { exitOf, freePort, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';
import { synadmFor, synadmSkip, type Synadm } from '../helpers/synadm.js';

const SERVER = 'syn.test';
const ALICE = `@alice:${SERVER}`;
type Json = Record<string, unknown>;

describe('synadm against Hearth', { skip: synadmSkip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-synadm-e2e-'));
  const dataDir = path.join(dir, 'data');
  let child: ChildProcess;
  let base: string;
  let synadm: Synadm;

  before(async () => {
    const reg = await runHearth(['register-user', 'root', '--admin', '--password', 'root password', '--data-dir', dataDir, '--server-name', SERVER]);
    assert.equal(reg.code, 0, reg.stderr);
    const port = await freePort();
    child = spawnHearth(['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', SERVER], { HEARTH_DISABLE_RATE_LIMITS: 'true' });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/_matrix/client/versions`);
    const login = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'root' }, password: 'root password' }),
    });
    assert.equal(login.status, 200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    synadm = synadmFor({ baseUrl: base, user: `@root:${SERVER}`, token, homeserver: SERVER });
  });
  after(async () => {
    synadm?.close();
    if (child) {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function ok(args: string[]): Promise<Json> {
    const res = await synadm.run(args);
    assert.equal(res.code, 0, `synadm ${args.join(' ')}: ${res.stdout}${res.stderr}`);
    assert.ok(res.last && typeof res.last === 'object', `synadm ${args.join(' ')} printed no JSON: ${res.stdout}`);
    return res.last as Json;
  }

  it('version', async () => {
    assert.match(String((await ok(['version'])).server_version), /^Hearth \d+\.\d+\.\d+/);
  });

  it('user modify creates and changes accounts; user details and user list show them', async () => {
    const created = await ok(['user', 'modify', ALICE, '-P', 'alice password', '--display-name', 'Alice']);
    assert.equal(created.name, ALICE);
    assert.equal(created.displayname, 'Alice');
    assert.equal(created.admin, false);
    const login = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'alice password' }),
    });
    assert.equal(login.status, 200);

    const promoted = await ok(['user', 'modify', ALICE, '--admin']);
    assert.equal(promoted.admin, true);
    const details = await ok(['user', 'details', ALICE]);
    assert.equal(details.name, ALICE);
    assert.equal(details.admin, true);
    assert.equal(details.deactivated, false);

    const list = await ok(['user', 'list']);
    assert.equal(list.total, 2);
    assert.deepEqual((list.users as Json[]).map((u) => u.name), [ALICE, `@root:${SERVER}`]);
    const searched = await ok(['user', 'list', '--name', 'ali']);
    assert.deepEqual((searched.users as Json[]).map((u) => u.name), [ALICE]);
  });

  it('user whois, then user deactivate: the account leaves the default list', async () => {
    const whois = await ok(['user', 'whois', ALICE]);
    assert.equal(whois.user_id, ALICE);
    assert.equal(Object.keys(whois.devices as Json).length, 1);

    const res = await synadm.run(['user', 'deactivate', ALICE]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    // synadm shows the account and its rooms first, then deactivates it.
    const [shown, rooms, done] = res.json as Json[];
    assert.equal(shown?.name, ALICE);
    assert.deepEqual(rooms, { joined_rooms: [], total: 0 });
    assert.deepEqual(done, { id_server_unbind_result: 'no-support' });
    assert.equal((await ok(['user', 'details', ALICE])).deactivated, true);
    assert.deepEqual(((await ok(['user', 'list'])).users as Json[]).map((u) => u.name), [`@root:${SERVER}`]);
    const all = await ok(['user', 'list', '--deactivated']);
    assert.deepEqual((all.users as Json[]).map((u) => [u.name, u.deactivated]), [[ALICE, true], [`@root:${SERVER}`, false]]);
  });
  it('regtok new, list and delete', async () => {
    const made = await ok(['regtok', 'new']);
    assert.match(String(made.token), /^[A-Za-z0-9._~-]{16}$/);
    assert.deepEqual({ ...made, token: 'x' }, { token: 'x', uses_allowed: null, pending: 0, completed: 0, expiry_time: null });
    const named = await ok(['regtok', 'new', '--token', 'party-2026', '--uses-allowed', '3']);
    assert.deepEqual(named, { token: 'party-2026', uses_allowed: 3, pending: 0, completed: 0, expiry_time: null });
    const listed = await ok(['regtok', 'list', '--timestamp']);
    assert.deepEqual((listed.registration_tokens as Json[]).map((t) => t.token).sort(), [made.token, 'party-2026'].sort());
    assert.deepEqual(((await ok(['regtok', 'list', '--valid'])).registration_tokens as Json[]).length, 2);

    const deleted = await synadm.run(['regtok', 'delete', 'party-2026']);
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
    // synadm prints this line only when the answer is {}.
    assert.match(deleted.stdout, /Registration token successfully deleted/);
    assert.deepEqual(((await ok(['regtok', 'list'])).registration_tokens as Json[]).map((t) => t.token), [made.token]);
  });
});
