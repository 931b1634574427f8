import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam, userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { SetTypingBody } from '../schemas/ephemeral.js';

/** Typing notifications. */
export async function typingRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.put<{ Params: { roomId: string; userId: string }; Body: { typing: boolean; timeout?: number } }>(
    '/rooms/:roomId/typing/:userId',
    { schema: { params: paramsOf('roomId', 'userId'), body: SetTypingBody }, config: { auth: 'required' } },
    async (req) => {
      const { roomId, userId } = req.params;
      await services.typing.set(requesterOf(req), roomIdParam(roomId), userIdParam(userId), req.body.typing, req.body.timeout);
      return {};
    },
  );
}
