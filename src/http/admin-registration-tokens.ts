import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../core/json.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { optionalObjectBody, paramsOf } from './schemas/common.js';

const TOKENS = '/_synapse/admin/v1/registration_tokens';

/** Body fields are checked by the service (core/registration-tokens.ts): every bad value is 400 M_INVALID_PARAM, as Synapse answers. */
const ListQuery = { type: 'object', properties: { valid: { type: 'boolean' } } } as const;

/** Synapse's registration token admin API (registration_tokens.md); admins only. */
export async function adminRegistrationTokenRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const tokens = services.adminRegistrationTokens;
  const config = { auth: 'required' as const };
  const one = (extra: object = {}) => ({ schema: { params: paramsOf('token'), ...extra }, config });
  type One<Body = unknown> = { Params: { token: string }; Body: Body };

  app.get<{ Querystring: { valid?: boolean } }>(TOKENS, { schema: { querystring: ListQuery }, config }, async (req) =>
    tokens.list(requesterOf(req), req.query.valid));
  app.post<{ Body: JsonObject | null }>(`${TOKENS}/new`, { schema: { body: optionalObjectBody }, config }, async (req) =>
    tokens.create(requesterOf(req), req.body ?? {}));
  app.get<One>(`${TOKENS}/:token`, one(), async (req) =>
    tokens.get(requesterOf(req), req.params.token));
  app.put<One<JsonObject | null>>(`${TOKENS}/:token`, one({ body: optionalObjectBody }), async (req) =>
    tokens.update(requesterOf(req), req.params.token, req.body ?? {}));
  app.delete<One>(`${TOKENS}/:token`, one(), async (req) =>
    tokens.delete(requesterOf(req), req.params.token));
}
