import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabase, type BackendName } from './backends.js';
import { exitOf, freePort, spawnHearth, waitForHttp } from './child-server.js';
import type { RawDatabase } from './db-scan.js';
import { V3 } from './rest.js';


/** A request's connection was lost: the server was killed under it, so its outcome is unknown. */
export class ConnectionLost extends Error {}

export interface Reply { status: number; body: Record<string, unknown> }

/** A `hearth serve` child process that a crash test kills and restarts on the same data. */
export interface CrashableServer {
  /** The data, for reading behind the server's back (also while it is down). */
  readonly raw: RawDatabase;
  /** The data directory (media files are under its `media/`). */
  readonly dataDir: string;
  /** `http://127.0.0.1:<port>`, for requests `call` cannot make (raw bytes). */
  readonly base: string;
  /** Starts the server (again) and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILLs the server, which must not have died on its own. */
  kill(): Promise<void>;
  /** A request; throws ConnectionLost when the connection is lost. */
  call(method: string, url: string, token?: string, body?: unknown): Promise<Reply>;
  /** A request that must answer 200; its body. */
  ok(method: string, url: string, token?: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Registers through the API's dummy stage, with a password when one is given. */
  register(username: string, password?: string): Promise<{ userId: string; token: string }>;
  /** Kills the server if it runs and deletes its data. */
  close(): Promise<void>;
}

/** A crashable server on fresh data: SQLite in a temporary folder, or a new PostgreSQL database. */
export async function crashableServer(backend: BackendName): Promise<CrashableServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-crash-'));
  const pgDb = backend === 'postgres' ? await freshDatabase('postgres') : undefined;
  const pgUrl = pgDb && pgDb.database.kind === 'postgres' ? pgDb.database.url : undefined;
  const raw: RawDatabase = pgUrl ? { kind: 'postgres', url: pgUrl } : { kind: 'sqlite', path: path.join(dataDir, 'hearth.db') };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['serve', '--port', String(port), '--data-dir', dataDir, '--server-name', 'crash.test', '--enable-registration', '--disable-rate-limits',
    ...(pgUrl ? ['--database', pgUrl] : [])];
  let child: ChildProcess | undefined;
  let stderr = '';

  const call: CrashableServer['call'] = async (method, url, token, body) => {
    let res: Response;
    try {
      res = await fetch(`${base}${url}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (err) {
      throw new ConnectionLost(String(err));
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new ConnectionLost(String(err));
    }
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const ok: CrashableServer['ok'] = async (method, url, token, body) => {
    const res = await call(method, url, token, body);
    assert.equal(res.status, 200, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  return {
    raw,
    dataDir,
    base,
    call,
    ok,
    async start() {
      stderr = '';
      child = spawnHearth(args);
      child.stderr?.on('data', (d) => (stderr += d));
      child.stdout?.resume();
      await waitForHttp(`${base}/_matrix/client/versions`);
      assert.equal(child.exitCode, null, `the server exited while starting: ${stderr}`);
    },
    async kill() {
      assert.equal(child!.exitCode, null, `the server died on its own: ${stderr}`);
      child!.kill('SIGKILL');
      await exitOf(child!);
    },
    async register(username, password) {
      const fields = { username, ...(password === undefined ? {} : { password }) };
      const first = await call('POST', `${V3}/register`, undefined, fields);
      assert.equal(first.status, 401, JSON.stringify(first.body));
      const done = await ok('POST', `${V3}/register`, undefined, { ...fields, auth: { type: 'm.login.dummy', session: first.body.session } });
      return { userId: String(done.user_id), token: String(done.access_token) };
    },
    async close() {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await exitOf(child);
      }
      await pgDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
