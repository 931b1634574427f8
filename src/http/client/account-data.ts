import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam, userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { SetAccountDataBody } from '../schemas/user-data.js';

type GlobalParams = { Params: { userId: string; type: string } };
type RoomParams = { Params: { userId: string; roomId: string; type: string } };

/** Client config: global and per-room account data. */
export async function accountDataRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const global = paramsOf('userId', 'type');
  const room = paramsOf('userId', 'roomId', 'type');

  app.put<GlobalParams & { Body: JsonObject }>('/user/:userId/account_data/:type', { schema: { params: global, body: SetAccountDataBody }, config: auth },
    async (req) => {
      await services.accountData.put(requesterOf(req), userIdParam(req.params.userId), req.params.type, req.body);
      return {};
    });

  app.get<GlobalParams>('/user/:userId/account_data/:type', { schema: { params: global }, config: auth }, async (req) =>
    services.accountData.get(requesterOf(req), userIdParam(req.params.userId), req.params.type));

  app.put<RoomParams & { Body: JsonObject }>('/user/:userId/rooms/:roomId/account_data/:type', { schema: { params: room, body: SetAccountDataBody }, config: auth },
    async (req) => {
      const { userId, roomId, type } = req.params;
      await services.accountData.put(requesterOf(req), userIdParam(userId), type, req.body, roomIdParam(roomId));
      return {};
    });

  app.get<RoomParams>('/user/:userId/rooms/:roomId/account_data/:type', { schema: { params: room }, config: auth }, async (req) => {
    const { userId, roomId, type } = req.params;
    return services.accountData.get(requesterOf(req), userIdParam(userId), type, roomIdParam(roomId));
  });
}
