import type { FastifyInstance } from 'fastify';
import { invalidParam, notFound } from '../../core/errors.js';
import { domainOf, parseRoomAlias, parseUserId } from '../../core/ids.js';
import type { Profile } from '../../services/accounts/profiles.js';
import type { Services } from '../../services/services.js';
import { stringParam } from '../schemas/common.js';

const ProfileQuery = {
  type: 'object',
  required: ['user_id'],
  properties: { user_id: stringParam(255), field: { type: 'string', enum: ['displayname', 'avatar_url'] } },
} as const;

const DirectoryQuery = {
  type: 'object',
  required: ['room_alias'],
  properties: { room_alias: stringParam(255) },
} as const;

/**
 * `GET /_matrix/federation/v1/query/profile` and `query/directory` (server-server API, query.yaml):
 * other servers asking about Hearth's own users and aliases. Only local names are answered; a
 * name of another server is 404, as an unknown one is (Hearth holds no authority over it).
 * Registered behind `requireFederationAuth`.
 */
export async function federationQueryRoutes(app: FastifyInstance, { services, serverName }: { services: Services; serverName: string }): Promise<void> {
  app.get<{ Querystring: { user_id: string; field?: 'displayname' | 'avatar_url' } }>(
    '/_matrix/federation/v1/query/profile', { schema: { querystring: ProfileQuery } }, async (req) => {
      const userId = parseUserId(req.query.user_id);
      if (!userId) throw invalidParam('Invalid user ID');
      if (domainOf(userId) !== serverName) throw notFound('Profile not found');
      const profile = await services.profiles.get(userId);
      const { field } = req.query;
      // With `field`, only that field (absent when unset), as the spec's example answers.
      return field === undefined ? profile : ({ ...(profile[field] === undefined ? {} : { [field]: profile[field] }) } satisfies Profile);
    });

  app.get<{ Querystring: { room_alias: string } }>(
    '/_matrix/federation/v1/query/directory', { schema: { querystring: DirectoryQuery } }, async (req) => {
      const alias = parseRoomAlias(req.query.room_alias);
      if (!alias) throw invalidParam('Invalid room alias');
      if (domainOf(alias) !== serverName) throw notFound('Room alias not found');
      return services.directory.resolveAlias(alias);
    });
}
