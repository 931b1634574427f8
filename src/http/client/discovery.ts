import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.js';
import { ROOM_VERSIONS } from '../../core/room-versions.js';

/**
 * The spec versions Hearth claims. Clients switch behaviour on each version they see (threads on
 * v1.3 and v1.4, relation recursion on v1.10, authenticated media on v1.11, ...), and a version
 * includes every earlier one, so a version is claimed only when everything it added is served or
 * optional in the spec. From the changelogs of v1.2 to v1.12:
 * - r0.6.1 and v1.1 (key backups, knocking; the SSO redirect only concerns servers offering SSO).
 * - Not v1.2 yet: its `GET /v1/rooms/{roomId}/hierarchy` (spaces) is served now, the rest of v1.2 is
 *   to be checked before it is claimed. `/relations`, bundled aggregations (v1.3, edits as of v1.7),
 *   `/threads` (v1.4), `recurse` (v1.10) and `/timestamp_to_event` (v1.6) are served, the first ones
 *   announced as unstable features below; not `erase` on deactivation (v1.10).
 * So not v1.11 either, although its authenticated media is served: that is announced by the flag
 * clients check alongside v1.11 (see `UNSTABLE_FEATURES`).
 */
export const SUPPORTED_VERSIONS = ['r0.6.1', 'v1.1'];

/**
 * Features of unclaimed versions that are served, under the flags clients look for instead of the
 * version. Without the first, clients fetch media on the legacy paths, where media uploaded under
 * `enable_authenticated_media` is 404.
 */
export const UNSTABLE_FEATURES: Record<string, boolean> = {
  /**
   * Authenticated media (MSC3916, v1.11): download, thumbnail and config on
   * `/_matrix/client/v1/media/`. Like the legacy paths it has no URL previews, and no media of
   * other servers until federation fetches it.
   */
  'org.matrix.msc3916.stable': true,
  /** Private read receipts (MSC2285, v1.4): `m.read.private`. */
  'org.matrix.msc2285.stable': true,
  /**
   * Threads (MSC3440, v1.4; served: `m.thread` relations and their bundled aggregation, threaded
   * receipts), the thread list `GET /v1/rooms/{roomId}/threads` (MSC3856, v1.4) and `dir` on
   * `/relations` (MSC3715, v1.4). Not the `related_by_*` room event filters of MSC3440.
   */
  'org.matrix.msc3440.stable': true,
  'org.matrix.msc3856.stable': true,
  'org.matrix.msc3715.stable': true,
};

/** Unprefixed discovery endpoints: /versions and /.well-known/matrix/client. */
export async function discoveryRoutes(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  app.get('/_matrix/client/versions', async () => ({ versions: SUPPORTED_VERSIONS, unstable_features: UNSTABLE_FEATURES }));
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
