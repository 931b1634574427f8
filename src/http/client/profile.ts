import type { FastifyInstance } from 'fastify';
import type { ProfileField } from '../../services/accounts/profiles.js';
import type { Services } from '../../services/services.js';
import { requesterOf } from '../auth.js';
import { userIdParam } from '../params.js';
import { AvatarUrlBody, DisplaynameBody } from '../schemas/accounts.js';
import { paramsOf } from '../schemas/common.js';

type UserParams = { Params: { userId: string } };

/** Profiles: the whole profile, and each of its two fields. */
export async function profileRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const params = paramsOf('userId');
  const optional = { auth: 'optional' } as const;

  app.get<UserParams>('/profile/:userId', { schema: { params }, config: optional }, async (request) =>
    services.profiles.get(userIdParam(request.params.userId)));

  const fields: Array<[ProfileField, object]> = [['displayname', DisplaynameBody], ['avatar_url', AvatarUrlBody]];
  for (const [field, body] of fields) {
    app.get<UserParams>(`/profile/:userId/${field}`, { schema: { params }, config: optional }, async (request) =>
      services.profiles.getField(userIdParam(request.params.userId), field));

    app.put<UserParams & { Body: Record<ProfileField, string | null> }>(
      `/profile/:userId/${field}`,
      { schema: { params, body }, config: { auth: 'required', deniedWhenSuspended: true } },
      async (request) => {
        await services.profiles.setField(requesterOf(request), userIdParam(request.params.userId), field, request.body[field]);
        return {};
      },
    );
  }
}
