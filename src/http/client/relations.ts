import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { eventIdParam, roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { RelationsQuery, relationsParams, ThreadsQuery } from '../schemas/relations.js';

/** Pages of /relations and /threads hold at most this many events, whatever `limit` asks. */
const MAX_PAGE = 1000;

type RelationsRoute = {
  Params: { roomId: string; eventId: string; relType?: string; eventType?: string };
  Querystring: { from?: string; to?: string; dir: 'b' | 'f'; limit: number; recurse?: boolean };
};

/** `GET /v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]` and `GET /v1/rooms/{roomId}/threads` (v1 only: no r0 or v3 path). */
export async function relationRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const config = { auth: 'required' } as const;
  const base = '/_matrix/client/v1/rooms/:roomId/relations/:eventId';
  for (const [path, names] of [[base, []], [`${base}/:relType`, ['relType']], [`${base}/:relType/:eventType`, ['relType', 'eventType']]] as const) {
    app.get<RelationsRoute>(path, { schema: { params: relationsParams(...names), querystring: RelationsQuery }, config }, async (req) => {
      const { roomId, eventId, relType, eventType } = req.params;
      const { from, to, dir, limit, recurse } = req.query;
      // An empty token is no token, as for /messages.
      return services.relations.relations(requesterOf(req), roomIdParam(roomId), eventIdParam(eventId), {
        relType, eventType, from: from || undefined, to: to || undefined, dir, limit: Math.min(limit, MAX_PAGE), recurse,
      });
    });
  }

  app.get<{ Params: { roomId: string }; Querystring: { include: 'all' | 'participated'; from?: string; limit: number } }>(
    '/_matrix/client/v1/rooms/:roomId/threads', { schema: { params: paramsOf('roomId'), querystring: ThreadsQuery }, config },
    async (req) => services.relations.threads(requesterOf(req), roomIdParam(req.params.roomId), {
      include: req.query.include, from: req.query.from || undefined, limit: Math.min(req.query.limit, MAX_PAGE),
    }));
}
