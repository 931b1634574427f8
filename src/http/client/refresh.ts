import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { RefreshBody } from '../schemas/accounts.js';

/** `POST /_matrix/client/v3/refresh` (spec v1.3): no access token, the refresh token authenticates. */
export async function refreshRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Body: { refresh_token: string } }>(
    '/_matrix/client/v3/refresh',
    { schema: { body: RefreshBody } },
    async (request) => services.sessions.refresh(request.body.refresh_token),
  );
}
