import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import { ROOM_VERSIONS } from '../../core/room-versions.js';

/**
 * The spec versions whose client APIs Hearth serves. Later versions are not claimed: clients
 * switch behaviour on them (e.g. v1.11 authenticated media), so claiming one we lack breaks them.
 */
export const SUPPORTED_VERSIONS = ['r0.6.1', 'v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6'];

/** Unprefixed discovery endpoints: /versions and /.well-known/matrix/client. */
export async function discoveryRoutes(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  app.get('/_matrix/client/versions', async () => ({ versions: SUPPORTED_VERSIONS, unstable_features: {} }));
  app.get('/.well-known/matrix/client', async () => ({ 'm.homeserver': { base_url: opts.config.publicBaseUrl } }));
  // Server discovery: where other servers reach this one's federation listener (when configured).
  const delegated = opts.config.federation.wellKnownServer;
  if (delegated !== null) app.get('/.well-known/matrix/server', async () => ({ 'm.server': delegated }));
}

/** `GET /capabilities` (v3): what this server lets clients do, stated truthfully. */
export async function capabilitiesRoutes(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const available = Object.fromEntries(Object.keys(ROOM_VERSIONS).map((v) => [v, 'stable']));
  app.get('/capabilities', { config: { auth: 'required' } }, async () => ({
    capabilities: {
      'm.change_password': { enabled: true },
      'm.room_versions': { default: opts.config.defaultRoomVersion, available },
      'm.set_displayname': { enabled: true },
      'm.set_avatar_url': { enabled: true },
      'm.3pid_changes': { enabled: false },
      'm.get_login_token': { enabled: false },
      'm.forget_forced_upon_leave': { enabled: opts.config.forgetRoomsOnLeave },
    },
  }));
}
