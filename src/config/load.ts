import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { decodeBase64 } from '../core/events/base64.js';
import { ED25519_PREFIX, ed25519PublicKey } from '../core/events/signing-key.js';
import { isValidServerName, parseUserId } from '../core/ids.js';
import { ROOM_VERSIONS } from '../core/room-versions.js';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { Config, RateLimitName, RateLimitRule } from './schema.js';

/** A configuration problem, naming the key and why it is wrong. */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly why: string) {
    super(`invalid config: ${key}: ${why}`);
    this.name = 'ConfigError';
  }
}

/** Command-line overrides of `serve` (each also an environment variable HEARTH_*). */
export interface ConfigOverrides {
  config?: string;
  host?: string;
  port?: string | number;
  serverName?: string;
  dataDir?: string;
  database?: string;
  enableRegistration?: boolean;
  disableRateLimits?: boolean;
  federationHost?: string;
  federationPort?: string | number;
  tlsCertificate?: string;
  tlsPrivateKey?: string;
  federationCaFile?: string;
  allowPrivateAddresses?: boolean;
  /** Environment only (HEARTH_DEFAULT_ROOM_VERSION). */
  defaultRoomVersion?: string;
}

type Raw = Record<string, unknown>;

const TOP_LEVEL_KEYS = new Set([
  ...Object.keys(DEFAULTS), 'public_baseurl', 'database', 'signing_key_path',
]);
const RATE_LIMIT_NAMES: RateLimitName[] = ['login', 'registration', 'message', 'membership', 'invite', 'invite_room', 'default', 'login_account', 'failed_password', 'presence', 'media_upload'];

/** Reads the overrides that come from the environment, validated as strictly as the file's settings. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  return dropUndefined({
    config: env.HEARTH_CONFIG,
    host: env.HEARTH_HOST,
    port: portOverride(env.HEARTH_PORT, 'HEARTH_PORT'),
    serverName: env.HEARTH_SERVER_NAME,
    dataDir: env.HEARTH_DATA_DIR,
    database: env.HEARTH_DATABASE,
    enableRegistration: envBool(env.HEARTH_ENABLE_REGISTRATION, 'HEARTH_ENABLE_REGISTRATION'),
    disableRateLimits: envBool(env.HEARTH_DISABLE_RATE_LIMITS, 'HEARTH_DISABLE_RATE_LIMITS'),
    federationHost: env.HEARTH_FEDERATION_HOST,
    federationPort: portOverride(env.HEARTH_FEDERATION_PORT, 'HEARTH_FEDERATION_PORT'),
    tlsCertificate: env.HEARTH_TLS_CERTIFICATE,
    tlsPrivateKey: env.HEARTH_TLS_PRIVATE_KEY,
    federationCaFile: env.HEARTH_FEDERATION_CA_FILE,
    allowPrivateAddresses: envBool(env.HEARTH_ALLOW_PRIVATE_ADDRESSES, 'HEARTH_ALLOW_PRIVATE_ADDRESSES'),
    defaultRoomVersion: env.HEARTH_DEFAULT_ROOM_VERSION,
  });
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** An environment boolean: a word that means yes or no, anything else (`maybe`) is an error, not "off". */
function envBool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (TRUE_WORDS.includes(v.toLowerCase())) return true;
  if (FALSE_WORDS.includes(v.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false (or ${[...TRUE_WORDS.slice(1), ...FALSE_WORDS.slice(1)].join(', ')})`);
}

/** A port given as text (flag or environment), checked under the name the operator typed. */
function portOverride(v: string | number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : NaN;
  return int(n, name, 0, 65535);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Loads the configuration: defaults < YAML file < environment < command-line flags. */
export function loadConfig(flags: ConfigOverrides, env: NodeJS.ProcessEnv = process.env): Config {
  const overrides = { ...overridesFromEnv(env), ...dropUndefined({
    ...flags, port: portOverride(flags.port, '--port'), federationPort: portOverride(flags.federationPort, '--federation-port'),
  }) };
  const raw: Raw = overrides.config ? readConfigFile(overrides.config) : {};
  return buildConfig(applyOverrides(raw, overrides), overrides.config ? path.dirname(overrides.config) : process.cwd());
}

/** The YAML parser, loaded only when there is a config file to read (start-up time). */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

function readConfigFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError('--config', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('--config', `${file} must hold a mapping`);
  return parsed as Raw;
}

function applyOverrides(raw: Raw, o: ConfigOverrides): Raw {
  const out: Raw = { ...raw };
  if (o.host !== undefined) out.host = o.host;
  if (o.port !== undefined) out.port = o.port;
  if (o.serverName !== undefined) out.server_name = o.serverName;
  if (o.dataDir !== undefined) out.data_dir = o.dataDir;
  if (o.database !== undefined) out.database = o.database;
  if (o.enableRegistration !== undefined) out.enable_registration = o.enableRegistration;
  if (o.defaultRoomVersion !== undefined) out.default_room_version = o.defaultRoomVersion;
  if (o.disableRateLimits) out.rate_limits = { ...asRecord(out.rate_limits, 'rate_limits'), enabled: false };
  const federation = dropUndefined({
    host: o.federationHost, port: o.federationPort, tls_certificate: o.tlsCertificate, tls_private_key: o.tlsPrivateKey,
    ca_file: o.federationCaFile, allow_private_addresses: o.allowPrivateAddresses,
  });
  if (Object.keys(federation).length > 0) out.federation = { ...asRecord(out.federation, 'federation'), ...federation };
  return out;
}

function asRecord(v: unknown, key: string): Raw {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, 'must be a mapping');
  return v as Raw;
}

function str(v: unknown, key: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new ConfigError(key, 'must be a non-empty string');
  return v;
}
function bool(v: unknown, key: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return v;
}
function int(v: unknown, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}`);
  }
  return v;
}
function positive(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(key, 'must be a positive number');
  return v;
}
function oneOf<T extends string>(v: unknown, key: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new ConfigError(key, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Validates a raw (file-format) configuration and fills in defaults. `baseDir` resolves relative paths. */
export function buildConfig(raw: Raw, baseDir: string = process.cwd()): Config {
  for (const key of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(key)) throw new ConfigError(key, 'unknown setting');
  const get = <K extends keyof typeof DEFAULTS>(k: K): unknown => (raw[k] === undefined ? DEFAULTS[k] : raw[k]);

  const serverName = str(get('server_name'), 'server_name');
  if (!isValidServerName(serverName)) throw new ConfigError('server_name', 'must be a valid Matrix server name (host[:port])');
  const host = str(get('host'), 'host');
  const port = int(get('port'), 'port', 0, 65535);
  const dataDir = path.resolve(baseDir, str(get('data_dir'), 'data_dir'));
  const publicBaseUrl = raw.public_baseurl === undefined
    ? `http://${host.includes(':') ? `[${host}]` : host}:${port}/`
    : str(raw.public_baseurl, 'public_baseurl');
  if (!/^https?:\/\//.test(publicBaseUrl)) throw new ConfigError('public_baseurl', 'must start with http:// or https://');

  return Object.freeze({
    serverName,
    host,
    port,
    publicBaseUrl: publicBaseUrl.endsWith('/') ? publicBaseUrl : `${publicBaseUrl}/`,
    dataDir,
    database: buildDatabase(raw, get, dataDir, baseDir),
    signingKeyPath: raw.signing_key_path === undefined
      ? path.join(dataDir, 'signing.key')
      : path.resolve(baseDir, str(raw.signing_key_path, 'signing_key_path')),
    enableRegistration: bool(get('enable_registration'), 'enable_registration'),
    registrationTokens: buildTokens(get('registration_tokens')),
    registrationRequiresToken: bool(get('registration_requires_token'), 'registration_requires_token'),
    trustedProxies: buildProxies(get('trusted_proxies')),
    rateLimits: buildRateLimits(asRecord(raw.rate_limits, 'rate_limits')),
    metrics: buildMetrics(asRecord(raw.metrics, 'metrics')),
    forgetRoomsOnLeave: bool(get('forget_rooms_on_leave'), 'forget_rooms_on_leave'),
    allowPublicRoomsWithoutAuth: bool(get('allow_public_rooms_without_auth'), 'allow_public_rooms_without_auth'),
    defaultRoomVersion: buildDefaultRoomVersion(get('default_room_version')),
    forgottenRoomRetentionMs: buildRetention(raw),
    logLevel: oneOf(get('log_level'), 'log_level', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const),
    maxRequestBytes: int(get('max_request_bytes'), 'max_request_bytes', 65536, 100 * 1024 * 1024),
    requestTimeoutMs: int(get('request_timeout_ms'), 'request_timeout_ms', 100, 3_600_000),
    accessTokenLifetimeMs: int(get('access_token_lifetime_ms'), 'access_token_lifetime_ms', 1_000, 365 * 86_400_000),
    maxConnectionsPerAddress: int(get('max_connections_per_address'), 'max_connections_per_address', 1, 1_000_000),
    passwordHashing: buildPasswordHashing(asRecord(raw.password_hashing, 'password_hashing')),
    passwordMinLength: int(get('password_min_length'), 'password_min_length', 1, 1024),
    toDevice: buildToDevice(asRecord(raw.to_device, 'to_device')),
    federation: buildFederation(asRecord(raw.federation, 'federation'), baseDir),
    quotas: buildQuotas(asRecord(raw.quotas, 'quotas')),
    media: buildMedia(asRecord(raw.media, 'media'), dataDir, baseDir),
    userDirectorySearchAllUsers: buildUserDirectory(asRecord(raw.user_directory, 'user_directory')),
    turn: buildTurn(get('turn_uris'), get('turn_shared_secret'), get('turn_user_lifetime')),
    wellKnownSupport: buildSupport(get('well_known_support')),
  });
}

/**
 * A version this server serves: any other would make every createRoom without `room_version`
 * fail. YAML reads an unquoted `9` as a number; it means the version "9".
 */
function buildDefaultRoomVersion(v: unknown): string {
  return oneOf(typeof v === 'number' ? String(v) : v, 'default_room_version', Object.keys(ROOM_VERSIONS));
}

function buildQuotas(raw: Raw): Config['quotas'] {
  const d = DEFAULTS.quotas;
  for (const key of Object.keys(raw)) if (!(key in d)) throw new ConfigError(`quotas.${key}`, 'unknown setting');
  const count = (key: 'account_data_entries' | 'filters' | 'devices' | 'one_time_keys_per_device') => int(raw[key] ?? d[key], `quotas.${key}`, 1, 1_000_000);
  const infoUri = str(raw.info_uri ?? d.info_uri, 'quotas.info_uri');
  if (!/^https?:\/\//.test(infoUri)) throw new ConfigError('quotas.info_uri', 'must start with http:// or https://');
  return Object.freeze({
    accountDataEntries: count('account_data_entries'),
    // At most 100 MiB: one /sync carries up to this much account data, far below what V8 can serialise (512 MiB).
    accountDataBytes: int(raw.account_data_bytes ?? d.account_data_bytes, 'quotas.account_data_bytes', 1024, 100 * 1024 * 1024),
    filters: count('filters'),
    devices: count('devices'),
    oneTimeKeysPerDevice: count('one_time_keys_per_device'),
    mediaBytes: int(raw.media_bytes ?? d.media_bytes, 'quotas.media_bytes', 0, Number.MAX_SAFE_INTEGER),
    infoUri,
  });
}

function buildMedia(raw: Raw, dataDir: string, baseDir: string): Config['media'] {
  const d = DEFAULTS.media;
  for (const key of Object.keys(raw)) if (!(key in d)) throw new ConfigError(`media.${key}`, 'unknown setting');
  const dir = raw.path ?? d.path;
  const expiration = retention(raw.unused_expiration ?? d.unused_expiration, 'media.unused_expiration');
  if (expiration === null || expiration <= 0) throw new ConfigError('media.unused_expiration', 'must be a duration such as 24h');
  return Object.freeze({
    path: dir === null ? path.join(dataDir, 'media') : path.resolve(baseDir, str(dir, 'media.path')),
    maxUploadBytes: int(raw.max_upload_size ?? d.max_upload_size, 'media.max_upload_size', 1, 2 ** 40),
    enableAuthenticatedMedia: bool(raw.enable_authenticated_media ?? d.enable_authenticated_media, 'media.enable_authenticated_media'),
    maxImagePixels: int(raw.max_image_pixels ?? d.max_image_pixels, 'media.max_image_pixels', 1, 2 ** 40),
    maxPendingUploads: int(raw.max_pending_uploads ?? d.max_pending_uploads, 'media.max_pending_uploads', 1, 1_000_000),
    unusedExpirationMs: expiration,
  });
}

function buildFederation(raw: Raw, baseDir: string): Config['federation'] {
  const d = DEFAULTS.federation;
  for (const key of Object.keys(raw)) if (!(key in d)) throw new ConfigError(`federation.${key}`, 'unknown setting');
  const file = (key: 'tls_certificate' | 'tls_private_key' | 'ca_file'): string | null => {
    const v = raw[key] ?? d[key];
    return v === null ? null : path.resolve(baseDir, str(v, `federation.${key}`));
  };
  const port = raw.port === undefined || raw.port === null ? null : int(raw.port, 'federation.port', 0, 65535);
  const tlsCertificatePath = file('tls_certificate');
  const tlsPrivateKeyPath = file('tls_private_key');
  if ((tlsCertificatePath === null) !== (tlsPrivateKeyPath === null)) {
    throw new ConfigError(tlsCertificatePath === null ? 'federation.tls_certificate' : 'federation.tls_private_key',
      'the TLS certificate and private key go together: give both (HTTPS) or neither (plain HTTP behind a TLS proxy)');
  }
  if (tlsCertificatePath !== null && port === null) throw new ConfigError('federation.port', 'must be set when a TLS certificate is given');
  const wellKnown = raw.well_known_server ?? d.well_known_server;
  if (wellKnown !== null && !isValidServerName(str(wellKnown, 'federation.well_known_server'))) {
    throw new ConfigError('federation.well_known_server', 'must be host[:port], such as matrix.example.org:443');
  }
  return Object.freeze({
    host: str(raw.host ?? d.host, 'federation.host'),
    port,
    tlsCertificatePath,
    tlsPrivateKeyPath,
    caFile: file('ca_file'),
    allowPrivateAddresses: bool(raw.allow_private_addresses ?? d.allow_private_addresses, 'federation.allow_private_addresses'),
    wellKnownServer: wellKnown as string | null,
    trustedKeyServers: buildTrustedKeyServers(raw.trusted_key_servers ?? d.trusted_key_servers),
  });
}

function buildTrustedKeyServers(v: unknown): Config['federation']['trustedKeyServers'] {
  const key = 'federation.trusted_key_servers';
  if (!Array.isArray(v)) throw new ConfigError(key, 'must be a list of {server_name, verify_keys}');
  return Object.freeze(v.map((entry, i) => {
    const at = `${key}[${i}]`;
    const raw = asRecord(entry, at);
    for (const name of Object.keys(raw)) if (name !== 'server_name' && name !== 'verify_keys') throw new ConfigError(`${at}.${name}`, 'unknown setting');
    const serverName = str(raw.server_name, `${at}.server_name`);
    if (!isValidServerName(serverName)) throw new ConfigError(`${at}.server_name`, 'must be a server name such as matrix.org');
    if (raw.verify_keys === undefined || raw.verify_keys === null) return Object.freeze({ serverName, verifyKeys: null });
    const keys = asRecord(raw.verify_keys, `${at}.verify_keys`);
    for (const [keyId, publicKey] of Object.entries(keys)) {
      const raw32 = typeof publicKey === 'string' ? decodeBase64(publicKey) : undefined;
      if (!keyId.startsWith(ED25519_PREFIX) || raw32 === undefined || ed25519PublicKey(raw32) === undefined) {
        throw new ConfigError(`${at}.verify_keys`, 'must map ed25519 key IDs to public keys, such as {"ed25519:auto": "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw"}');
      }
    }
    if (Object.keys(keys).length === 0) throw new ConfigError(`${at}.verify_keys`, 'must list at least one key, or be left out');
    return Object.freeze({ serverName, verifyKeys: Object.freeze({ ...keys }) as Record<string, string> });
  }));
}

function buildDatabase(raw: Raw, get: (k: 'sqlite_synchronous' | 'database_pool_size') => unknown, dataDir: string, baseDir: string): Config['database'] {
  const db = raw.database === undefined ? path.join(dataDir, 'hearth.db') : str(raw.database, 'database');
  if (/^postgres(ql)?:\/\//.test(db)) {
    return { kind: 'postgres', url: db, poolSize: int(get('database_pool_size'), 'database_pool_size', 2, 1000) };
  }
  if (/^[a-z]+:\/\//i.test(db)) throw new ConfigError('database', 'must be a SQLite file path or a postgres:// URL');
  const file = db === ':memory:' ? db : path.resolve(baseDir, db);
  return { kind: 'sqlite', path: file, synchronous: oneOf(get('sqlite_synchronous'), 'sqlite_synchronous', ['full', 'normal', 'off'] as const) };
}

function buildProxies(v: unknown): readonly string[] {
  if (!Array.isArray(v)) throw new ConfigError('trusted_proxies', 'must be a list of IP addresses or CIDR ranges');
  return Object.freeze(v.map((p, i) => {
    const key = `trusted_proxies[${i}]`;
    const [address, bits, ...rest] = str(p, key).split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(key, 'must be an IP address or a CIDR range such as 10.0.0.0/8');
    }
    return p as string;
  }));
}

function buildTokens(v: unknown): string[] {
  if (!Array.isArray(v)) throw new ConfigError('registration_tokens', 'must be a list of strings');
  return v.map((t, i) => str(t, `registration_tokens[${i}]`));
}

function buildRateLimits(raw: Raw): Config['rateLimits'] {
  for (const key of Object.keys(raw)) {
    if (key !== 'enabled' && !RATE_LIMIT_NAMES.includes(key as RateLimitName)) throw new ConfigError(`rate_limits.${key}`, 'unknown rate limiter');
  }
  const rules = {} as Record<RateLimitName, RateLimitRule>;
  for (const name of RATE_LIMIT_NAMES) {
    const given = asRecord(raw[name], `rate_limits.${name}`);
    const def = DEFAULTS.rate_limits[name];
    rules[name] = Object.freeze({
      perSecond: positive(given.per_second ?? def.per_second, `rate_limits.${name}.per_second`),
      burst: int(given.burst ?? def.burst, `rate_limits.${name}.burst`, 1, 1_000_000),
    });
  }
  return Object.freeze({ enabled: bool(raw.enabled ?? DEFAULTS.rate_limits.enabled, 'rate_limits.enabled'), ...rules });
}

function buildMetrics(raw: Raw): Config['metrics'] {
  const d = DEFAULTS.metrics;
  const p = str(raw.path ?? d.path, 'metrics.path');
  if (!p.startsWith('/')) throw new ConfigError('metrics.path', 'must start with /');
  return Object.freeze({
    enabled: bool(raw.enabled ?? d.enabled, 'metrics.enabled'),
    path: p,
    host: str(raw.host ?? d.host, 'metrics.host'),
    port: raw.port === undefined || raw.port === null ? null : int(raw.port, 'metrics.port', 0, 65535),
  });
}

function buildRetention(raw: Raw): number | null {
  return retention(raw.forgotten_room_retention === undefined ? DEFAULTS.forgotten_room_retention : raw.forgotten_room_retention, 'forgotten_room_retention');
}

function retention(v: unknown, key: string): number | null {
  if (v === null) return null;
  const ms = parseDuration(v);
  if (ms === undefined) throw new ConfigError(key, 'must be a duration such as 7d, 12h, 30m or null');
  return ms;
}

function buildToDevice(raw: Raw): Config['toDevice'] {
  const d = DEFAULTS.to_device;
  return Object.freeze({
    maxContentBytes: int(raw.max_content_bytes ?? d.max_content_bytes, 'to_device.max_content_bytes', 1024, 1024 * 1024),
    maxMessagesPerRequest: int(raw.max_messages_per_request ?? d.max_messages_per_request, 'to_device.max_messages_per_request', 1, 1_000_000),
    maxPendingPerDevice: int(raw.max_pending_per_device ?? d.max_pending_per_device, 'to_device.max_pending_per_device', 1, 1_000_000),
    undeliveredRetentionMs: retention(raw.undelivered_retention === undefined ? d.undelivered_retention : raw.undelivered_retention, 'to_device.undelivered_retention'),
  });
}

function buildPasswordHashing(raw: Raw): Config['passwordHashing'] {
  const d = DEFAULTS.password_hashing;
  const cost = int(raw.cost ?? d.cost, 'password_hashing.cost', 2, 2 ** 20);
  if ((cost & (cost - 1)) !== 0) throw new ConfigError('password_hashing.cost', 'must be a power of two');
  return Object.freeze({
    cost,
    blockSize: int(raw.block_size ?? d.block_size, 'password_hashing.block_size', 1, 64),
    parallelization: int(raw.parallelization ?? d.parallelization, 'password_hashing.parallelization', 1, 16),
    // At most 3: libuv's pool has 4 threads, and one must stay free for the write-ahead log's fdatasync.
    maxConcurrent: int(raw.max_concurrent ?? d.max_concurrent, 'password_hashing.max_concurrent', 1, 3),
    maxQueued: int(raw.max_queued ?? d.max_queued, 'password_hashing.max_queued', 0, 10_000),
  });
}

function buildUserDirectory(raw: Raw): boolean {
  for (const key of Object.keys(raw)) if (key !== 'search_all_users') throw new ConfigError(`user_directory.${key}`, 'unknown setting');
  return bool(raw.search_all_users ?? DEFAULTS.user_directory.search_all_users, 'user_directory.search_all_users');
}

/** Both the URIs and the secret, or neither (no TURN server: nothing to hand out). */
function buildTurn(uris: unknown, secret: unknown, lifetime: unknown): Config['turn'] {
  if (!Array.isArray(uris)) throw new ConfigError('turn_uris', 'must be a list of turn: or turns: URIs');
  const list = uris.map((u, i) => str(u, `turn_uris[${i}]`));
  if (list.some((u) => !/^turns?:/.test(u))) throw new ConfigError('turn_uris', 'every URI must start with turn: or turns:');
  if (secret !== null && (typeof secret !== 'string' || secret === '')) throw new ConfigError('turn_shared_secret', 'must be a non-empty string or null');
  if ((list.length === 0) !== (secret === null)) {
    throw new ConfigError(secret === null ? 'turn_shared_secret' : 'turn_uris', 'turn_uris and turn_shared_secret go together: give both or neither');
  }
  const ms = retention(lifetime, 'turn_user_lifetime');
  if (ms === null || ms < 1000) throw new ConfigError('turn_user_lifetime', 'must be a duration of at least 1s, such as 1h');
  return secret === null ? null : Object.freeze({ uris: Object.freeze(list), sharedSecret: secret as string, userLifetimeMs: ms });
}

/** The spec's shape: `contacts` (each a `role` and a `matrix_id` or an `email_address`) and/or `support_page`. */
function buildSupport(v: unknown): Config['wellKnownSupport'] {
  if (v === null) return null;
  const key = 'well_known_support';
  const raw = asRecord(v, key);
  for (const name of Object.keys(raw)) if (name !== 'contacts' && name !== 'support_page') throw new ConfigError(`${key}.${name}`, 'unknown setting');
  const page = raw.support_page === undefined ? undefined : str(raw.support_page, `${key}.support_page`);
  if (raw.contacts !== undefined && (!Array.isArray(raw.contacts) || raw.contacts.length === 0)) throw new ConfigError(`${key}.contacts`, 'must be a non-empty list');
  const contacts = (raw.contacts as unknown[] | undefined)?.map((c, i) => {
    const at = `${key}.contacts[${i}]`;
    const entry = asRecord(c, at);
    for (const name of Object.keys(entry)) if (!['role', 'matrix_id', 'email_address'].includes(name)) throw new ConfigError(`${at}.${name}`, 'unknown setting');
    const role = str(entry.role, `${at}.role`);
    const matrixId = entry.matrix_id === undefined ? undefined : str(entry.matrix_id, `${at}.matrix_id`);
    const email = entry.email_address === undefined ? undefined : str(entry.email_address, `${at}.email_address`);
    if (matrixId === undefined && email === undefined) throw new ConfigError(at, 'needs a matrix_id or an email_address');
    if (matrixId !== undefined && parseUserId(matrixId) === undefined) throw new ConfigError(`${at}.matrix_id`, 'must be a user ID such as @admin:example.org');
    return Object.freeze({ role, ...(matrixId !== undefined ? { matrix_id: matrixId } : {}), ...(email !== undefined ? { email_address: email } : {}) });
  });
  if (page === undefined && contacts === undefined) throw new ConfigError(key, 'needs contacts or a support_page');
  return Object.freeze({ ...(contacts ? { contacts: Object.freeze(contacts) } : {}), ...(page !== undefined ? { support_page: page } : {}) });
}
