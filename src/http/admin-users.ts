import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../services/admin/admin-access.js';
import type { AccountChanges, UserListParams } from '../services/admin/users.js';
import type { Services } from '../services/services.js';
import { requesterOf } from './auth.js';
import { deviceIdParam, userIdParam } from './params.js';
import { paramsOf } from './schemas/common.js';
import { DeleteDevicesBody } from './schemas/accounts.js';
import { DeactivateBody, ListUsersQuery, LoginAsBody, PutUserBody, ResetPasswordBody, SetAdminBody } from './schemas/admin-users.js';

const ADMIN = '/_synapse/admin';

interface PutUserInput {
  password?: string; logout_devices?: boolean; displayname?: string; avatar_url?: string; admin?: boolean; deactivated?: boolean;
}
type UserRoute<Body = unknown> = { Params: { userId: string }; Body: Body };

/**
 * Synapse's admin API for the server and its accounts (same paths and shapes, so synadm and other
 * admin tools work); admins only. Room admin routes are in admin.ts.
 */
export async function adminUserRoutes(app: FastifyInstance, { services, version }: { services: Services; version: string }): Promise<void> {
  const { adminUsers, adminUserSessions } = services;
  const auth = { auth: 'required' as const };
  const user = (extra: object = {}) => ({ schema: { params: paramsOf('userId'), ...extra }, config: auth });

  app.get(`${ADMIN}/v1/server_version`, { config: auth }, async (req) => {
    requireAdmin(requesterOf(req));
    return { server_version: `Hearth ${version}` };
  });

  app.get<{ Querystring: UserListParams }>(`${ADMIN}/v2/users`, { schema: { querystring: ListUsersQuery }, config: auth }, async (req) =>
    adminUsers.list(requesterOf(req), req.query));
  app.get<UserRoute>(`${ADMIN}/v2/users/:userId`, user(), async (req) =>
    adminUsers.get(requesterOf(req), userIdParam(req.params.userId)));
  app.put<UserRoute<PutUserInput>>(`${ADMIN}/v2/users/:userId`, user({ body: PutUserBody }), async (req, reply) => {
    const b = req.body;
    const changes: AccountChanges = {
      ...(b.password === undefined ? {} : { password: b.password }),
      ...(b.logout_devices === undefined ? {} : { logoutDevices: b.logout_devices }),
      ...(b.displayname === undefined ? {} : { displayname: b.displayname }),
      ...(b.avatar_url === undefined ? {} : { avatarUrl: b.avatar_url }),
      ...(b.admin === undefined ? {} : { admin: b.admin }),
      ...(b.deactivated === undefined ? {} : { deactivated: b.deactivated }),
    };
    const { created, user: details } = await adminUsers.put(requesterOf(req), userIdParam(req.params.userId), changes);
    return reply.code(created ? 201 : 200).send(details);
  });
  app.get<UserRoute>(`${ADMIN}/v1/users/:userId/admin`, user(), async (req) =>
    adminUsers.isAdmin(requesterOf(req), userIdParam(req.params.userId)));
  app.put<UserRoute<{ admin: boolean }>>(`${ADMIN}/v1/users/:userId/admin`, user({ body: SetAdminBody }), async (req) =>
    adminUsers.setAdmin(requesterOf(req), userIdParam(req.params.userId), req.body.admin));

  app.post<UserRoute<{ erase?: boolean } | null>>(`${ADMIN}/v1/deactivate/:userId`, user({ body: DeactivateBody }), async (req) =>
    adminUserSessions.deactivate(requesterOf(req), userIdParam(req.params.userId), req.body?.erase ?? false));
  app.post<UserRoute<{ new_password: string; logout_devices?: boolean }>>(`${ADMIN}/v1/reset_password/:userId`, user({ body: ResetPasswordBody }), async (req) =>
    adminUserSessions.resetPassword(requesterOf(req), userIdParam(req.params.userId), req.body.new_password, req.body.logout_devices ?? true));
  app.get<UserRoute>(`${ADMIN}/v1/whois/:userId`, user(), async (req) =>
    adminUserSessions.whois(requesterOf(req), userIdParam(req.params.userId)));
  app.get<UserRoute>(`${ADMIN}/v1/users/:userId/joined_rooms`, user(), async (req) =>
    adminUserSessions.joinedRooms(requesterOf(req), userIdParam(req.params.userId)));
  app.get<UserRoute>(`${ADMIN}/v2/users/:userId/devices`, user(), async (req) =>
    adminUserSessions.devices(requesterOf(req), userIdParam(req.params.userId)));
  // The user's own bulk delete's body (its `auth` means nothing here: the admin needs no password).
  app.post<UserRoute<{ devices: string[] }>>(`${ADMIN}/v2/users/:userId/delete_devices`, user({ body: DeleteDevicesBody }), async (req) =>
    adminUserSessions.deleteDevices(requesterOf(req), userIdParam(req.params.userId), req.body.devices.map(deviceIdParam)));
  app.post<UserRoute<{ valid_until_ms?: number | null } | null>>(`${ADMIN}/v1/users/:userId/login`, user({ body: LoginAsBody }), async (req) => {
    const admin = requesterOf(req);
    const target = userIdParam(req.params.userId);
    const { access_token: accessToken, device_id: deviceId } = await adminUserSessions.loginAs(admin, target, req.body?.valid_until_ms ?? null);
    // An audit line: an admin now holds a token of someone else's.
    req.log.warn({ admin: admin.userId, user: target, device: deviceId }, 'admin logged in as a user');
    return { access_token: accessToken };
  });
}
