import type { FastifyInstance } from 'fastify';
import type { ServerKeyLookup } from '../../services/federation/server-key-lookup.js';
import type { Services } from '../../services/services.js';
import { anyObject, paramsOf, stringParam } from '../schemas/common.js';
import { originOf } from './authenticate.js';

const InviteBody = {
  type: 'object',
  required: ['room_version', 'event'],
  properties: { room_version: stringParam(64), event: anyObject, invite_room_state: { type: 'array' } },
} as const;

interface InviteRequestBody {
  room_version: string;
  event: unknown;
  invite_room_state?: unknown;
}

/**
 * `PUT /_matrix/federation/v2/invite/{roomId}/{eventId}` (server-server API, "Inviting to a room"):
 * another server asks Hearth to co-sign its invite of a local user. The v1 endpoint (room versions
 * 1 and 2 only, which Hearth does not serve) is not served. Registered behind `requireFederationAuth`.
 */
export async function federationInviteRoutes(app: FastifyInstance, { services, serverKeys }: { services: Services; serverKeys: ServerKeyLookup }): Promise<void> {
  app.put<{ Params: { roomId: string; eventId: string }; Body: InviteRequestBody }>(
    '/_matrix/federation/v2/invite/:roomId/:eventId', { schema: { params: paramsOf('roomId', 'eventId'), body: InviteBody } }, async (req) =>
      services.inboundInvites.receive({
        roomId: req.params.roomId, eventId: req.params.eventId, roomVersion: req.body.room_version,
        event: req.body.event, inviteRoomState: req.body.invite_room_state, origin: originOf(req),
      }, serverKeys));
}
