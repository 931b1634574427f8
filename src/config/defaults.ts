import { DEFAULT_ROOM_VERSION } from '../core/room-versions.js';

/** Default settings, in the file format (snake_case). Paths derived from data_dir are filled in by load.ts. */
export const DEFAULTS = {
  server_name: 'localhost',
  host: '127.0.0.1',
  port: 8008,
  data_dir: './data',
  sqlite_synchronous: 'full',
  database_pool_size: 10,
  enable_registration: false,
  registration_tokens: [] as string[],
  // Registration needs a token (configured, or created through the admin API) even when registration_tokens is empty.
  registration_requires_token: false,
  // Load balancers / reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges).
  trusted_proxies: [] as string[],
  rate_limits: {
    enabled: true,
    // Like other homeservers: a few login/registration attempts, then one every ~6 s.
    login: { per_second: 0.17, burst: 3 },
    registration: { per_second: 0.17, burst: 3 },
    message: { per_second: 5, burst: 30 },
    // Generous: leaving a space means leaving its (say) 100 rooms at once.
    membership: { per_second: 10, burst: 150 },
    // Per inviter, one token per invitee (/invite and createRoom's `invite`), as Synapse's rc_invites.
    invite: { per_second: 0.003, burst: 5 },
    // Per room, whoever invites (Synapse's rc_invites.per_room): many moderators cannot together flood one room's invitees.
    invite_room: { per_second: 0.3, burst: 10 },
    default: { per_second: 20, burst: 100 },
    // Per account, whatever the address (Synapse's rc_login.account and rc_login.failed_attempts):
    // every /login attempt at one account, and every wrong password for it (/login or UIA).
    login_account: { per_second: 0.17, burst: 3 },
    failed_password: { per_second: 0.17, burst: 3 },
    // Presence changes made by /sync's set_presence; past it the change is ignored, the sync answers.
    presence: { per_second: 0.1, burst: 10 },
    // Media uploads and POST /create: an album of 30 pictures at once, then one a second.
    media_upload: { per_second: 1, burst: 30 },
  },
  metrics: { enabled: false, path: '/_hearth/metrics', host: '127.0.0.1', port: null as number | null },
  forget_rooms_on_leave: false,
  forgotten_room_retention: '7d' as string | number | null,
  log_level: 'info',
  max_request_bytes: 1024 * 1024,
  // GET /publicRooms without an access token (Synapse's setting of the same name and default).
  allow_public_rooms_without_auth: false,
  // The version of rooms created without `room_version` (and what /capabilities calls the default).
  default_room_version: DEFAULT_ROOM_VERSION as string,
  // Time to receive a request's headers and body; a /sync long-poll's wait for its answer is not part of it.
  request_timeout_ms: 60_000,
  // Access tokens issued with a refresh token expire after this (Synapse's default, 5 minutes).
  access_token_lifetime_ms: 300_000,
  // Open connections per client address (trusted proxies exempt); past it a new connection is closed.
  max_connections_per_address: 200,
  // scrypt N=2^15, r=8, p=1: 32 MiB and ~100 ms per hash, run on the libuv pool.
  // At most 2 hashes at once (libuv has 4 threads; the write-ahead log's fdatasync needs one) and
  // 20 password checks waiting (about 1 s of work at the default cost), beyond which 429.
  password_hashing: { cost: 32768, block_size: 8, parallelization: 1, max_concurrent: 2, max_queued: 20 },
  // Shortest password accepted by registration, password change and `hearth register-user`.
  password_min_length: 8,
  // Send-to-device: a message's content (olm payloads are a few KiB), the messages one request may
  // queue after `*` is expanded, the undelivered messages a device may hold, and how long they wait
  // for a device that never syncs (see SECURITY.md).
  to_device: {
    max_content_bytes: 64 * 1024,
    max_messages_per_request: 1000,
    max_pending_per_device: 1000,
    undelivered_retention: '30d' as string | number | null,
  },
  // Per-user quotas, far above real use (Element keeps ~50 one-time keys a device, a few dozen account
  // data entries of a few KiB), so a user's initial /sync stays tens of MiB at worst (SECURITY.md).
  quotas: {
    account_data_entries: 1000,
    account_data_bytes: 10 * 1024 * 1024,
    filters: 100,
    devices: 500,
    one_time_keys_per_device: 1000,
    media_bytes: 10 * 1024 * 1024 * 1024,
    // The spec's definition of the error until the operator names a page of their own.
    info_uri: 'https://spec.matrix.org/v1.19/client-server-api/#common-error-codes',
  },
  // The media repository: files under `path` (null: <data_dir>/media), indexed in the database.
  media: {
    path: null as string | null,
    max_upload_size: 50 * 1024 * 1024,
    // Like Synapse's enable_authenticated_media: new media only on the authenticated paths.
    enable_authenticated_media: true,
    // Thumbnails of larger images are refused (Synapse's max_image_pixels): a small file can decode huge.
    max_image_pixels: 32_000_000,
    max_pending_uploads: 5,
    unused_expiration: '24h' as string | number,
  },
  // POST /user_directory/search: false finds users sharing a room with the searcher or in a
  // published room; true finds every local user (Synapse's user_directory.search_all_users).
  user_directory: { search_all_users: false },
  // GET /voip/turnServer: coturn's REST credentials (use-auth-secret) for these URIs; none: 404.
  turn_uris: [] as string[],
  turn_shared_secret: null as string | null,
  turn_user_lifetime: '1h' as string | number,
  // GET /.well-known/matrix/support: {contacts, support_page} as the spec's answer; null: 404.
  well_known_support: null as { contacts?: unknown[]; support_page?: string } | null,
  // No federation listener unless a port is given; see FederationConfig.
  federation: {
    host: '127.0.0.1',
    port: null as number | null,
    tls_certificate: null as string | null,
    tls_private_key: null as string | null,
    ca_file: null as string | null,
    allow_private_addresses: false,
    well_known_server: null as string | null,
    // Notaries asked for a server's keys when it cannot be reached itself: none unless configured
    // (each `{server_name, verify_keys?}`).
    trusted_key_servers: [] as { server_name: string; verify_keys?: Record<string, string> }[],
  },
} as const;
