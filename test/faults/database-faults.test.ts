// Fault injection on PostgreSQL: the database server stops mid-load and comes back. Hearth must
// answer clean 503 Matrix errors meanwhile (no crash, no hang), reconnect by itself, and keep every
// write it acknowledged with 200. Starts its own throwaway cluster (like scripts/test.mjs), so it
// can stop and restart it without disturbing other suites.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { buildConfig } from '../../src/config/load.js';
import { generateSigningKey } from '../../src/core/events/signing-key.js';
import { makeUserId } from '../../src/core/ids.js';
import { V3 } from '../helpers/rest.js';

const REQUEST_TIMEOUT_MS = 10_000;

function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0]!, 'bin') : undefined;
}

const binDir = postgresBinDir();
const isRoot = process.getuid?.() === 0;
const skip = !binDir ? 'PostgreSQL binaries not found under /usr/lib/postgresql (install postgresql to run the fault tests)'
  : isRoot && spawnSync('id', ['-u', 'postgres']).status !== 0 ? 'running as root but there is no postgres user to run PostgreSQL as'
    : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** A throwaway cluster that can be stopped and started again on the same data directory and port. */
class Cluster {
  private server: ChildProcess | undefined;
  readonly data: string;
  constructor(private readonly bin: string, private readonly dir: string, readonly port: number) {
    this.data = path.join(dir, 'data');
  }

  static async create(bin: string): Promise<Cluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-pgfault-'));
    chmodSync(dir, 0o700);
    if (isRoot) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, uid, gid);
    }
    const cluster = new Cluster(bin, dir, await freePort());
    const init = spawnSync(...asPostgres(path.join(bin, 'initdb'), ['-D', cluster.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']), { encoding: 'utf8', timeout: 30_000 });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    // fsync off for speed: this test stops the server cleanly (a fast shutdown flushes everything);
    // synchronous_commit stays on, so a commit Hearth acknowledged is in the WAL.
    this.server = spawn(...asPostgres(path.join(this.bin, 'postgres'), [
      '-D', this.data, '-h', '127.0.0.1', '-p', String(this.port), '-k', this.dir, '-c', 'fsync=off', '-c', 'max_connections=50',
    ]), { stdio: 'ignore' });
    for (let i = 0; i < 150; i++) {
      const ready = spawnSync(path.join(this.bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port)], { timeout: 5000 });
      if (ready.status === 0) return;
      await sleep(100);
    }
    throw new Error('PostgreSQL did not become ready');
  }

  /**
   * pg_ctl stop -m fast: open sessions are terminated (57P01), then the server exits. (Signalling our
   * child is not enough when it is `runuser`, which does not forward signals to postgres.) Bounded.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    // Asynchronously: Hearth runs in this process and must keep serving while the database goes.
    const pgCtl = spawn(...asPostgres(path.join(this.bin, 'pg_ctl'), ['stop', '-D', this.data, '-m', 'fast', '-w', '-t', '10']), { stdio: 'ignore' });
    const status = await new Promise<number | null>((resolve) => pgCtl.once('exit', (code) => resolve(code)));
    if (status !== 0) server.kill('SIGKILL');
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome { status: number; json: Record<string, unknown>; contentType: string }

async function call(base: string, method: string, url: string, token: string, body?: unknown): Promise<Outcome> {
  const res = await fetch(`${base}${V3}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {}, contentType: res.headers.get('content-type') ?? '' };
}

async function startHearth(url: string): Promise<{ app: App; base: string; config: ReturnType<typeof buildConfig> }> {
  const config = buildConfig({
    server_name: 'hs.test', database: url, database_pool_size: 5, password_hashing: { cost: 1024 },
    rate_limits: { enabled: false }, log_level: 'silent',
  });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }), signingKey: generateSigningKey(randomBytes) });
  const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  return { app, base, config };
}

describe('PostgreSQL goes away mid-load and comes back', { skip }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.create(binDir!);
    await cluster.start();
  });
  after(async () => {
    await cluster?.destroy();
  });

  it('answers 503 M_UNKNOWN while it is down, recovers by itself, and loses nothing it acknowledged', { timeout: 60_000 }, async (t) => {
    const first = await startHearth(cluster.url);
    const { app, base } = first;
    const serverName = first.config.serverName;
    const users: Array<{ userId: string; token: string }> = [];
    for (const localpart of ['owner', ...Array.from({ length: 8 }, (_, i) => `worker${i}`)]) {
      const userId = makeUserId(localpart, serverName);
      await app.services.registration.createAccount({ userId, password: `pw-${localpart}`, admin: false });
      users.push({ userId, token: (await app.services.sessions.issue(userId, undefined, null)).access_token });
    }
    const [owner, ...workers] = users as [typeof users[0], ...typeof users];
    const rooms: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(base, 'POST', '/createRoom', owner.token, { preset: 'public_chat' });
      assert.equal(res.status, 200);
      rooms.push(res.json.room_id as string);
    }

    type Phase = 'before' | 'stopping' | 'down' | 'restarting' | 'after';
    let phase: Phase = 'before';
    let stop = false;
    const sent: Array<{ roomId: string; eventId: string; phase: Phase }> = [];
    // The last answer per (user, room) membership change: when it was a 200 the final state must match.
    const lastMembership = new Map<string, { status: number; membership: 'join' | 'leave' }>();
    const errors: Array<{ phase: Phase; status: number; json: Record<string, unknown>; contentType: string }> = [];
    const counts: Record<string, number> = {};
    let txn = 0;
    const record = (op: string, res: Outcome) => {
      const key = `${phase} ${op} ${res.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (res.status !== 200) errors.push({ phase, status: res.status, json: res.json, contentType: res.contentType });
      return res.status === 200;
    };

    const load = Promise.all(workers.map(async (w, k) => {
      for (let n = 0; !stop; n++) {
        const roomId = rooms[(k + n) % rooms.length]!;
        const room = `/rooms/${encodeURIComponent(roomId)}`;
        const pair = `${w.userId} ${roomId}`;
        const join = await call(base, 'POST', `${room}/join`, w.token, {});
        lastMembership.set(pair, { status: join.status, membership: 'join' });
        if (!record('join', join)) { await sleep(20); continue; }
        const p = phase;
        const send = await call(base, 'PUT', `${room}/send/m.room.message/f${++txn}`, w.token, { msgtype: 'm.text', body: `n${n}` });
        if (record('send', send)) sent.push({ roomId, eventId: send.json.event_id as string, phase: p });
        else { await sleep(20); continue; }
        const leave = await call(base, 'POST', `${room}/leave`, w.token, {});
        lastMembership.set(pair, { status: leave.status, membership: 'leave' });
        if (!record('leave', leave)) await sleep(20);
      }
    }));

    try {
      await sleep(1500);
      const sentBefore = sent.length;
      phase = 'stopping';
      await cluster.stop();
      phase = 'down';
      await sleep(2500);
      phase = 'restarting';
      await cluster.start();
      phase = 'after';
      // Recovery by itself: within a bounded time a request succeeds again with no help from us.
      const deadline = Date.now() + 20_000;
      const sentAtRestart = sent.length;
      while (sent.length === sentAtRestart && Date.now() < deadline) await sleep(100);
      await sleep(1500);
      stop = true;
      await load;
      t.diagnostic(`responses by phase, operation and status: ${JSON.stringify(counts)}`);

      assert.ok(sentBefore > 0, 'load made progress before the outage');
      assert.ok(counts['down join 503'] ?? counts['down send 503'] ?? counts['down leave 503'], `some requests were refused during the outage: ${JSON.stringify(counts)}`);
      assert.ok(!Object.keys(counts).some((k) => k.startsWith('down ') && k.endsWith(' 200')), `nothing succeeds while the database is down: ${JSON.stringify(counts)}`);
      for (const e of errors) {
        assert.equal(e.status, 503, `only 503 while the database is down, got ${e.status} ${JSON.stringify(e.json)} (${e.phase})`);
        assert.equal(e.json.errcode, 'M_UNKNOWN');
        assert.match(e.contentType, /^application\/json/);
        assert.doesNotMatch(JSON.stringify(e.json), /ECONN|terminat|postgres|57P01|stack/i, 'no internals in the error body');
      }
      assert.ok(sent.some((s) => s.phase === 'after'), `Hearth recovered after the restart: ${JSON.stringify(counts)}`);
    } finally {
      stop = true;
      await load.catch(() => {});
      await app.close();
    }

    // A fresh process on the same database sees every acknowledged write.
    const second = await startHearth(cluster.url);
    try {
      for (const s of sent) {
        const res = await call(second.base, 'GET', `/rooms/${encodeURIComponent(s.roomId)}/event/${encodeURIComponent(s.eventId)}`, owner.token);
        assert.equal(res.status, 200, `acknowledged event ${s.eventId} (${s.phase}) is stored: ${JSON.stringify(res.json)}`);
      }
      let checked = 0;
      for (const [pair, last] of lastMembership) {
        if (last.status !== 200) continue;
        const [userId, roomId] = pair.split(' ') as [string, string];
        const res = await call(second.base, 'GET', `/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(userId)}`, owner.token);
        assert.equal(res.status, 200);
        assert.equal(res.json.membership, last.membership, `${userId} in ${roomId}: the acknowledged ${last.membership} is stored`);
        checked++;
      }
      assert.ok(checked > 0);
    } finally {
      await second.app.close();
    }
  });
});
