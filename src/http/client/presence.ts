import type { FastifyInstance } from 'fastify';
import type { PresenceState } from '../../core/ephemeral/presence.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { SetPresenceBody } from '../schemas/ephemeral.js';

type StatusRoute = { Params: { userId: string } };

/** Presence. */
export async function presenceRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const params = paramsOf('userId');

  app.put<StatusRoute & { Body: { presence: PresenceState; status_msg?: string | null } }>(
    '/presence/:userId/status', { schema: { params, body: SetPresenceBody }, config: auth },
    async (req) => {
      await services.presence.set(requesterOf(req), userIdParam(req.params.userId), req.body.presence, req.body.status_msg ?? null);
      return {};
    },
  );

  app.get<StatusRoute>('/presence/:userId/status', { schema: { params }, config: auth }, async (req) =>
    services.presence.get(requesterOf(req), userIdParam(req.params.userId)));
}
