#!/usr/bin/env node
// `npm test`: runs every test file with node:test (through tsx). When TEST_POSTGRES_URL is not set
// and PostgreSQL's binaries are installed, a throwaway cluster is started for the PostgreSQL suites.
// HEARTH_REQUIRE_POSTGRES=1 (set by CI) makes a missing PostgreSQL a failure instead of a skip.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

function freePort() {
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
function asPostgres(bin, args, opts = {}) {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args], opts] : [bin, args, opts];
}

async function startPostgres(binDir) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = path.join(dir, 'data');
  const init = spawnSync(...asPostgres(path.join(binDir, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { encoding: 'utf8' }));
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server = spawn(...asPostgres(path.join(binDir, 'postgres'), [
    '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300',
  ], { stdio: 'ignore' }));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    const ready = spawnSync(path.join(binDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
    if (ready.status === 0) return { url, stop: () => stopPostgres(server, dir, binDir, data) };
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGKILL');
  throw new Error('PostgreSQL did not become ready');
}

function stopPostgres(server, dir, binDir, data) {
  // Signalling the child would reach only `runuser` when we are root; pg_ctl stops the server itself.
  spawnSync(...asPostgres(path.join(binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-s'], { stdio: 'ignore' }));
  return new Promise((resolve) => {
    if (server.exitCode !== null) {
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

const files = process.argv.slice(2).length ? process.argv.slice(2) : [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))];
const env = { ...process.env };
let postgres;
if (!env.TEST_POSTGRES_URL) {
  const binDir = postgresBinDir();
  if (binDir) {
    postgres = await startPostgres(binDir);
    env.TEST_POSTGRES_URL = postgres.url;
  } else if (env.HEARTH_REQUIRE_POSTGRES === '1') {
    console.error('PostgreSQL is required (HEARTH_REQUIRE_POSTGRES=1) but no binaries were found under /usr/lib/postgresql');
    process.exit(1);
  } else {
    console.log('\n*** SKIPPED: PostgreSQL suites (no PostgreSQL binaries; install postgresql or set TEST_POSTGRES_URL) ***\n');
  }
}

const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2',
  // Client libraries under test (matrix-js-sdk) leave request timers running after they stop.
  '--test-force-exit', ...files,
], { cwd: root, env, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (postgres) await postgres.stop();
process.exit(code);
