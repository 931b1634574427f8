import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { TimestampToEventQuery } from '../schemas/users.js';

const V1 = '/_matrix/client/v1';

/** Room endpoints the spec has only under `/_matrix/client/v1`. */
export async function roomRoutesV1(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  app.get<{ Params: { roomId: string }; Querystring: { ts: number; dir: 'f' | 'b' } }>(`${V1}/rooms/:roomId/timestamp_to_event`,
    { schema: { params: paramsOf('roomId'), querystring: TimestampToEventQuery }, config: auth }, async (req) =>
      services.timestampLookup.closest(requesterOf(req), roomIdParam(req.params.roomId), req.query.ts, req.query.dir));
}
