import type { FastifyInstance } from 'fastify';
import { notJson } from '../../core/errors.js';
import { parseRoomEventFilter } from '../../core/filters/parse-filter.js';
import type { RoomEventFilter } from '../../core/filters/types.js';
import type { JsonObject } from '../../core/json.js';
import type { CreateRoomInput } from '../../services/rooms/create-room.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { eventIdParam, roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { ContextQuery, CreateRoomBody, EventContentBody, MembersQuery, MessagesQuery, ReasonBody } from '../schemas/rooms.js';

const MAX_PAGE = 1000;

const StateEventQuery = { type: 'object', properties: { format: { type: 'string', enum: ['content', 'event'] } } } as const;

/** `filter` query parameters are JSON text. */
function filterParam(raw: string | undefined): RoomEventFilter | undefined {
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw notJson('filter is not JSON');
  }
  return parseRoomEventFilter(json, 'filter');
}

/** Creating rooms, sending events, and every read path of a room. */
export async function roomRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  const room = paramsOf('roomId');

  app.post<{ Body: CreateRoomInput | undefined }>('/createRoom', { schema: { body: CreateRoomBody }, config: { ...auth, deniedWhenSuspended: true, rateLimit: 'default', invites: (req) => (req.body as CreateRoomInput | undefined)?.invite?.length ?? 0 } }, async (req) =>
    services.rooms.create(requesterOf(req), req.body ?? {}));

  app.put<{ Params: { roomId: string; eventType: string; txnId: string }; Body: JsonObject }>(
    '/rooms/:roomId/send/:eventType/:txnId',
    { schema: { params: paramsOf('roomId', 'eventType', 'txnId'), body: EventContentBody }, config: { ...auth, deniedWhenSuspended: true, rateLimit: 'message' } },
    async (req) => services.sending.sendMessage(requesterOf(req), roomIdParam(req.params.roomId), req.params.eventType, req.params.txnId, req.body));

  // The empty state key is reachable both as /state/{type} and /state/{type}/.
  type StateRoute = { Params: { roomId: string; eventType: string; stateKey?: string }; Body: JsonObject; Querystring: { format?: 'content' | 'event' } };
  for (const path of ['/rooms/:roomId/state/:eventType', '/rooms/:roomId/state/:eventType/', '/rooms/:roomId/state/:eventType/:stateKey']) {
    const params = path.endsWith(':stateKey') ? paramsOf('roomId', 'eventType', 'stateKey') : paramsOf('roomId', 'eventType');
    app.put<StateRoute>(path, { schema: { params, body: EventContentBody }, config: { ...auth, deniedWhenSuspended: true, rateLimit: 'message' } }, async (req) =>
      services.sending.putState(requesterOf(req), roomIdParam(req.params.roomId), req.params.eventType, req.params.stateKey ?? '', req.body));
    // `?format=event` (spec v1.16) returns the whole client event instead of its content.
    app.get<StateRoute>(path, { schema: { params, querystring: StateEventQuery }, config: auth }, async (req) => {
      const event = await services.reads.stateEvent(requesterOf(req), roomIdParam(req.params.roomId), req.params.eventType, req.params.stateKey ?? '');
      return req.query.format === 'event' ? event : event.content;
    });
  }

  app.put<{ Params: { roomId: string; eventId: string; txnId: string }; Body: { reason?: string } | undefined }>(
    '/rooms/:roomId/redact/:eventId/:txnId',
    { schema: { params: paramsOf('roomId', 'eventId', 'txnId'), body: ReasonBody }, config: { ...auth, rateLimit: 'message' } },
    async (req) => services.sending.redact(requesterOf(req), roomIdParam(req.params.roomId), eventIdParam(req.params.eventId), req.params.txnId, req.body?.reason));

  app.get<{ Params: { roomId: string } }>('/rooms/:roomId/state', { schema: { params: room }, config: auth }, async (req) =>
    services.reads.state(requesterOf(req), roomIdParam(req.params.roomId)));

  app.get<{ Params: { roomId: string }; Querystring: { at?: string; membership?: 'join'; not_membership?: 'join' } }>(
    '/rooms/:roomId/members', { schema: { params: room, querystring: MembersQuery }, config: auth },
    async (req) => {
      const { at, membership, not_membership } = req.query;
      return services.reads.members(requesterOf(req), roomIdParam(req.params.roomId), {
        ...(at !== undefined ? { at } : {}), ...(membership ? { membership } : {}), ...(not_membership ? { notMembership: not_membership } : {}),
      });
    });

  app.get<{ Params: { roomId: string } }>('/rooms/:roomId/joined_members', { schema: { params: room }, config: auth }, async (req) =>
    services.reads.joinedMembers(requesterOf(req), roomIdParam(req.params.roomId)));

  app.get('/joined_rooms', { config: auth }, async (req) => services.reads.joinedRooms(requesterOf(req)));

  app.get<{ Params: { roomId: string; eventId: string } }>('/rooms/:roomId/event/:eventId', { schema: { params: paramsOf('roomId', 'eventId') }, config: auth }, async (req) =>
    services.reads.event(requesterOf(req), roomIdParam(req.params.roomId), eventIdParam(req.params.eventId)));

  app.get<{ Params: { roomId: string; eventId: string }; Querystring: { limit: number; filter?: string } }>(
    '/rooms/:roomId/context/:eventId', { schema: { params: paramsOf('roomId', 'eventId'), querystring: ContextQuery }, config: auth },
    async (req) => services.reads.context(requesterOf(req), roomIdParam(req.params.roomId), eventIdParam(req.params.eventId),
      Math.min(req.query.limit, MAX_PAGE), filterParam(req.query.filter)));

  app.get<{ Params: { roomId: string }; Querystring: { from?: string; to?: string; dir: 'b' | 'f'; limit: number; filter?: string } }>(
    '/rooms/:roomId/messages', { schema: { params: room, querystring: MessagesQuery }, config: auth },
    async (req) => {
      const { dir, limit, filter } = req.query;
      // An empty token is no token: some clients send `from=` for "from the newest event".
      const from = req.query.from || undefined;
      const to = req.query.to || undefined;
      const parsed = filterParam(filter);
      return services.reads.messages(requesterOf(req), roomIdParam(req.params.roomId), {
        dir, limit: Math.min(limit, MAX_PAGE),
        ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(parsed ? { filter: parsed } : {}),
      });
    });
}
