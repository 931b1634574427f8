import type { FastifyInstance } from 'fastify';
import { invalidParam } from '../../core/errors.js';
import { parseRoomAlias, type RoomAlias } from '../../core/ids.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { AliasBody, PublicRoomsBody, PublicRoomsQuery, VisibilityBody } from '../schemas/rooms.js';

function aliasParam(raw: string): RoomAlias {
  const alias = parseRoomAlias(raw);
  if (!alias) throw invalidParam('Invalid room alias');
  return alias;
}

/** Room aliases and the public room directory. */
export async function directoryRoutes(app: FastifyInstance, { services, allowAnonymousDirectory }: { services: Services; allowAnonymousDirectory: boolean }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const alias = paramsOf('roomAlias');
  const room = paramsOf('roomId');
  const d = services.directory;

  app.get<{ Params: { roomAlias: string } }>('/directory/room/:roomAlias', { schema: { params: alias } }, async (req) =>
    d.resolveAlias(aliasParam(req.params.roomAlias)));

  app.put<{ Params: { roomAlias: string }; Body: { room_id: string } }>(
    '/directory/room/:roomAlias', { schema: { params: alias, body: AliasBody }, config: auth }, async (req) => {
      await d.createAlias(requesterOf(req), aliasParam(req.params.roomAlias), roomIdParam(req.body.room_id));
      return {};
    });

  app.delete<{ Params: { roomAlias: string } }>('/directory/room/:roomAlias', { schema: { params: alias }, config: auth }, async (req) => {
    await d.deleteAlias(requesterOf(req), aliasParam(req.params.roomAlias));
    return {};
  });

  app.get<{ Params: { roomId: string } }>('/rooms/:roomId/aliases', { schema: { params: room }, config: auth }, async (req) =>
    d.roomAliases(requesterOf(req), roomIdParam(req.params.roomId)));

  app.get<{ Params: { roomId: string } }>('/directory/list/room/:roomId', { schema: { params: room } }, async (req) =>
    d.visibility(roomIdParam(req.params.roomId)));

  app.put<{ Params: { roomId: string }; Body: { visibility: 'public' | 'private' } }>(
    '/directory/list/room/:roomId', { schema: { params: room, body: VisibilityBody }, config: auth }, async (req) => {
      await d.setVisibility(requesterOf(req), roomIdParam(req.params.roomId), req.body.visibility);
      return {};
    });

  // Anonymous listing is off by default (as Synapse's allow_public_rooms_without_auth): the
  // directory is then no crawler's, and every read of it takes from a rate limit.
  const listing = { auth: allowAnonymousDirectory ? 'optional' : 'required', rateLimit: 'default' } as const;
  app.get<{ Querystring: { limit?: number; since?: string } }>('/publicRooms', { schema: { querystring: PublicRoomsQuery }, config: listing }, async (req) =>
    d.publicRooms({ ...(req.query.limit !== undefined ? { limit: req.query.limit } : {}), ...(req.query.since ? { since: req.query.since } : {}) }));

  app.post<{ Body: { limit?: number; since?: string; filter?: { generic_search_term?: string } } | undefined }>(
    '/publicRooms', { schema: { body: PublicRoomsBody }, config: auth }, async (req) => {
      const b = req.body ?? {};
      return d.publicRooms({
        ...(b.limit !== undefined ? { limit: b.limit } : {}), ...(b.since ? { since: b.since } : {}),
        ...(b.filter?.generic_search_term ? { searchTerm: b.filter.generic_search_term } : {}),
      });
    });
}
