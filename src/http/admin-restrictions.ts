import type { FastifyInstance } from 'fastify';
import type { AccountRestriction } from '../services/admin/account-restrictions.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { userIdParam } from './params.js';
import { paramsOf } from './schemas/common.js';

type UserRoute<Body = unknown> = { Params: { userId: string }; Body: Body };

const booleanBody = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'boolean' } } }) as const;

/**
 * The spec's admin endpoints for account suspension and locking (`{suspended}` / `{locked}`), and
 * Synapse's suspension endpoint (`{suspend}` in, `{"user_<id>_suspended": bool}` out, as Synapse
 * answers); admins only, under the same rules.
 */
export async function adminRestrictionRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const restrictions = services.accountRestrictions;
  const route = (body?: object) => ({ schema: { params: paramsOf('userId'), ...(body ? { body } : {}) }, config: { auth: 'required' as const } });
  const paths: Array<[string, AccountRestriction]> = [['suspend', 'suspended'], ['lock', 'locked']];
  for (const [path, restriction] of paths) {
    app.get<UserRoute>(`/_matrix/client/v1/admin/${path}/:userId`, route(), async (req) =>
      ({ [restriction]: await restrictions.get(requesterOf(req), userIdParam(req.params.userId), restriction) }));
    app.put<UserRoute<Record<string, boolean>>>(`/_matrix/client/v1/admin/${path}/:userId`, route(booleanBody(restriction)), async (req) =>
      ({ [restriction]: await restrictions.set(requesterOf(req), userIdParam(req.params.userId), restriction, req.body[restriction] === true) }));
  }
  app.put<UserRoute<{ suspend: boolean }>>('/_synapse/admin/v1/suspend/:userId', route(booleanBody('suspend')), async (req) => {
    const userId = userIdParam(req.params.userId);
    const suspended = await restrictions.set(requesterOf(req), userId, 'suspended', req.body.suspend);
    return { [`user_${userId}_suspended`]: suspended };
  });
}
