import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { anyObject, NO_NUL } from '../schemas/common.js';

/** getNotifications: `from` is a token this server gave, `only` filters to highlights. */
const NotificationsQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 64, pattern: NO_NUL },
    limit: { type: 'integer', minimum: 0, maximum: 10000 },
    only: { type: 'string', maxLength: 64, pattern: NO_NUL },
  },
} as const;

/** Pushers (pusher.yaml) and the notifications list (notifications.yaml). */
export async function pushRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const { pushers, notifications } = services.push;

  app.get('/pushers', { config: auth }, async (req) => pushers.list(requesterOf(req)));

  // postPusher: the body is checked field by field by core/push/pusher-body.ts.
  app.post<{ Body: unknown }>('/pushers/set', { schema: { body: anyObject }, config: auth }, async (req) => {
    await pushers.set(requesterOf(req), req.body);
    return {};
  });

  app.get<{ Querystring: { from?: string; limit?: number; only?: string } }>('/notifications',
    { schema: { querystring: NotificationsQuery }, config: auth },
    async (req) => notifications.list(requesterOf(req), req.query));
}
