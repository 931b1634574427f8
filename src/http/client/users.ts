import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { MutualRoomsQuery, UserDirectorySearchBody } from '../schemas/users.js';

/** The user directory and `GET /admin/whois/{userId}` (v3 and r0). */
export async function userRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  // A search reads across memberships: it takes from the default limit, as /publicRooms does.
  app.post<{ Body: { search_term: string; limit?: number } }>('/user_directory/search',
    { schema: { body: UserDirectorySearchBody }, config: { auth: 'required', rateLimit: 'default' } }, async (req) =>
      services.userDirectory.search(requesterOf(req), req.body.search_term, req.body.limit));

  app.get<{ Params: { userId: string } }>('/admin/whois/:userId', { schema: { params: paramsOf('userId') }, config: { auth: 'required' } }, async (req) =>
    services.whois.whois(requesterOf(req), userIdParam(req.params.userId)));
}

/** `GET /_matrix/client/v1/mutual_rooms` (MSC2666, as the pinned spec data has it). */
export async function userRoutesV1(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get<{ Querystring: { user_id: string; from?: string } }>('/_matrix/client/v1/mutual_rooms',
    { schema: { querystring: MutualRoomsQuery }, config: { auth: 'required', rateLimit: 'default' } }, async (req) =>
      services.mutualRooms.list(requesterOf(req), userIdParam(req.query.user_id), req.query.from));
}
