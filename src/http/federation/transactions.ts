import type { FastifyInstance } from 'fastify';
import { MAX_TXN_EDUS, MAX_TXN_PDUS } from '../../core/federation/inbound-pdu.js';
import type { ServerKeyLookup } from '../../services/federation/server-key-lookup.js';
import type { Services } from '../../services/services.js';
import { paramsOf, stringParam } from '../schemas/common.js';
import { originOf } from './authenticate.js';

// More PDUs or EDUs than the spec allows is a malformed body: 400 M_BAD_JSON (the schema's answer).
const TransactionBody = {
  type: 'object',
  required: ['origin', 'origin_server_ts', 'pdus'],
  properties: {
    origin: stringParam(255),
    origin_server_ts: { type: 'integer' },
    pdus: { type: 'array', maxItems: MAX_TXN_PDUS },
    edus: { type: 'array', maxItems: MAX_TXN_EDUS },
  },
} as const;

interface TransactionBody {
  origin: string;
  origin_server_ts: number;
  pdus: unknown[];
  edus?: unknown[];
}

/**
 * `PUT /_matrix/federation/v1/send/{txnId}` (server-server API, "Transactions"): other servers
 * push PDUs and EDUs. EDUs are accepted and ignored for now (Hearth shares no room, typing or
 * presence with other servers yet). Registered behind `requireFederationAuth`.
 */
export async function federationTransactionRoutes(app: FastifyInstance, { services, serverKeys }: { services: Services; serverKeys: ServerKeyLookup }): Promise<void> {
  app.put<{ Params: { txnId: string }; Body: TransactionBody }>(
    '/_matrix/federation/v1/send/:txnId', { schema: { params: paramsOf('txnId'), body: TransactionBody } }, async (req) =>
      services.inboundTransactions.receive(originOf(req), req.body, serverKeys));
}
