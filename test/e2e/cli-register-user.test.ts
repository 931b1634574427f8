// `hearth register-user` as a new operator meets it: the password from a file, from standard input,
// from a hidden prompt on a terminal (or generated); a user ID of another server refused; the
// configured minimum password length applied. Every account is then logged in to over HTTP.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { exitOf, freePort, hearthCommand, runHearth, spawnHearth, waitForHttp } from '../helpers/child-server.js';

const root = path.resolve(import.meta.dirname, '../..');
// `script` (util-linux) runs a command on a pseudo-terminal: the only way to test the prompt.
const haveScript = spawnSync('script', ['--version']).status === 0;

describe('hearth register-user', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-register-'));
  const dataDir = path.join(dir, 'data');
  const flags = ['--data-dir', dataDir];
  /** Accounts created by the tests, logged in to by the last one. */
  const created = new Map<string, string>();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--password-file reads the first line; --password-stdin reads standard input', async () => {
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'from a file, 1\n', { mode: 0o600 });
    const fromFile = await runHearth(['register-user', 'frank', '--password-file', file, ...flags]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, 'created @frank:localhost\n');
    created.set('frank', 'from a file, 1');

    const fromStdin = await runHearth(['register-user', '@grace:localhost', '--password-stdin', ...flags], {}, 'piped in, 2\n');
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, 'created @grace:localhost\n');
    created.set('grace', 'piped in, 2');
  });

  it('with no password option and no terminal, a random password is made and printed once', async () => {
    const res = await runHearth(['register-user', 'heidi', ...flags]);
    assert.equal(res.code, 0, res.stderr);
    const [line1, line2] = res.stdout.split('\n');
    assert.equal(line1, 'created @heidi:localhost');
    const password = /^password: (\S{16,})$/.exec(line2 ?? '')?.[1];
    assert.ok(password, res.stdout);
    created.set('heidi', password);
  });

  it('on a terminal it asks twice without echoing what is typed', { skip: haveScript ? false : '`script` (util-linux) is not installed' }, async () => {
    const command = [...hearthCommand(), 'register-user', 'ivan', ...flags].join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 600 && !output.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(output.includes(text), `no ${JSON.stringify(text)} in ${JSON.stringify(output)}`);
    };
    await waitFor('Password (empty for a random one): ');
    child.stdin.write('typed secret 3\r');
    await waitFor('Password again: ');
    child.stdin.write('typed secret 3\r');
    await waitFor('created @ivan:localhost');
    child.stdin.end();
    assert.equal(await exitOf(child), 0, output);
    assert.doesNotMatch(output, /typed secret/);
    created.set('ivan', 'typed secret 3');
  });

  it('a user ID of another server is refused, not turned into a local one; nor is a short password accepted', async () => {
    const foreign = await runHearth(['register-user', '@judy:example.org', '--password', 'long enough', ...flags]);
    assert.equal(foreign.code, 2);
    assert.equal(foreign.stderr, 'hearth: @judy:example.org belongs to example.org, but this server is localhost (--server-name or server_name); give @judy:localhost or the localpart alone; see hearth register-user --help\n');
    const short = await runHearth(['register-user', 'judy', '--password', 'seven77', ...flags]);
    assert.equal(short.code, 1);
    assert.equal(short.stderr, 'hearth: cannot register judy: Password must be at least 8 characters\n');
    // The minimum is the configuration's password_min_length.
    const config = path.join(dir, 'hearth.yaml');
    writeFileSync(config, 'password_min_length: 12\n');
    const eleven = await runHearth(['register-user', 'judy', '--password', 'eleven char', '--config', config, ...flags]);
    assert.equal(eleven.code, 1);
    assert.match(eleven.stderr, /at least 12 characters/);
    const two = await runHearth(['register-user', 'judy', '--password', 'x', '--password-stdin', ...flags], {}, 'y\n');
    assert.equal(two.code, 2);
    assert.match(two.stderr, /^hearth: give only one of --password, --password-file and --password-stdin; see hearth register-user --help\n$/);
  });

  it('every account made above logs in with its password; the refused ones do not exist', async () => {
    const port = await freePort();
    const server = spawnHearth(['serve', '--port', String(port), '--disable-rate-limits', ...flags]);
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/_matrix/client/versions`);
      const login = (user: string, password: string) => fetch(`${base}/_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user }, password }),
      });
      for (const [user, password] of created) {
        const res = await login(user, password);
        assert.equal(res.status, 200, user);
        assert.equal(((await res.json()) as { user_id: string }).user_id, `@${user}:localhost`);
      }
      const judy = await login('judy', 'long enough');
      assert.equal(judy.status, 403);
      assert.equal(((await judy.json()) as { errcode: string }).errcode, 'M_FORBIDDEN');
    } finally {
      server.kill('SIGTERM');
      await exitOf(server);
    }
  });
});
