import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { LoginBody } from '../schemas/accounts.js';

/** Login, logout and whoami. */
export async function sessionRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get('/login', async () => ({ flows: [{ type: 'm.login.password' }] }));

  app.post<{ Body: JsonObject }>('/login', { schema: { body: LoginBody }, config: { rateLimit: 'login' } }, async (request) =>
    services.sessions.login(request.body));

  app.post('/logout', { config: { auth: 'required', allowLocked: true } }, async (request) => {
    await services.sessions.logout(requesterOf(request));
    return {};
  });

  app.post('/logout/all', { config: { auth: 'required', allowLocked: true } }, async (request) => {
    await services.sessions.logoutAll(requesterOf(request));
    return {};
  });

  app.get('/account/whoami', { config: { auth: 'required' } }, async (request) => {
    const { userId, deviceId } = requesterOf(request);
    return { user_id: userId, device_id: deviceId, is_guest: false };
  });
}
