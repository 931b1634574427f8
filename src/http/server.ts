import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { unknownError } from '../core/errors.js';
import type { SigningKey } from '../core/events/signing-key.js';
import { serverKeyRoutes } from './keys.js';
import type { Metrics } from '../services/metrics.js';
import type { Services } from '../services/services.js';
import { installAuth } from './auth.js';
import { accountRoutes } from './client/account.js';
import { deviceRoutes } from './client/devices.js';
import { directoryRoutes } from './client/directory.js';
import { capConnectionsPerAddress } from './connection-cap.js';
import { membershipRoutes } from './client/membership.js';
import { roomRoutes } from './client/rooms.js';
import { roomUpgradeRoutes } from './client/room-upgrade.js';
import { deactivateRoutes } from './client/deactivate.js';
import { keyBackupRoutes } from './client/key-backup.js';
import { adminRoutes } from './admin.js';
import { adminUserRoutes } from './admin-users.js';
import { adminRegistrationTokenRoutes } from './admin-registration-tokens.js';
import { adminEventReportRoutes } from './admin-event-reports.js';
import { adminRoomRoutes } from './admin-rooms.js';
import { adminRestrictionRoutes } from './admin-restrictions.js';
import { mediaRoutes } from './media.js';
import { syncRoutes } from './client/sync.js';
import { accountDataRoutes } from './client/account-data.js';
import { filterRoutes } from './client/filters.js';
import { presenceRoutes } from './client/presence.js';
import { keyRoutes } from './client/keys.js';
import { toDeviceRoutes } from './client/to-device.js';
import { pushRuleRoutes } from './client/push-rules.js';
import { pushRoutes } from './client/push.js';
import { relationRoutes } from './client/relations.js';
import { receiptRoutes } from './client/receipts.js';
import { typingRoutes } from './client/typing.js';
import { capabilitiesRoutes, discoveryRoutes } from './client/discovery.js';
import { profileRoutes } from './client/profile.js';
import { registrationTokenRoutes } from './client/registration-tokens.js';
import { registrationRoutes } from './client/registration.js';
import { sessionRoutes } from './client/session.js';
import { refreshRoutes } from './client/refresh.js';
import { openIdRoutes } from './client/openid.js';
import { searchRoutes } from './client/search.js';
import { tagRoutes } from './client/tags.js';
import { reportRoutes } from './client/reports.js';
import { userRoutes, userRoutesV1 } from './client/users.js';
import { roomRoutesV1 } from './client/rooms-v1.js';
import { clientExtrasRoutes, supportRoutes } from './client/client-extras.js';
import { makeClientErrorHandler } from './client-error.js';
import { installErrorHandling, sendError, toMatrixError } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { addMetricsRoute } from './metrics-server.js';
import { installRateLimits } from './rate-limit.js';
import { trackRoutes } from './route-table.js';
import { installValidation } from './validation.js';

export interface HttpServerOptions {
  services: Services;
  config: Config;
  metrics: Metrics | undefined;
  logger: FastifyBaseLogger;
  clock: Clock;
  signingKey: SigningKey;
  /** Hearth's version, for the admin API's `server_version`. */
  version: string;
}

/** Client-Server API paths are served under both prefixes: r0 for older clients (Hydrogen). */
export const CLIENT_PREFIXES = ['/_matrix/client/v3', '/_matrix/client/r0'];

/** Paths of unmatched requests are logged up to this length (a hostile client may send kilobytes). */
const MAX_LOGGED_PATH = 512;

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date',
  'access-control-max-age': '86400',
};

/** What every Hearth listener's Fastify shares: logging, body limit, proxies, Matrix errors for what fails before routing. */
export function fastifyOptions(config: Config, logger: FastifyBaseLogger) {
  return {
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxRequestBytes,
    // request.ip is the client's address from X-Forwarded-For only when the peer is a trusted proxy.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // Malformed URLs and over-long parameters fail before routing: they get Matrix errors too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      reply.headers(CORS_HEADERS);
      void sendError(reply, toMatrixError(error, request));
    },
    // Requests Node's HTTP parser refuses (raw non-ASCII bytes in the request line, say): Matrix errors too.
    clientErrorHandler: makeClientErrorHandler(logger),
    forceCloseConnections: 'idle' as const,
    // Fastify's 0 would switch Node's timeouts off: a client trickling its headers or body would hold
    // its connection for ever. Both cover receiving the request only, not the answer, so a /sync
    // long-poll is unaffected; Node checks them every connectionsCheckingInterval.
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.requestTimeoutMs / 4))),
    },
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 2048 },
  };
}

/** Validation, JSON bodies and Matrix errors (405 for a known path with the wrong method), as on every listener. */
export function installRequestHandling(app: FastifyInstance, config: Config): void {
  capConnectionsPerAddress(app.server, config.maxConnectionsPerAddress, config.trustedProxies);
  const allowedMethods = trackRoutes(app);
  installValidation(app);
  installJsonBodyParser(app, config.maxRequestBytes);
  installErrorHandling(app, allowedMethods);
}

/** Builds the Fastify instance with every route; listening is up to the caller. */
export async function createHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const { services, config, metrics } = opts;
  const app: FastifyInstance = Fastify({
    ...fastifyOptions(config, opts.logger),
    // Requests that arrive while closing get a Matrix 503 from the hook below, not Fastify's own body.
    return503OnClosing: false,
  });
  installRequestHandling(app, config);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Parked long-polls answer now (nothing new): they would otherwise hold the close for their
    // whole timeout. Only after `closing`, so a request pipelined behind one gets the 503 below.
    void services.parkedSyncs.endAll();
  });
  // CORS on every response; a preflight is answered here, before routing (spec: "Web Browser Clients").
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(CORS_HEADERS);
    // Still on a kept-alive connection while the server shuts down: the client should go elsewhere.
    if (closing) return sendError(reply.header('connection', 'close'), unknownError(503, 'The server is shutting down, please retry'));
    if (request.method === 'OPTIONS') return reply.code(204).send();
  });
  app.addHook('onResponse', async (request, reply) => {
    const matched = request.routeOptions.url;
    const route = matched ?? 'unmatched';
    metrics?.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    metrics?.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // Without a route pattern, the path tells an operator which endpoint a client missed. Never the
    // query string: it may hold an access token.
    const path = matched === undefined ? { path: (request.url.split('?')[0] ?? '').slice(0, MAX_LOGGED_PATH) } : {};
    request.log.info({ method: request.method, route, ...path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  // Durability: nothing goes out, not even an answer that only read, before what it may have seen is
  // on disk (SQLite syncs its log off the event loop after COMMIT; on PostgreSQL this resolves at once).
  app.addHook('onSend', async (_request, _reply, payload) => {
    await services.whenDurable();
    return payload;
  });
  installAuth(app, services);
  installRateLimits(app, services.rateLimiter, config.rateLimits);

  await app.register(discoveryRoutes, { config });
  await app.register(serverKeyRoutes, { serverName: config.serverName, signingKey: opts.signingKey, clock: opts.clock });
  await app.register(registrationTokenRoutes, { services });
  await app.register(refreshRoutes, { services });
  await app.register(adminRoutes, { services });
  await app.register(adminUserRoutes, { services, version: opts.version });
  await app.register(adminRegistrationTokenRoutes, { services });
  await app.register(adminEventReportRoutes, { services });
  await app.register(adminRoomRoutes, { services });
  await app.register(adminRestrictionRoutes, { services });
  await app.register(mediaRoutes, { services });
  await app.register(relationRoutes, { services });
  await app.register(userRoutesV1, { services });
  await app.register(roomRoutesV1, { services });
  await app.register(supportRoutes, { support: config.wellKnownSupport });
  for (const prefix of CLIENT_PREFIXES) {
    await app.register(async (client) => {
      await client.register(capabilitiesRoutes, { config });
      await client.register(registrationRoutes, { services });
      await client.register(sessionRoutes, { services });
      await client.register(openIdRoutes, { services });
      await client.register(accountRoutes, { services });
      await client.register(deviceRoutes, { services });
      await client.register(profileRoutes, { services });
      await client.register(roomRoutes, { services });
      await client.register(roomUpgradeRoutes, { services });
      await client.register(membershipRoutes, { services });
      await client.register(directoryRoutes, { services, allowAnonymousDirectory: config.allowPublicRoomsWithoutAuth });
      await client.register(syncRoutes, { services });
      await client.register(deactivateRoutes, { services });
      await client.register(keyBackupRoutes, { services });
      await client.register(accountDataRoutes, { services });
      await client.register(filterRoutes, { services });
      await client.register(pushRuleRoutes, { services });
      await client.register(pushRoutes, { services });
      await client.register(typingRoutes, { services });
      await client.register(receiptRoutes, { services });
      await client.register(presenceRoutes, { services });
      await client.register(keyRoutes, { services });
      await client.register(toDeviceRoutes, { services });
      await client.register(searchRoutes, { services });
      await client.register(tagRoutes, { services });
      await client.register(reportRoutes, { services });
      await client.register(userRoutes, { services });
      await client.register(clientExtrasRoutes, { services });
    }, { prefix });
  }
  if (metrics && config.metrics.port === null) {
    addMetricsRoute(app, metrics, config.metrics.path);
  }
  return app;
}
