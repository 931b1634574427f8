import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { ChangePasswordBody } from '../schemas/accounts.js';

/** `POST /account/password`. */
export async function accountRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Body: { new_password: string; logout_devices: boolean; auth?: unknown } }>(
    '/account/password',
    { schema: { body: ChangePasswordBody }, config: { auth: 'required', rateLimit: 'login' } },
    async (request) => {
      const { new_password, logout_devices, auth } = request.body;
      await services.passwords.change(requesterOf(request), { newPassword: new_password, logoutDevices: logout_devices, auth });
      return {};
    },
  );
}
