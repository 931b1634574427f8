import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { DeleteDeviceBody } from '../schemas/accounts.js';

/** `POST /account/deactivate`. */
export async function deactivateRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Body: { auth?: unknown } | undefined }>(
    '/account/deactivate',
    { schema: { body: DeleteDeviceBody }, config: { auth: 'required', rateLimit: 'login' } },
    async (req) => services.deactivation.deactivate(requesterOf(req), req.body?.auth),
  );
}
