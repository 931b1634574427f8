import type { FastifyInstance } from 'fastify';
import type { RoomListQuery } from '../core/admin/room-list.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { roomIdParam } from './params.js';
import { paramsOf, stringParam } from './schemas/common.js';

type RoomRoute = { Params: { roomId: string } };
const ListQuery = {
  type: 'object',
  properties: Object.fromEntries(['from', 'limit', 'order_by', 'dir', 'search_term'].map((k) => [k, stringParam(1024)])),
} as const;
const BlockBody = { type: 'object', required: ['block'], properties: { block: { type: 'boolean' } } } as const;

/** The room side of Synapse's admin API beyond the details and members views (src/http/admin.ts); admins only. */
export async function adminRoomRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { views, blocks, deletions, membership, purgeHistory } = services.adminRooms;
  const auth = { auth: 'required' as const };
  const room = { params: paramsOf('roomId') };
  const v1 = '/_synapse/admin/v1';
  const v2 = '/_synapse/admin/v2';

  app.get<{ Querystring: Record<string, string | undefined> }>(`${v1}/rooms`, { schema: { querystring: ListQuery }, config: auth }, async (req) => {
    const q = req.query;
    const query: RoomListQuery = {
      ...(q.from !== undefined ? { from: q.from } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.order_by !== undefined ? { orderBy: q.order_by } : {}), ...(q.dir !== undefined ? { dir: q.dir } : {}),
      ...(q.search_term !== undefined ? { searchTerm: q.search_term } : {}),
    };
    return views.list(requesterOf(req), query);
  });
  app.get<RoomRoute>(`${v1}/rooms/:roomId/state`, { schema: room, config: auth }, async (req) =>
    views.state(requesterOf(req), roomIdParam(req.params.roomId)));

  app.get<RoomRoute>(`${v1}/rooms/:roomId/block`, { schema: room, config: auth }, async (req) =>
    blocks.get(requesterOf(req), roomIdParam(req.params.roomId)));
  app.put<RoomRoute & { Body: { block: boolean } }>(`${v1}/rooms/:roomId/block`, { schema: { ...room, body: BlockBody }, config: auth }, async (req) =>
    blocks.set(requesterOf(req), roomIdParam(req.params.roomId), req.body.block));

  // The body is required (at least `{}`, as Synapse says); its fields are checked by the service.
  app.delete<RoomRoute & { Body: unknown }>(`${v1}/rooms/:roomId`, { schema: room, config: auth }, async (req) =>
    deletions.deleteNow(requesterOf(req), roomIdParam(req.params.roomId), req.body ?? {}));
  app.delete<RoomRoute & { Body: unknown }>(`${v2}/rooms/:roomId`, { schema: room, config: auth }, async (req) =>
    deletions.start(requesterOf(req), roomIdParam(req.params.roomId), req.body ?? {}));
  app.get<RoomRoute>(`${v2}/rooms/:roomId/delete_status`, { schema: room, config: auth }, async (req) =>
    deletions.statusOfRoom(requesterOf(req), roomIdParam(req.params.roomId)));
  app.get<{ Params: { deleteId: string } }>(`${v2}/rooms/delete_status/:deleteId`, { schema: { params: paramsOf('deleteId') }, config: auth }, async (req) =>
    deletions.status(requesterOf(req), req.params.deleteId));

  app.post<{ Params: { roomIdOrAlias: string }; Body: unknown }>(`${v1}/rooms/:roomIdOrAlias/make_room_admin`,
    { schema: { params: paramsOf('roomIdOrAlias') }, config: { ...auth, anyJsonBody: true } }, async (req) =>
      membership.makeRoomAdmin(requesterOf(req), req.params.roomIdOrAlias, req.body ?? {}));
  app.post<{ Params: { roomIdOrAlias: string }; Body: unknown }>(`${v1}/join/:roomIdOrAlias`, { schema: { params: paramsOf('roomIdOrAlias') }, config: auth }, async (req) =>
    membership.join(requesterOf(req), req.params.roomIdOrAlias, req.body ?? {}));

  for (const path of [`${v1}/purge_history/:roomId`, `${v1}/purge_history/:roomId/:eventId`]) {
    app.post<{ Params: { roomId: string; eventId?: string }; Body: unknown }>(path, { schema: { params: paramsOf('roomId') }, config: auth }, async (req) =>
      purgeHistory.start(requesterOf(req), roomIdParam(req.params.roomId), req.params.eventId, req.body ?? {}));
  }
  app.get<{ Params: { purgeId: string } }>(`${v1}/purge_history_status/:purgeId`, { schema: { params: paramsOf('purgeId') }, config: auth }, async (req) =>
    purgeHistory.status(requesterOf(req), req.params.purgeId));
}
