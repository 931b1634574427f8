import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';

const UpgradeBody = {
  type: 'object', required: ['new_version'], properties: { new_version: { type: 'string', minLength: 1, maxLength: 32 } },
} as const;

/** `POST /rooms/{roomId}/upgrade`: rate-limited as createRoom, whose work it repeats. */
export async function roomUpgradeRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.post<{ Params: { roomId: string }; Body: { new_version: string } }>(
    '/rooms/:roomId/upgrade',
    { schema: { params: paramsOf('roomId'), body: UpgradeBody }, config: { auth: 'required', rateLimit: 'default' } },
    async (req) => services.roomUpgrades.upgrade(requesterOf(req), roomIdParam(req.params.roomId), req.body.new_version));
}
