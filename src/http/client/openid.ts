import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';

/** `POST /user/{userId}/openid/request_token`: the body is an empty object (anything in it is ignored). */
export async function openIdRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Params: { userId: string } }>(
    '/user/:userId/openid/request_token',
    { schema: { params: paramsOf('userId'), body: { type: 'object' } }, config: { auth: 'required' } },
    async (request) => services.openId.request(requesterOf(request), userIdParam(request.params.userId)),
  );
}
