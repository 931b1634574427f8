// A throwaway PostgreSQL cluster on 127.0.0.1, in a temporary directory: used by `npm test`
// (scripts/test.mjs) and by the benchmark (bench/). When we are root, initdb and postgres (which
// refuse root) run as the `postgres` user through runuser.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The bin directory of the newest PostgreSQL under /usr/lib/postgresql, or undefined. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb and postgres refuse root). */
export function asPostgres(bin, args, opts = {}) {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args], opts] : [bin, args, opts];
}

/**
 * Starts a cluster listening on 127.0.0.1 only (and a socket in its own directory), with trust
 * authentication for the `postgres` user. Resolves to `{ url, port, binDir, dataDir, pid, stop }`:
 * `url` names the `postgres` database, `pid` is the postmaster's, `stop()` stops it and deletes
 * the directory.
 *
 * `options.durable` (default false): false turns fsync, synchronous_commit and full_page_writes
 * off (fast; for tests, where the cluster is thrown away); true keeps PostgreSQL's durable
 * defaults (fsync, synchronous_commit and full_page_writes on), which is what a benchmark must measure.
 * `options.settings`: further `-c name=value` settings, e.g. `{ max_connections: 100 }`.
 * `options.password`: when set, TCP logins need it (scram-sha-256) instead of being trusted, and
 * `url` carries it; what a real installation does, for tests of a wrong password.
 */
export async function startPostgres(binDir, options = {}) {
  const durable = options.durable ?? false;
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = path.join(dir, 'data');
  const auth = ['-A', 'trust'];
  if (options.password !== undefined) {
    const pwfile = path.join(dir, 'pwfile');
    writeFileSync(pwfile, `${options.password}\n`, { mode: 0o644 });
    auth.splice(0, 2, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
  }
  // --no-sync only skips initdb's own flushes of the new cluster's files, not the server's.
  const init = spawnSync(...asPostgres(path.join(binDir, 'initdb'), ['-D', data, ...auth, '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { encoding: 'utf8' }));
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const settings = {
    ...(durable
      ? { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' }
      : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    max_connections: 300,
    ...(options.settings ?? {}),
  };
  const server = spawn(...asPostgres(path.join(binDir, 'postgres'), [
    '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir,
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ], { stdio: 'ignore' }));
  const url = `postgres://postgres${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    const ready = spawnSync(path.join(binDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
    if (ready.status === 0) {
      return { url, port, binDir, dataDir: data, pid: postmasterPid(data), stop: () => stopPostgres(server, dir, binDir, data) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopPostgres(server, dir, binDir, data);
  throw new Error('PostgreSQL did not become ready');
}

/** The postmaster's process ID (the first line of postmaster.pid), or undefined. */
function postmasterPid(data) {
  try {
    const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops the cluster (fast shutdown) and deletes its directory. */
export function stopPostgres(server, dir, binDir, data) {
  // Signalling the child would reach only `runuser` when we are root; pg_ctl stops the server itself.
  spawnSync(...asPostgres(path.join(binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-s'], { stdio: 'ignore' }));
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      return resolve();
    }
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    server.once('exit', done);
    setTimeout(() => server.kill('SIGKILL'), 5000).unref();
  });
}
