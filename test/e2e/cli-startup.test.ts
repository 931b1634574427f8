// Start-up failures as an operator meets them: one `hearth: …` line saying what to do, exit 1, no
// stack trace; Ctrl-C and SIGTERM stop Hearth at any moment of start-up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { postgresBinDir, startPostgres } from '../../scripts/pg-cluster.mjs';
import { freePort, hearthCommand, runHearth, spawnHearth } from '../helpers/child-server.js';

/** Exactly one line on standard error, starting `hearth: `, and no stack trace. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, /^hearth: [^\n]+\n$/, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /);
  assert.match(stderr, pattern);
}

// Two at a time: each test starts Hearth processes, and the machine may be shared.
describe('serve: start-up failures', { concurrency: 2 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-startup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a port already in use names the address and what to do', async () => {
    const port = await freePort();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      const res = await runHearth(['serve', '--port', String(port), '--data-dir', path.join(dir, 'inuse')]);
      assert.equal(res.code, 1);
      assertOneLine(res.stderr, new RegExp(`^hearth: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use .*choose another --port`));
    } finally {
      other.close();
    }
  });

  it('a host that does not resolve, and an address not on this machine', async () => {
    const unresolved = await runHearth(['serve', '--host', 'no-such-host.invalid', '--port', '0', '--data-dir', path.join(dir, 'host')]);
    assert.equal(unresolved.code, 1);
    assertOneLine(unresolved.stderr, /^hearth: cannot listen on no-such-host\.invalid: the host name does not resolve; give --host an IP address/);
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    const foreign = await runHearth(['serve', '--host', '192.0.2.1', '--port', '0', '--data-dir', path.join(dir, 'host')]);
    assert.equal(foreign.code, 1);
    assertOneLine(foreign.stderr, /^hearth: cannot listen on 192\.0\.2\.1:0: no network interface of this machine has that address/);
  });

  it('a data directory that is a file, or under a file (ENOTDIR), is refused before anything is written', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const itself = await runHearth(['serve', '--data-dir', file]);
    assert.equal(itself.code, 1);
    assertOneLine(itself.stderr, new RegExp(`^hearth: data directory ${file} cannot be used: it is a file, not a directory; choose another with --data-dir`));
    const under = await runHearth(['register-user', 'alice', '--password', 'long enough', '--data-dir', path.join(file, 'data')]);
    assert.equal(under.code, 1);
    assertOneLine(under.stderr, new RegExp(`^hearth: data directory ${file}/data cannot be used: ${file} is a file, not a directory`));
  });

  // root may write anywhere: as root, Hearth runs as `nobody` for this test (through runuser).
  const asRoot = process.getuid?.() === 0;
  it('a data directory this user may not create or write into (EACCES) is refused', async () => {
    const locked = path.join(dir, 'locked');
    mkdirSync(path.join(locked, 'existing'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(locked, asRoot ? 0o755 : 0o555);
    chmodSync(path.join(locked, 'existing'), asRoot ? 0o755 : 0o555);
    const run = (dataDir: string) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const hearth = [...hearthCommand(), 'serve', '--data-dir', dataDir];
      const [cmd, ...args] = asRoot ? ['runuser', '-u', 'nobody', '--', ...hearth] : hearth;
      const child = spawn(cmd!, args, { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const create = await run(path.join(locked, 'data'));
    assert.equal(create.code, 1, create.stderr);
    assertOneLine(create.stderr, new RegExp(`^hearth: data directory ${locked}/data cannot be used: cannot create ${locked}/data: permission denied for this user \\(uid \\d+\\); choose another with --data-dir`));
    const write = await run(path.join(locked, 'existing'));
    assert.equal(write.code, 1, write.stderr);
    assertOneLine(write.stderr, new RegExp(`^hearth: data directory ${locked}/existing cannot be used: it is not writable: permission denied for this user`));
    chmodSync(locked, 0o755);
  });

  it('a data directory under /proc, /sys or /dev is refused (Node\'s mkdir would spin forever under /proc, deaf to SIGTERM)', async () => {
    for (const dataDir of ['/proc/hearth', '/sys/hearth', '/dev/hearth']) {
      const child = spawnHearth(['serve', '--data-dir', dataDir]);
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      // A Hearth spinning in mkdir ignores SIGTERM: only SIGKILL ends it (then the code is null).
      const watchdog = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
      clearTimeout(watchdog);
      assert.equal(code, 1, `${dataDir}: ${stderr}`);
      assertOneLine(stderr, new RegExp(`^hearth: data directory ${dataDir} is on /(proc|sys|dev), a kernel file system, not a disk`));
    }
  });

  it('an unreachable PostgreSQL says so in one line, without the password', async () => {
    const port = await freePort();
    const res = await runHearth(['serve', '--data-dir', path.join(dir, 'pg'), '--database', `postgres://hearth:s3cret-pw@127.0.0.1:${port}/hearth`]);
    assert.equal(res.code, 1);
    assertOneLine(res.stderr, new RegExp(`^hearth: cannot connect to the database postgres://hearth:\\*\\*\\*@127\\.0\\.0\\.1:${port}/hearth: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`));
    assert.doesNotMatch(res.stderr, /s3cret-pw/);
  });

  // A cluster of its own that checks passwords, as an installed PostgreSQL does (the shared test
  // cluster of scripts/test.mjs trusts every login, so no password can be wrong there).
  const binDir = postgresBinDir();
  it('a wrong PostgreSQL password says "password authentication failed" in one line, without the password', { skip: binDir ? false : 'PostgreSQL binaries not found under /usr/lib/postgresql', timeout: 60_000 }, async () => {
    const cluster = await startPostgres(binDir!, { password: 'the-right-pw' });
    try {
      const url = cluster.url.replace('the-right-pw', 'a-wrong-pw');
      const res = await runHearth(['serve', '--data-dir', path.join(dir, 'pg-password'), '--database', url]);
      assert.equal(res.code, 1, res.stderr);
      assert.equal(res.stderr, `hearth: cannot connect to the database postgres://postgres:***@127.0.0.1:${cluster.port}/postgres: password authentication failed for user "postgres"\n`);
    } finally {
      await cluster.stop();
    }
  });

  // The shared test cluster: a database and a role that do not exist.
  it('PostgreSQL refusing the login (no such database, no such role) says why in one line, without the password', { skip: process.env.TEST_POSTGRES_URL ? false : 'TEST_POSTGRES_URL is not set' }, async () => {
    const base = new URL(process.env.TEST_POSTGRES_URL!);
    const cases = [
      { user: base.username, db: 'hearth_no_such_db', why: /database "hearth_no_such_db" does not exist/ },
      { user: 'hearth_no_such_role', db: base.pathname.slice(1), why: /role "hearth_no_such_role" does not exist/ },
    ];
    for (const { user, db, why } of cases) {
      const url = `postgres://${user}:s3cret-pw@${base.host}/${db}`;
      const res = await runHearth(['serve', '--data-dir', path.join(dir, 'pg'), '--database', url]);
      assert.equal(res.code, 1, res.stderr);
      assertOneLine(res.stderr, new RegExp(`^hearth: cannot connect to the database postgres://${user}:\\*\\*\\*@${base.host.replace(/\./g, '\\.')}/${db}: `));
      assert.match(res.stderr, why);
      assert.doesNotMatch(res.stderr, /s3cret-pw/);
    }
  });
});

describe('serve: signals during start-up', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-signals-'));
  // A "database" that accepts connections and never answers: start-up waits on it indefinitely.
  let silent: Server;
  const sockets: Socket[] = [];
  after(() => {
    for (const s of sockets) s.destroy();
    silent?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while start-up waits for the database stops Hearth at once`, async () => {
      silent ??= createServer((s) => sockets.push(s));
      if (!silent.listening) await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as { port: number }).port;
      const child = spawnHearth(['serve', '--data-dir', dir, '--database', `postgres://hearth@127.0.0.1:${port}/hearth`]);
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('close', (code, s) => resolve(s ?? code)));
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      // Wait until Hearth is connected to the silent server, i.e. well into start-up (the pool gives up after 5 s).
      for (let i = 0; i < 400 && sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(sockets.length > 0, `Hearth never connected to the database; stderr: ${stderr}`);
      child.kill(signal);
      const ended = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
      if (ended === 'still running') child.kill('SIGKILL');
      assert.equal(ended, signal, `after ${signal}: ${String(ended)}; stderr: ${stderr}`);
      assert.equal(stderr, `hearth: ${signal} during start-up: stopping now\n`);
      sockets.length = 0;
    });
  }
});
