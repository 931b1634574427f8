import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { invalidParam } from '../../core/errors.js';
import { parseRoomAlias, parseRoomId, type RoomAlias, type RoomId } from '../../core/ids.js';
import { roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { HierarchyQuery, TimestampToEventQuery } from '../schemas/users.js';

const V1 = '/_matrix/client/v1';

/** Room endpoints the spec has only under `/_matrix/client/v1`. */
export async function roomRoutesV1(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  app.get<{ Params: { roomId: string }; Querystring: { ts: number; dir: 'f' | 'b' } }>(`${V1}/rooms/:roomId/timestamp_to_event`,
    { schema: { params: paramsOf('roomId'), querystring: TimestampToEventQuery }, config: auth }, async (req) =>
      services.timestampLookup.closest(requesterOf(req), roomIdParam(req.params.roomId), req.query.ts, req.query.dir));

  type HierarchyRoute = { Params: { roomId: string }; Querystring: { suggested_only?: boolean; max_depth?: number; limit?: number; from?: string } };
  app.get<HierarchyRoute>(`${V1}/rooms/:roomId/hierarchy`,
    { schema: { params: paramsOf('roomId'), querystring: HierarchyQuery }, config: { ...auth, rateLimit: 'default' } }, async (req) => {
      const q = req.query;
      return services.spaces.hierarchy(requesterOf(req).userId, roomIdParam(req.params.roomId), {
        suggestedOnly: q.suggested_only ?? false,
        ...(q.max_depth !== undefined ? { maxDepth: q.max_depth } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.from !== undefined ? { from: q.from } : {}),
      });
    });

  // Without a token too: then only rooms anyone may see (public, knockable, world-readable), as the spec allows.
  app.get<{ Params: { roomIdOrAlias: string } }>(`${V1}/room_summary/:roomIdOrAlias`,
    { schema: { params: paramsOf('roomIdOrAlias') }, config: { auth: 'optional', rateLimit: 'default' } }, async (req) =>
      services.spaces.summary(req.requester?.userId, roomOrAliasParam(req.params.roomIdOrAlias)));
}

function roomOrAliasParam(raw: string): RoomId | RoomAlias {
  const id = raw.startsWith('#') ? parseRoomAlias(raw) : parseRoomId(raw);
  if (!id) throw invalidParam('Invalid room ID or alias');
  return id;
}
