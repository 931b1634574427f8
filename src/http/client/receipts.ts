import type { FastifyInstance } from 'fastify';
import type { EventId } from '../../core/ids.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { eventIdParam, roomIdParam } from '../params.js';
import { paramsOf } from '../schemas/common.js';
import { PostReceiptBody, SetReadMarkerBody } from '../schemas/ephemeral.js';

const optionalEventId = (raw: string | undefined): EventId | undefined => (raw === undefined ? undefined : eventIdParam(raw));

type ReadMarkersBody = { 'm.fully_read'?: string; 'm.read'?: string; 'm.read.private'?: string };

/** Receipts and read markers. */
export async function receiptRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;

  app.post<{ Params: { roomId: string; receiptType: string; eventId: string }; Body: { thread_id?: unknown } | null | undefined }>(
    '/rooms/:roomId/receipt/:receiptType/:eventId',
    { schema: { params: paramsOf('roomId', 'receiptType', 'eventId'), body: PostReceiptBody }, config: auth },
    async (req) => {
      const { roomId, receiptType, eventId } = req.params;
      await services.receipts.post(requesterOf(req), roomIdParam(roomId), receiptType, eventIdParam(eventId), req.body?.thread_id);
      return {};
    },
  );

  app.post<{ Params: { roomId: string }; Body: ReadMarkersBody }>(
    '/rooms/:roomId/read_markers',
    { schema: { params: paramsOf('roomId'), body: SetReadMarkerBody }, config: auth },
    async (req) => {
      const body = req.body;
      await services.readMarkers.set(requesterOf(req), roomIdParam(req.params.roomId), {
        fullyRead: optionalEventId(body['m.fully_read']),
        read: optionalEventId(body['m.read']),
        readPrivate: optionalEventId(body['m.read.private']),
      });
      return {};
    },
  );
}
