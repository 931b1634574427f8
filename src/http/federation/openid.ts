import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/services.js';
import { stringParam } from '../schemas/common.js';

const UserInfoQuery = {
  type: 'object',
  required: ['access_token'],
  properties: { access_token: stringParam(1024) },
} as const;

/**
 * `GET /_matrix/federation/v1/openid/userinfo` (server-server API, openid.yaml): answered to anyone
 * holding the token (a third party checking who a user is), so it is not behind `requireFederationAuth`.
 */
export async function federationOpenIdRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.get<{ Querystring: { access_token: string } }>(
    '/_matrix/federation/v1/openid/userinfo', { schema: { querystring: UserInfoQuery } },
    async (request) => services.openId.userInfo(request.query.access_token),
  );
}
