import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { roomIdParam } from './params.js';
import { paramsOf } from './schemas/common.js';

/** The room views of Synapse's admin API (same paths, so existing admin tools work); admins only. */
export async function adminRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const opts = { schema: { params: paramsOf('roomId') }, config: { auth: 'required' as const } };
  app.get<{ Params: { roomId: string } }>('/_synapse/admin/v1/rooms/:roomId', opts, async (req) =>
    services.adminRooms.views.room(requesterOf(req), roomIdParam(req.params.roomId)));
  app.get<{ Params: { roomId: string } }>('/_synapse/admin/v1/rooms/:roomId/members', opts, async (req) =>
    services.adminRooms.views.members(requesterOf(req), roomIdParam(req.params.roomId)));
}
