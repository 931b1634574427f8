import type { FastifyInstance } from 'fastify';
import type { WellKnownSupport } from '../../config/schema.js';
import { threepidAuthFailed, threepidMediumNotSupported } from '../../core/errors.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { optionalObjectBody } from '../schemas/common.js';

/**
 * Small endpoints with fixed or configured answers (v3 and r0): TURN credentials, third-party
 * protocols (no bridges: none) and third-party identifiers (Hearth keeps none, sends no mail or SMS,
 * and trusts no identity server, so adding one is refused with the spec's errcodes).
 */
export async function clientExtrasRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const auth = { auth: 'required' } as const;
  app.get('/voip/turnServer', { config: { ...auth, rateLimit: 'default' } }, async (req) => services.turnServer.credentials(requesterOf(req)));
  app.get('/thirdparty/protocols', { config: auth }, async () => ({}));
  app.get('/account/3pid', { config: auth }, async () => ({ threepids: [] }));
  for (const medium of ['email', 'msisdn']) {
    app.post(`/account/3pid/${medium}/requestToken`, { schema: { body: optionalObjectBody }, config: { rateLimit: 'default' } }, async () => {
      throw threepidMediumNotSupported('This server does not add third-party identifiers');
    });
  }
  app.post('/account/3pid/add', { schema: { body: optionalObjectBody }, config: auth }, async () => {
    throw threepidAuthFailed('No validated third-party identifier session: this server validates none');
  });
}

/** `GET /.well-known/matrix/support` (unprefixed), when configured; otherwise it is not a route (404). */
export async function supportRoutes(app: FastifyInstance, { support }: { support: WellKnownSupport | null }): Promise<void> {
  if (support !== null) app.get('/.well-known/matrix/support', async () => support);
}
