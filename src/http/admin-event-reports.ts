import type { FastifyInstance } from 'fastify';
import type { EventReportQuery } from '../services/admin/event-reports.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';

const REPORTS = '/_synapse/admin/v1/event_reports';

const ListQuery = {
  type: 'object',
  properties: {
    from: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 0, maximum: 1000, default: 100 },
    dir: { type: 'string', enum: ['f', 'b'], default: 'b' },
    user_id: { type: 'string', maxLength: 1024 },
    room_id: { type: 'string', maxLength: 1024 },
  },
} as const;
const IdParams = {
  type: 'object', required: ['reportId'],
  properties: { reportId: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

/** Synapse's event reports admin API (event_reports.md): the reports users made of events; admins only. */
export async function adminEventReportRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const reports = services.adminEventReports;
  const config = { auth: 'required' as const };
  type One = { Params: { reportId: number } };
  app.get<{ Querystring: EventReportQuery }>(REPORTS, { schema: { querystring: ListQuery }, config }, async (req) =>
    reports.list(requesterOf(req), req.query));
  app.get<One>(`${REPORTS}/:reportId`, { schema: { params: IdParams }, config }, async (req) =>
    reports.get(requesterOf(req), req.params.reportId));
  app.delete<One>(`${REPORTS}/:reportId`, { schema: { params: IdParams }, config }, async (req) =>
    reports.delete(requesterOf(req), req.params.reportId));
}
