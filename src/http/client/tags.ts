import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam, userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { TagBody } from '../schemas/user-data.js';

type TagParams = { Params: { userId: string; roomId: string; tag: string } };

/** Room tags (`m.tag` room account data). */
export async function tagRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const tagParams = paramsOf('userId', 'roomId', 'tag');

  app.get<{ Params: { userId: string; roomId: string } }>('/user/:userId/rooms/:roomId/tags', { schema: { params: paramsOf('userId', 'roomId') }, config: auth }, async (req) =>
    services.tags.list(requesterOf(req), userIdParam(req.params.userId), roomIdParam(req.params.roomId)));

  app.put<TagParams & { Body: { order?: number } }>('/user/:userId/rooms/:roomId/tags/:tag', { schema: { params: tagParams, body: TagBody }, config: auth }, async (req) => {
    const { userId, roomId, tag } = req.params;
    await services.tags.put(requesterOf(req), userIdParam(userId), roomIdParam(roomId), tag, req.body);
    return {};
  });

  app.delete<TagParams>('/user/:userId/rooms/:roomId/tags/:tag', { schema: { params: tagParams }, config: auth }, async (req) => {
    const { userId, roomId, tag } = req.params;
    await services.tags.delete(requesterOf(req), userIdParam(userId), roomIdParam(roomId), tag);
    return {};
  });
}
