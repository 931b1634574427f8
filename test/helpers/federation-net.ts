// A federation of real `hearth serve` processes on loopback: each Hearth gets a loopback address of
// its own (127.0.0.11, 127.0.0.12, ...; all of 127/8 is local on Linux), an IP-literal server name
// with its federation port ("127.0.0.11:40123"), both listeners on that address, HTTPS with a
// certificate for that IP from a throwaway CA made here with openssl, and that CA as its
// `federation.ca_file` (private addresses allowed: loopback is private). Scenario suites start N
// Hearths with `startHearths`, talk to them as clients, and `stop()` in `after`.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatSigningKeyLine, generateSigningKey, publicKeyBase64, type SigningKey } from '../../src/core/events/signing-key.js';
import { exitOf, freePort, spawnHearth, waitForHttp } from './child-server.js';
import type { RawDatabase } from './db-scan.js';
import { V3 } from './rest.js';
import { hasOpenssl, httpsGet, issueCertificate, makeCertificateAuthority, OPENSSL_SKIP_REASON } from './test-certificates.js';

/** `describe`'s skip option for suites that need the harness: the certificates need openssl. */
export const federationNetSkip: false | string = hasOpenssl ? false : OPENSSL_SKIP_REASON;

/** A Hearth before it starts: what other Hearths' settings may name (notaries, their keys). */
export interface PlannedHearth {
  serverName: string;
  host: string;
  signingKey: SigningKey;
  /** `verify_keys` as `trusted_key_servers` takes them. */
  verifyKeys: Record<string, string>;
}

export interface HearthSpec {
  /** Its loopback address, e.g. 127.0.0.11. */
  host: string;
  /** Local users registered once it runs (localparts). */
  users?: readonly string[];
  /** 'test' (default): a certificate from the CA every Hearth trusts; 'rogue': from a CA none trusts. */
  certificate?: 'test' | 'rogue';
  /** More settings (file format; `federation` is merged), given every Hearth of the net. */
  config?: (net: readonly PlannedHearth[]) => Record<string, unknown>;
}

export interface NetUser {
  userId: string;
  token: string;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface NetHearth extends PlannedHearth {
  clientUrl: string;
  federationUrl: string;
  users: Record<string, NetUser>;
  /** Its SQLite database, for scans behind its back (test/helpers/db-scan.ts). */
  database: RawDatabase;
  /** Stops this Hearth's process (SIGTERM), keeping its data, keys and addresses. */
  halt(): Promise<void>;
  /** Starts it again after `halt`, on the same addresses, data and keys; resolves once both listeners answer. */
  resume(): Promise<void>;
  /** A client request to this Hearth (bounded: 40 s). */
  call(method: string, url: string, token?: string, body?: unknown): Promise<Reply>;
  /** What the process wrote (JSON log lines at level info). */
  logs(): string;
  /** The requests its federation listener answered so far, from its log: route and status. */
  federationRequests(): { route: string; status: number }[];
  /**
   * Waits (bounded: 10 s) until its log shows its federation listener answered `route` with
   * `status`: lines are written asynchronously, after the answer.
   */
  answered(route: string, status: number): Promise<void>;
}

export interface FederationNet {
  hearths: NetHearth[];
  /** The test CA's certificate (PEM), trusted by every Hearth. */
  ca: Buffer;
  /** Stops every Hearth (SIGTERM, SIGKILL after 10 s) and deletes their data and certificates. */
  stop(): Promise<void>;
}

/** Starts one Hearth per spec, all at once, and registers their users. */
export async function startHearths(specs: readonly HearthSpec[]): Promise<FederationNet> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-fednet-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ca = makeCertificateAuthority(path.join(dir, 'ca'));
    const rogue = specs.some((s) => s.certificate === 'rogue') ? makeCertificateAuthority(path.join(dir, 'rogue-ca'), 'Nobody trusts this CA') : undefined;
    const planned = await Promise.all(specs.map(async (spec) => {
      const signingKey = generateSigningKey(randomBytes);
      const fedPort = await freePort();
      return {
        serverName: `${spec.host}:${fedPort}`, host: spec.host, signingKey, fedPort, clientPort: await freePort(),
        verifyKeys: { [signingKey.keyId]: publicKeyBase64(signingKey) },
      };
    }));
    const hearths = await Promise.all(specs.map(async (spec, i) => {
      const p = planned[i]!;
      const dataDir = path.join(dir, `hearth-${i}`);
      mkdirSync(dataDir);
      writeFileSync(path.join(dataDir, 'signing.key'), `${formatSigningKeyLine(p.signingKey)}\n`);
      const tls = issueCertificate(spec.certificate === 'rogue' ? rogue! : ca, spec.host, `hearth-${i}`);
      const extra = spec.config?.(planned) ?? {};
      const config = {
        server_name: p.serverName, host: spec.host, port: p.clientPort, data_dir: dataDir,
        enable_registration: true, rate_limits: { enabled: false }, password_hashing: { cost: 1024 },
        log_level: 'info', sqlite_synchronous: 'normal',
        ...extra,
        federation: {
          host: spec.host, port: p.fedPort, tls_certificate: tls.cert, tls_private_key: tls.key,
          ca_file: ca.cert, allow_private_addresses: true,
          ...(extra.federation as Record<string, unknown> | undefined),
        },
      };
      // JSON is YAML: the config file as hearth reads it.
      writeFileSync(path.join(dataDir, 'hearth.yaml'), JSON.stringify(config, null, 2));
      // One log over the Hearth's runs: `resume` appends to it.
      let output = '';
      let child: ChildProcess | undefined;
      const launch = () => {
        child = spawnHearth(['serve', '--config', path.join(dataDir, 'hearth.yaml')]);
        children.push(child);
        child.stdout?.on('data', (d) => (output += d));
        child.stderr?.on('data', (d) => (output += d));
      };
      launch();
      const processes = { halt: () => (child ? stopChild(child) : Promise.resolve()), launch };
      return startedHearth(p, processes, path.join(dataDir, 'hearth.db'), () => output, readFileSync(spec.certificate === 'rogue' ? rogue!.cert : ca.cert), spec.users ?? []);
    }));
    return { hearths, ca: readFileSync(ca.cert), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startedHearth(p: PlannedHearth & { fedPort: number; clientPort: number }, processes: { halt: () => Promise<void>; launch: () => void }, databasePath: string, logs: () => string, ownCa: Buffer, localparts: readonly string[]): Promise<NetHearth> {
  const clientUrl = `http://${p.host}:${p.clientPort}`;
  const federationUrl = `https://${p.host}:${p.fedPort}`;
  const listening = async () => {
    try {
      await waitForHttp(`${clientUrl}/_matrix/client/versions`);
      // The federation listener opens after the client one.
      await retry(() => httpsGet(`${federationUrl}/_matrix/federation/v1/version`, ownCa));
    } catch (err) {
      throw new Error(`${p.serverName} did not start: ${String(err)}\n${logs()}`);
    }
  };
  await listening();
  const call = (method: string, url: string, token?: string, body?: unknown) => clientCall(clientUrl, method, url, token, body);
  const users: Record<string, NetUser> = {};
  for (const localpart of localparts) users[localpart] = await register(call, localpart);
  const federationRequests = () => logs().split('\n').flatMap((line) => {
    if (!line.includes('"federation request"')) return [];
    const entry = JSON.parse(line) as { route: string; status: number };
    return [{ route: entry.route, status: entry.status }];
  });
  return {
    serverName: p.serverName, host: p.host, signingKey: p.signingKey, verifyKeys: p.verifyKeys,
    clientUrl, federationUrl, users, call, logs, federationRequests,
    database: { kind: 'sqlite', path: databasePath },
    halt: processes.halt,
    resume: async () => {
      processes.launch();
      await listening();
    },
    answered: (route, status) => retry(async () => {
      if (!federationRequests().some((r) => r.route === route && r.status === status)) {
        throw new Error(`${p.serverName} did not answer ${route} with ${status}; its log:\n${logs()}`);
      }
    }, 200),
  };
}

async function clientCall(base: string, method: string, url: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(40_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Registers through the API's dummy stage. */
async function register(call: NetHearth['call'], username: string): Promise<NetUser> {
  const first = await call('POST', `${V3}/register`, undefined, { username, password: `password-${username}` });
  assert.equal(first.status, 401, JSON.stringify(first.body));
  const done = await call('POST', `${V3}/register`, undefined, { username, password: `password-${username}`, auth: { type: 'm.login.dummy', session: first.body.session } });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return { userId: String(done.body.user_id), token: String(done.body.access_token) };
}

/** Bounded: `tries` tries, 50 ms apart. */
async function retry<T>(attempt: () => Promise<T>, tries = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exitOf(child);
  clearTimeout(timer);
}
