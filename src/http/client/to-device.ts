import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../core/json.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { SendToDeviceBody, SendToDeviceParams } from '../schemas/e2ee.js';
import { byUserId } from './keys.js';

/** Send-to-device messaging. */
export async function toDeviceRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.put<{ Params: { eventType: string; txnId: string }; Body: { messages: Record<string, Record<string, JsonObject>> } }>(
    '/sendToDevice/:eventType/:txnId',
    { schema: { params: SendToDeviceParams, body: SendToDeviceBody }, config: { auth: 'required' } },
    async (req) => {
      const messages = byUserId(req.body.messages, (devices) => new Map(Object.entries(devices)));
      await services.e2ee.toDevice.send(requesterOf(req), req.params.eventType, req.params.txnId, messages);
      return {};
    },
  );
}
