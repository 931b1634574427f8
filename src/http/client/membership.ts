import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { roomIdParam, userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { EventContentBody, ReasonBody, TargetBody } from '../schemas/rooms.js';

type RoomParams = { Params: { roomId: string } };
type ReasonBodyT = { Body: { reason?: string } | undefined };
type TargetBodyT = { Body: { user_id: string; reason?: string } };

/** Joining, leaving, forgetting, inviting, kicking, banning and knocking. */
export async function membershipRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const config = { auth: 'required', rateLimit: 'membership' } as const;
  // Spec (account suspension): a suspended user may leave, forget and reject, not join, knock or invite.
  const writes = { ...config, deniedWhenSuspended: true } as const;
  const room = paramsOf('roomId');
  const m = services.membership;

  app.post<RoomParams & ReasonBodyT>('/rooms/:roomId/join', { schema: { params: room, body: ReasonBody }, config: writes }, async (req) =>
    m.join.join(requesterOf(req), roomIdParam(req.params.roomId), { reason: req.body?.reason }));

  app.post<{ Params: { roomIdOrAlias: string } } & ReasonBodyT>(
    '/join/:roomIdOrAlias', { schema: { params: paramsOf('roomIdOrAlias'), body: ReasonBody }, config: writes },
    async (req) => m.join.join(requesterOf(req), req.params.roomIdOrAlias, { reason: req.body?.reason }));

  app.post<{ Params: { roomIdOrAlias: string } } & ReasonBodyT>(
    '/knock/:roomIdOrAlias', { schema: { params: paramsOf('roomIdOrAlias'), body: ReasonBody }, config: writes },
    async (req) => m.knock.knock(requesterOf(req), req.params.roomIdOrAlias, { reason: req.body?.reason }));

  app.post<RoomParams & ReasonBodyT>('/rooms/:roomId/leave', { schema: { params: room, body: ReasonBody }, config }, async (req) => {
    await m.leave.leave(requesterOf(req), roomIdParam(req.params.roomId), { reason: req.body?.reason });
    return {};
  });

  app.post<RoomParams>('/rooms/:roomId/forget', { schema: { params: room }, config: { ...config, anyJsonBody: true } }, async (req) => {
    await m.forget.forget(requesterOf(req), roomIdParam(req.params.roomId));
    return {};
  });

  app.post<RoomParams & TargetBodyT>('/rooms/:roomId/invite', { schema: { params: room, body: TargetBody }, config: { ...writes, invites: () => 1 } }, async (req) => {
    await m.invite.invite(requesterOf(req), roomIdParam(req.params.roomId), userIdParam(req.body.user_id), { reason: req.body.reason });
    return {};
  });

  for (const verb of ['kick', 'ban', 'unban'] as const) {
    app.post<RoomParams & TargetBodyT>(`/rooms/:roomId/${verb}`, { schema: { params: room, body: TargetBody }, config }, async (req) => {
      await m.kickBan[verb](requesterOf(req), roomIdParam(req.params.roomId), userIdParam(req.body.user_id), { reason: req.body.reason });
      return {};
    });
  }

  // The state endpoint for membership (a more specific route than rooms.ts's PUT state, so it wins):
  // under the membership rate limit, through the same verbs as above.
  app.put<{ Params: { roomId: string; userId: string }; Body: JsonObject }>(
    '/rooms/:roomId/state/m.room.member/:userId',
    // A suspended user may still leave (or reject, or rescind) this way, but not join, invite or knock.
    { schema: { params: paramsOf('roomId', 'userId'), body: EventContentBody }, config: { ...config, deniedWhenSuspended: (req) => (req.body as JsonObject | undefined)?.membership !== 'leave' } },
    async (req) => m.state.put(requesterOf(req), roomIdParam(req.params.roomId), userIdParam(req.params.userId), req.body));
}
