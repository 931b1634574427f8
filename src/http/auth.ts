import type { FastifyInstance, FastifyRequest } from 'fastify';
import { missingToken, userSuspended } from '../core/errors.js';
import type { RateLimitName } from '../config/schema.js';
import type { Requester } from '../services/requester.js';
import type { Services } from '../services/services.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'required' (the default for client routes), 'optional', or 'none'. */
    auth?: 'required' | 'optional' | 'none';
    /** The named rate limiter that applies to this route, if any. */
    rateLimit?: RateLimitName;
    /** How many users the request invites: that many tokens from the `invite` limiter, besides `rateLimit`. */
    invites?: (request: FastifyRequest) => number;
    /** The route ignores its body, so any JSON is accepted (e.g. /forget). */
    anyJsonBody?: boolean;
    /** A locked account may still use this route (spec: logging out). */
    allowLocked?: boolean;
    /**
     * A suspended account may not use this route (spec: account suspension's forbidden actions), or,
     * as a function, not for this request (the member state endpoint: leaving stays allowed).
     */
    deniedWhenSuspended?: boolean | ((request: FastifyRequest) => boolean);
  }
  interface FastifyRequest {
    requester?: Requester;
  }
}

/** The access token of a request: `Authorization: Bearer`, else the deprecated `access_token` query parameter. */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : '';
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.access_token;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/** Resolves the requester of every route that asks for authentication. */
export function installAuth(app: FastifyInstance, services: Services): void {
  app.addHook('preHandler', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'none';
    if (mode === 'none') return;
    const token = accessTokenOf(request);
    if (token === undefined && mode === 'optional') return;
    const config = request.routeOptions.config;
    request.requester = await services.sessions.authenticate(token, config.allowLocked ?? false);
    const denied = config.deniedWhenSuspended;
    if (request.requester.suspended === true && (denied === true || (typeof denied === 'function' && denied(request)))) throw userSuspended();
  });
}

/** The authenticated requester; routes with `auth: 'required'` always have one. */
export function requesterOf(request: FastifyRequest): Requester {
  if (!request.requester) throw missingToken();
  return request.requester;
}
