import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { SyncQuery } from '../schemas/sync.js';

type SyncQueryT = { since?: string; timeout: number; full_state: boolean; set_presence?: string; filter?: string };

/** `GET /sync`: a long-poll that ends early when the client goes away. */
export async function syncRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get<{ Querystring: SyncQueryT }>('/sync', { schema: { querystring: SyncQuery }, config: { auth: 'required' } }, async (req, reply) => {
    const aborted = new AbortController();
    const onClose = () => aborted.abort();
    // The response's 'close' before it was sent means the client went away.
    reply.raw.once('close', onClose);
    try {
      const { since, timeout, full_state, filter, set_presence } = req.query;
      return await services.sync.sync(requesterOf(req), {
        timeoutMs: timeout,
        fullState: full_state,
        signal: aborted.signal,
        ...(since !== undefined ? { since } : {}),
        ...(filter !== undefined ? { filter } : {}),
        ...(set_presence !== undefined ? { setPresence: set_presence as 'online' } : {}),
      });
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
