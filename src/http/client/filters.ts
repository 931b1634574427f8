import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { DefineFilterBody } from '../schemas/user-data.js';

/** Uploading and downloading filters. */
export async function filterRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;

  app.post<{ Params: { userId: string }; Body: JsonObject }>('/user/:userId/filter',
    { schema: { params: paramsOf('userId'), body: DefineFilterBody }, config: auth },
    async (req) => services.filters.create(requesterOf(req), userIdParam(req.params.userId), req.body));

  app.get<{ Params: { userId: string; filterId: string } }>('/user/:userId/filter/:filterId',
    { schema: { params: paramsOf('userId', 'filterId') }, config: auth },
    async (req) => services.filters.get(requesterOf(req), userIdParam(req.params.userId), req.params.filterId));
}
