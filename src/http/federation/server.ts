import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import type { ServerKeyLookup } from '../../services/federation/server-key-lookup.js';
import type { Services } from '../../services/services.js';
import { keyQueryRoutes, serverKeyRoutes } from '../keys.js';
import { fastifyOptions, installRequestHandling } from '../server.js';
import { requireFederationAuth } from './authenticate.js';
import { federationInviteRoutes } from './invite.js';
import { federationMembershipRoutes } from './membership.js';
import { federationOpenIdRoutes } from './openid.js';
import { federationQueryRoutes } from './query.js';
import { federationTransactionRoutes } from './transactions.js';

export interface FederationServerOptions {
  config: Config;
  logger: FastifyBaseLogger;
  clock: Clock;
  signingKey: SigningKey;
  /** Hearth's version, published by `/_matrix/federation/v1/version`. */
  version: string;
  /** PEM certificate chain and private key: the listener speaks HTTPS; absent: plain HTTP (a TLS proxy in front). */
  tls?: { cert: Buffer; key: Buffer };
  services: Services;
  /** Other servers' public keys, for the X-Matrix request authentication. */
  serverKeys: ServerKeyLookup;
}

/**
 * The federation listener: `/_matrix/federation/*` and `/_matrix/key/*`. The version and the keys
 * are answered to anyone; every other route is registered in the scope that requires a valid
 * X-Matrix signature, so none can be added without it.
 */
export async function createFederationServer(opts: FederationServerOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const options = fastifyOptions(config, opts.logger);
  // Fastify hands its `http` options (the header and body timeouts) only to a plain HTTP server.
  const https = opts.tls ? { https: { ...opts.tls, ...options.http } } : {};
  // With `https` Fastify's instance is typed for an HTTPS server; routes and hooks are the same.
  const app = Fastify({ ...options, ...https }) as unknown as FastifyInstance;
  installRequestHandling(app, config);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'federation request');
  });
  const keys = { serverName: config.serverName, signingKey: opts.signingKey, clock: opts.clock };
  app.get('/_matrix/federation/v1/version', async () => ({ server: { name: 'Hearth', version: opts.version } }));
  await app.register(serverKeyRoutes, keys);
  await app.register(keyQueryRoutes, { notary: opts.services.federation.notary });
  await app.register(federationOpenIdRoutes, { services: opts.services });
  await app.register(async (authenticated) => {
    requireFederationAuth(authenticated, { serverName: config.serverName, clock: opts.clock, keys: opts.serverKeys });
    await authenticated.register(federationQueryRoutes, { services: opts.services, serverName: config.serverName });
    await authenticated.register(federationInviteRoutes, { services: opts.services, serverKeys: opts.serverKeys });
    await authenticated.register(federationMembershipRoutes, { services: opts.services });
    await authenticated.register(federationTransactionRoutes, { services: opts.services, serverKeys: opts.serverKeys });
  });
  return app;
}
