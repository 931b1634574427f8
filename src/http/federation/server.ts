import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { SigningKey } from '../../core/events/signing-key.js';
import { keyQueryRoutes, serverKeyRoutes } from '../keys.js';
import { fastifyOptions, installRequestHandling } from '../server.js';

export interface FederationServerOptions {
  config: Config;
  logger: FastifyBaseLogger;
  clock: Clock;
  signingKey: SigningKey;
  /** Hearth's version, published by `/_matrix/federation/v1/version`. */
  version: string;
  /** PEM certificate chain and private key: the listener speaks HTTPS; absent: plain HTTP (a TLS proxy in front). */
  tls?: { cert: Buffer; key: Buffer };
}

/**
 * The federation listener: `/_matrix/federation/*` and `/_matrix/key/*`. It serves only the
 * endpoints the spec answers without X-Matrix request authentication (the version and the keys);
 * endpoints that need an authenticated origin server are registered here once that check exists.
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
  await app.register(keyQueryRoutes, keys);
  return app;
}
