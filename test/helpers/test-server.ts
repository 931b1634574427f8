import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { buildConfig } from '../../src/config/load.js';
import { generateSigningKey, type SigningKey } from '../../src/core/events/signing-key.js';
import { makeUserId, type UserId } from '../../src/core/ids.js';
import type { ServerKeyLookup } from '../../src/services/federation/server-key-lookup.js';
import type { FederationRequester } from '../../src/services/federation/federation-client.js';
import { freshDatabase, type BackendName } from './backends.js';
import { FakeClock } from './fake-clock.js';
import { FakePeers } from './fake-peers.js';
import type { RawDatabase } from './db-scan.js';

export interface TestUser {
  userId: UserId;
  accessToken: string;
  deviceId: string;
  password: string;
}

export interface Call {
  body?: unknown;
  /** Raw payload (sent as is), for malformed-body tests. */
  payload?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestServer {
  app: App;
  clock: FakeClock;
  backend: BackendName;
  /** Where the data is, for tests that read or damage it directly (SQLite needs `sqliteFile`). */
  database: RawDatabase;
  /** Starts listening on a free loopback port; resolves to the base URL. */
  listen(): Promise<string>;
  request(method: InjectOptions['method'], url: string, call?: Call): Promise<LightMyRequestResponse>;
  /** Creates an account (through the services, not the HTTP API) and logs it in. */
  createUser(localpart: string, options?: { admin?: boolean; password?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

/**
 * An in-process Hearth on a fresh database with a fake clock. `config` takes file-format
 * (snake_case) settings; tests get cheap password hashing, no rate limits and no minimum password
 * length unless they ask.
 */
export async function startTestServer(options: { backend?: BackendName; config?: Record<string, unknown>; realClock?: boolean; sqliteFile?: boolean; signingKey?: SigningKey; serverKeys?: ServerKeyLookup; federationRequester?: FederationRequester } = {}): Promise<TestServer> {
  const backend = options.backend ?? 'sqlite';
  // A test may name its own database (e.g. a SQLite file to reopen); otherwise each server gets a fresh one.
  const { database, drop } = typeof options.config?.database === 'string'
    ? { database: { kind: 'sqlite' as const, path: options.config.database }, drop: async () => {} }
    : await freshDatabase(backend, { sqliteFile: options.sqliteFile ?? false });
  // Media files go to a fresh directory of the test's own (removed on close), never ./data.
  const media = (options.config?.media ?? {}) as Record<string, unknown>;
  const ownMediaDir = media.path === undefined ? mkdtempSync(path.join(tmpdir(), 'hearth-media-')) : undefined;
  const config = buildConfig({
    server_name: 'hs.test',
    password_hashing: { cost: 1024 },
    password_min_length: 1,
    rate_limits: { enabled: false },
    log_level: 'silent',
    ...options.config,
    media: { ...media, path: media.path ?? ownMediaDir },
    database: database.kind === 'sqlite' ? database.path : database.url,
  });
  const clock = new FakeClock();
  const app = await buildApp(config, {
    ...(options.realClock ? {} : { clock }),
    logger: pino({ level: 'silent' }),
    signingKey: options.signingKey ?? generateSigningKey(randomBytes),
    ...(options.serverKeys ? { serverKeys: options.serverKeys } : {}),
    // No test reaches the network: without fake peers of its own, every other server is unreachable.
    federationRequester: options.federationRequester ?? new FakePeers(),
  });
  await app.http.ready();

  const request: TestServer['request'] = (method, url, call = {}) => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    const payload = call.payload ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
    if (payload !== undefined && call.payload === undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  };

  return {
    app,
    clock,
    backend,
    request,
    database: database.kind === 'sqlite' ? { kind: 'sqlite', path: database.path } : { kind: 'postgres', url: database.url },
    async listen() {
      return app.http.listen({ host: '127.0.0.1', port: 0 });
    },
    async createUser(localpart, opts = {}) {
      const password = opts.password ?? `pw-${localpart}`;
      const userId = makeUserId(localpart, config.serverName);
      await app.services.registration.createAccount({ userId, password, admin: opts.admin ?? false });
      const login = await app.services.sessions.issue(userId, undefined, null);
      return { userId, accessToken: login.access_token, deviceId: login.device_id, password };
    },
    async close() {
      await app.close();
      await drop();
      if (ownMediaDir) rmSync(ownMediaDir, { recursive: true, force: true });
    },
  };
}
