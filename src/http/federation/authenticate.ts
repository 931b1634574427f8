import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { unauthorized } from '../../core/errors.js';
import { readRequestClaim, verifyRequestClaim } from '../../core/federation/request-auth.js';
import type { ServerKeyLookup } from '../../services/federation/server-key-lookup.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The server that signed the request; set on every authenticated federation route. */
    federationOrigin?: string;
  }
}

export interface FederationAuthOptions {
  serverName: string;
  clock: Clock;
  keys: ServerKeyLookup;
}

/**
 * Requires a valid X-Matrix `Authorization` on every route of `app` (server-server API, "Request
 * Authentication"): the signature covers the method, the raw request target with its query, both
 * server names and the parsed body, checked with the origin's keys valid now. Missing, malformed,
 * wrongly addressed (the spec's 401) or unverifiable requests are refused with 401 M_UNAUTHORIZED
 * before the handler runs. Runs as a preHandler, so the body has been parsed and size-checked.
 */
export function requireFederationAuth(app: FastifyInstance, opts: FederationAuthOptions): void {
  app.addHook('preHandler', async (request) => {
    request.federationOrigin = await authenticate(request, opts);
  });
}

async function authenticate(request: FastifyRequest, opts: FederationAuthOptions): Promise<string> {
  const header = request.headers.authorization;
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const claim = readRequestClaim(values, opts.serverName);
  if (claim === 'missing') throw unauthorized('Missing X-Matrix authorization');
  if (claim === 'malformed') throw unauthorized('Malformed X-Matrix authorization');
  if (claim === 'wrong_destination') throw unauthorized('The request is not addressed to this server');
  const keys = await opts.keys.keysFor(claim.origin, Object.keys(claim.signatures), opts.clock.now());
  const request_ = { method: request.method, uri: request.url, ...(request.body === undefined ? {} : { content: request.body }) };
  if (!verifyRequestClaim(request_, claim, opts.serverName, keys)) throw unauthorized('The request signature could not be verified');
  return claim.origin;
}

/** The authenticated origin server of a request on a route behind `requireFederationAuth`. */
export function originOf(request: FastifyRequest): string {
  if (request.federationOrigin === undefined) throw unauthorized('Missing X-Matrix authorization');
  return request.federationOrigin;
}
