import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Config } from './config/schema.js';
import type { Clock } from './core/clock.js';
import { createMetricsServer } from './http/metrics-server.js';
import { createHttpServer } from './http/server.js';
import { createFederationServer } from './http/federation/server.js';
import { loadTlsFiles } from './http/federation/tls.js';
import { hearthVersion } from './cli/version.js';
import type { Metrics } from './services/metrics.js';
import { createServices, type Services } from './services/services.js';
import { openStore } from './storage/open.js';
import { ForgottenRoomPurger } from './services/purge/forgotten-rooms.js';
import { TO_DEVICE_EXPIRY_INTERVAL_MS, ToDeviceExpiry } from './services/purge/to-device-expiry.js';
import { TRANSACTION_ID_EXPIRY_INTERVAL_MS, TransactionIdExpiry } from './services/purge/transaction-ids.js';
import { PUSH_INTERVAL_MS, PushWorker } from './services/push/push-worker.js';
import { ADMIN_JOB_RESUME_FIRST_RUN_MS, ADMIN_JOB_RESUME_INTERVAL_MS } from './services/admin/admin-jobs.js';
import { DEACTIVATION_RESUME_FIRST_RUN_MS, DEACTIVATION_RESUME_INTERVAL_MS, DeactivationResume } from './services/accounts/deactivation-resume.js';
import { loadOrCreateSigningKey } from './storage/signing-key-file.js';
import type { Store } from './storage/store.js';
import type { SigningKey } from './core/events/signing-key.js';
import type { ServerKeyLookup } from './services/federation/server-key-lookup.js';
import type { FederationRequester } from './services/federation/federation-client.js';

/** What the commands (cli/) tell apart when start-up fails: the schema could not be brought up to date. */
export { MigrationError } from './storage/errors.js';
/** … and the federation listener's certificate or key could not be used. */
export { TlsSetupError } from './http/federation/tls.js';

export interface AppOverrides {
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** Use this key instead of the one in the configured key file (tests). */
  signingKey?: SigningKey;
  /** Use this store instead of opening the configured database (it is closed with the app). */
  store?: Store;
  /** Other servers' keys for the federation listener (tests); by default the key ring fetches them. */
  serverKeys?: ServerKeyLookup;
  /** Answers every outbound federation request instead of the network (tests: fake peers). */
  federationRequester?: FederationRequester;
}

export interface App {
  readonly http: FastifyInstance;
  /** The federation listener; absent unless `federation.port` is set. */
  readonly federationHttp: FastifyInstance | undefined;
  readonly services: Services;
  readonly store: Store;
  /** Absent unless `metrics.enabled`. */
  readonly metrics: Metrics | undefined;
  readonly config: Config;
  /** The background purge of forgotten rooms (absent when `forgotten_room_retention` is null). */
  readonly purger: ForgottenRoomPurger | undefined;
  /** The hourly deletion of transaction IDs older than a day. */
  readonly txnExpiry: TransactionIdExpiry;
  /** The expiry of undelivered to-device messages (absent when `to_device.undelivered_retention` is null). */
  readonly toDeviceExpiry: ToDeviceExpiry | undefined;
  /** Finishes deactivations a crash interrupted: soon after start-up, then hourly. */
  readonly deactivationResume: DeactivationResume;
  /** Records notifications and delivers them to push gateways. */
  readonly pushWorker: PushWorker;
  /** Starts listening (and the metrics and federation listeners, when configured); resolves to the client address. */
  listen(): Promise<string>;
  /** Stops background work, closes the HTTP server (finishing in-flight requests), then the database. */
  close(): Promise<void>;
}

/** The wall clock: the one place Hearth reads the time; everything else is handed this. */
const systemClock: Clock = { now: () => Date.now() };

/** The database and services without HTTP: what offline commands (register-user) need. */
export async function buildCore(config: Config, overrides: AppOverrides = {}): Promise<Core> {
  const clock = overrides.clock ?? systemClock;
  const signingKey = overrides.signingKey ?? loadOrCreateSigningKey(config.signingKeyPath);
  const store = overrides.store ?? (await openStore(config.database));
  return { store, clock, signingKey, services: createServices({
    store, clock, config, signingKey,
    ...(overrides.federationRequester ? { federationRequester: overrides.federationRequester } : {}),
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    ...(overrides.serverKeys ? { serverKeys: overrides.serverKeys } : {}),
  }) };
}

interface Core {
  store: Store;
  clock: Clock;
  signingKey: SigningKey;
  services: Services;
}

/** The one place where Hearth's parts are constructed and wired together. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel });
  // Before the database is opened: a wrong certificate file stops start-up with nothing to close.
  const tls = federationTls(config);
  const core = await buildCore(config, { ...overrides, logger });
  const { store, services, clock, signingKey } = core;
  // Temporary files a crash left; with PostgreSQL other processes may share the directory, so only
  // those older than any upload still being received (request_timeout_ms).
  await services.media.files.prepare(store.dialect === 'sqlite' ? 0 : config.requestTimeoutMs);
  const metrics = config.metrics.enabled ? new (await import('./services/metrics.js')).Metrics() : undefined;
  metrics?.watchPasswordHashing(services.passwordHashing.stats);
  metrics?.watchFederationOutbox(services.outbox, () => store.outbox.count());
  const http = await createHttpServer({ services, config, metrics, logger, clock, signingKey, version: hearthVersion() });
  const federationHttp = config.federation.port === null ? undefined : await createFederationServer({
    config, logger, clock, signingKey, version: hearthVersion(), tls, services,
    serverKeys: overrides.serverKeys ?? services.federation.keyRing,
  });
  const metricsServer = metrics && config.metrics.port !== null
    ? createMetricsServer(metrics, config.metrics.path)
    : undefined;
  const purger = config.forgottenRoomRetentionMs === null ? undefined : new ForgottenRoomPurger({
    store, clock, retentionMs: config.forgottenRoomRetentionMs, logger,
    onPurged: () => metrics?.roomsPurged.inc(),
  });
  purger?.start(purgeInterval(config.forgottenRoomRetentionMs));
  const txnExpiry = new TransactionIdExpiry({ store, clock, logger });
  txnExpiry.start(TRANSACTION_ID_EXPIRY_INTERVAL_MS);
  const { undeliveredRetentionMs } = config.toDevice;
  const toDeviceExpiry = undeliveredRetentionMs === null ? undefined : new ToDeviceExpiry({ store, clock, logger, retentionMs: undeliveredRetentionMs });
  toDeviceExpiry?.start(TO_DEVICE_EXPIRY_INTERVAL_MS);
  const deactivationResume = new DeactivationResume({ store, deactivation: services.deactivation, logger });
  deactivationResume.start(DEACTIVATION_RESUME_INTERVAL_MS, DEACTIVATION_RESUME_FIRST_RUN_MS);
  services.outbox.start();
  // Admin jobs (room deletions, history purges) a restart interrupted are resumed by the first pass.
  services.adminRooms.jobs.start(ADMIN_JOB_RESUME_INTERVAL_MS, ADMIN_JOB_RESUME_FIRST_RUN_MS);
  const { recorder, delivery } = services.push;
  const pushWorker = new PushWorker({ store, notifier: services.notifier, recorder, delivery, logger });
  pushWorker.start(PUSH_INTERVAL_MS);
  let closed = false;
  return {
    purger,
    txnExpiry,
    toDeviceExpiry,
    deactivationResume,
    pushWorker,
    http,
    federationHttp,
    services,
    store,
    metrics,
    config,
    async listen() {
      const address = await http.listen({ host: config.host, port: config.port });
      await metricsServer?.listen({ host: config.metrics.host, port: config.metrics.port ?? 0 });
      await federationHttp?.listen({ host: config.federation.host, port: config.federation.port ?? 0 });
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Does not wait for deliveries under way: their items are due again when their leases end.
      await services.outbox.stop();
      await purger?.stop();
      await txnExpiry.stop();
      await toDeviceExpiry?.stop();
      await deactivationResume.stop();
      await services.adminRooms.jobs.stop();
      await pushWorker.stop();
      services.push.close();
      await metricsServer?.close();
      await federationHttp?.close();
      services.federation.close();
      // Closing the client listener ends the parked long-polls (see its preClose hook); they compute
      // their answers from the database, so it closes only after they have.
      await http.close();
      await services.parkedSyncs.endAll();
      await store.close();
    },
  };
}

/**
 * Until the key ring fetches other servers' keys, none are known: every request that needs an
 * authenticated origin is refused with 401, which is what an unverifiable request deserves.
 */
/** The federation listener's certificate and key, read and checked at start-up; none for plain HTTP. */
function federationTls(config: Config): { cert: Buffer; key: Buffer } | undefined {
  const { tlsCertificatePath, tlsPrivateKeyPath } = config.federation;
  return tlsCertificatePath === null || tlsPrivateKeyPath === null ? undefined : loadTlsFiles(tlsCertificatePath, tlsPrivateKeyPath);
}

/** How often the purge looks for work: often enough for short retentions, at most hourly. */
function purgeInterval(retentionMs: number | null): number {
  return Math.max(1000, Math.min((retentionMs ?? 0) / 4, 3_600_000));
}
