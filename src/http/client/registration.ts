import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { AvailableQuery, RegisterBody, RegisterQuery } from '../schemas/accounts.js';

/** `POST /register` and `GET /register/available`. */
export async function registrationRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Body: JsonObject | null; Querystring: { kind: 'user' | 'guest' } }>(
    '/register',
    { schema: { body: RegisterBody, querystring: RegisterQuery }, config: { rateLimit: 'registration' } },
    async (request) => services.registration.register({ body: request.body ?? {}, kind: request.query.kind }),
  );

  app.get<{ Querystring: { username: string } }>(
    '/register/available',
    { schema: { querystring: AvailableQuery }, config: { rateLimit: 'registration' } },
    async (request) => {
      await services.registration.checkAvailable(request.query.username);
      return { available: true };
    },
  );
}
