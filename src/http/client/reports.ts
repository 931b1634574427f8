import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { eventIdParam, roomIdParam, userIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { ReportBody, ReportEventBody } from '../schemas/reports.js';

/** Reporting events, rooms and users to the server's admins; limited as sending messages is. */
export async function reportRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const config = { auth: 'required', rateLimit: 'message' } as const;

  app.post<{ Params: { roomId: string; eventId: string }; Body: { reason?: string; score?: number } | null }>('/rooms/:roomId/report/:eventId',
    { schema: { params: paramsOf('roomId', 'eventId'), body: ReportEventBody }, config }, async (req) => {
      await services.reports.event(requesterOf(req), roomIdParam(req.params.roomId), eventIdParam(req.params.eventId), req.body?.reason ?? null, req.body?.score ?? null);
      return {};
    });

  app.post<{ Params: { roomId: string }; Body: { reason: string } }>('/rooms/:roomId/report',
    { schema: { params: paramsOf('roomId'), body: ReportBody }, config }, async (req) => {
      await services.reports.room(requesterOf(req), roomIdParam(req.params.roomId), req.body.reason);
      return {};
    });

  app.post<{ Params: { userId: string }; Body: { reason: string } }>('/users/:userId/report',
    { schema: { params: paramsOf('userId'), body: ReportBody }, config }, async (req) => {
      await services.reports.user(requesterOf(req), userIdParam(req.params.userId), req.body.reason);
      return {};
    });
}
