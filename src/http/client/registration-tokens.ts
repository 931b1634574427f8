import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { TokenValidityQuery } from '../schemas/accounts.js';

/** `GET /_matrix/client/v1/register/m.login.registration_token/validity`. */
export async function registrationTokenRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get<{ Querystring: { token: string } }>(
    '/_matrix/client/v1/register/m.login.registration_token/validity',
    { schema: { querystring: TokenValidityQuery }, config: { rateLimit: 'registration' } },
    async (request) => ({ valid: await services.registration.isTokenAccepted(request.query.token) }),
  );
}
