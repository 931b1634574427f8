import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { roomIdParam, userIdParam } from '../params.js';
import { anyObject, paramsOf } from '../schemas/common.js';
import { originOf } from './authenticate.js';

type LeaveParams = { Params: { roomId: string; eventId: string } };

/**
 * The resident side of leaving over federation (server-server API, leaving-v1.yaml and
 * leaving-v2.yaml) for rooms Hearth hosts: `make_leave`, and `send_leave` in both versions (v1
 * answers `[200, {}]`). Registered behind `requireFederationAuth`.
 */
export async function federationMembershipRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const leave = services.residentLeave;
  app.get<{ Params: { roomId: string; userId: string } }>(
    '/_matrix/federation/v1/make_leave/:roomId/:userId', { schema: { params: paramsOf('roomId', 'userId') } }, async (req) =>
      leave.makeLeave(originOf(req), roomIdParam(req.params.roomId), userIdParam(req.params.userId)));

  const sendLeave = { schema: { params: paramsOf('roomId', 'eventId'), body: anyObject } };
  app.put<LeaveParams>('/_matrix/federation/v2/send_leave/:roomId/:eventId', sendLeave, async (req) => {
    await leave.sendLeave(originOf(req), roomIdParam(req.params.roomId), req.params.eventId, req.body);
    return {};
  });
  app.put<LeaveParams>('/_matrix/federation/v1/send_leave/:roomId/:eventId', sendLeave, async (req) => {
    await leave.sendLeave(originOf(req), roomIdParam(req.params.roomId), req.params.eventId, req.body);
    return [200, {}];
  });
}
