/** The typed, validated configuration. Produced only by config/load.ts; frozen after loading. */
export interface RateLimitRule {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  readonly burst: number;
}

/**
 * Route limiters (per user, or per client IP; `invite` takes one token per invitee) and the per-account password limiters
 * `login_account` (every `/login` attempt at an account) and `failed_password` (every wrong password
 * for an account, at `/login` or in user-interactive auth), applied in services/accounts/password-checks.ts,
 * and `presence` (changes made by `/sync`'s `set_presence`); `media_upload` covers uploads and /create.
 */
export type RateLimitName = 'login' | 'registration' | 'message' | 'membership' | 'invite' | 'invite_room' | 'default' | 'login_account' | 'failed_password' | 'presence' | 'media_upload';

export interface Config {
  readonly serverName: string;
  readonly host: string;
  readonly port: number;
  /** The base URL clients use, published in /.well-known/matrix/client. */
  readonly publicBaseUrl: string;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'sqlite'; readonly path: string; readonly synchronous: 'full' | 'normal' | 'off' }
    | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };
  readonly signingKeyPath: string;
  readonly enableRegistration: boolean;
  /** When non-empty, registration requires one of these tokens (m.login.registration_token). */
  readonly registrationTokens: readonly string[];
  /** Registration needs a token even when `registrationTokens` is empty (tokens created through the admin API). */
  readonly registrationRequiresToken: boolean;
  readonly rateLimits: { readonly enabled: boolean } & Readonly<Record<RateLimitName, RateLimitRule>>;
  readonly metrics: { readonly enabled: boolean; readonly path: string; readonly port: number | null; readonly host: string };
  readonly forgetRoomsOnLeave: boolean;
  /** GET /publicRooms without an access token; otherwise 401 M_MISSING_TOKEN. */
  readonly allowPublicRoomsWithoutAuth: boolean;
  /** The version of rooms created without `room_version`: one this server serves (checked at start-up). */
  readonly defaultRoomVersion: string;
  /** Milliseconds after which a room every local user forgot is purged; null disables the purge. */
  readonly forgottenRoomRetentionMs: number | null;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly maxRequestBytes: number;
  /** Milliseconds to receive a whole request (headers and body) before answering 408 and closing. */
  readonly requestTimeoutMs: number;
  /** Lifetime of an access token issued with a refresh token (`refresh_token: true`); others never expire. */
  readonly accessTokenLifetimeMs: number;
  /** Open connections one client address may hold (trusted proxies exempt). */
  readonly maxConnectionsPerAddress: number;
  /** Addresses or CIDR ranges of proxies whose X-Forwarded-For names the client (rate limits per IP, logs). */
  readonly trustedProxies: readonly string[];
  readonly passwordHashing: {
    readonly cost: number;
    readonly blockSize: number;
    readonly parallelization: number;
    /** scrypt runs at most this many at once, below libuv's 4 threads so the log's fdatasync always has one. */
    readonly maxConcurrent: number;
    /** Password checks waiting for a place beyond which a check is refused with 429. */
    readonly maxQueued: number;
  };
  /** The shortest password (in characters) a new account or a password change may set. */
  readonly passwordMinLength: number;
  /** Send-to-device bounds: one message's content, messages one request may queue, undelivered messages per device. */
  readonly toDevice: {
    readonly maxContentBytes: number;
    readonly maxMessagesPerRequest: number;
    readonly maxPendingPerDevice: number;
    /** Milliseconds after which an undelivered message is deleted; null keeps them until delivered. */
    readonly undeliveredRetentionMs: number | null;
  };
  readonly federation: FederationConfig;
  readonly quotas: QuotaConfig;
  readonly media: MediaConfig;
  /** POST /user_directory/search: every local user (true), or only those sharing a room with the searcher or in a published room. */
  readonly userDirectorySearchAllUsers: boolean;
  /** GET /voip/turnServer; null: no TURN server configured (404). */
  readonly turn: TurnConfig | null;
  /** GET /.well-known/matrix/support, as served; null: 404. */
  readonly wellKnownSupport: WellKnownSupport | null;
}

/** A TURN server with coturn's shared-secret REST authentication (`use-auth-secret`). */
export interface TurnConfig {
  readonly uris: readonly string[];
  readonly sharedSecret: string;
  /** How long the credentials handed out stay valid. */
  readonly userLifetimeMs: number;
}

/** The spec's `/.well-known/matrix/support` answer. */
export interface WellKnownSupport {
  readonly contacts?: readonly { readonly role: string; readonly matrix_id?: string; readonly email_address?: string }[];
  readonly support_page?: string;
}

/** The media repository (README "Media", SECURITY.md). */
export interface MediaConfig {
  /** The directory of the media files (`<data_dir>/media` unless set). */
  readonly path: string;
  /** The largest upload, in bytes: larger gets 413 M_TOO_LARGE while it streams in. */
  readonly maxUploadBytes: number;
  /** Media uploaded while this is on is served only on the authenticated (client v1) paths. */
  readonly enableAuthenticatedMedia: boolean;
  /** Images with more pixels than this are not thumbnailed (decompression bombs). */
  readonly maxImagePixels: number;
  /** Media IDs from POST /create one user may hold without content; one more is 429. */
  readonly maxPendingUploads: number;
  /** Milliseconds a created media ID waits for its content. */
  readonly unusedExpirationMs: number;
}

/** Per-user quotas (SECURITY.md): past one, a write that would grow the user's data is refused with 403 M_USER_LIMIT_EXCEEDED. */
export interface QuotaConfig {
  /** Account data entries a user may set (global and per room together; server-managed m.fully_read and m.push_rules not counted). */
  readonly accountDataEntries: number;
  /** Bytes of those entries' content (JSON, UTF-8); also the most account data one /sync response carries. */
  readonly accountDataBytes: number;
  /** Stored filters; uploading one more deletes the user's oldest. */
  readonly filters: number;
  readonly devices: number;
  /** Unclaimed one-time keys plus fallback keys one device may hold. */
  readonly oneTimeKeysPerDevice: number;
  /** Bytes of media content a user may have uploaded in all. */
  readonly mediaBytes: number;
  /** The `info_uri` of the refusal: a page telling users about the limits. */
  readonly infoUri: string;
}

/** The federation listener (`/_matrix/federation/*`, `/_matrix/key/*`) and what outbound requests will use. */
export interface FederationConfig {
  /** null: no federation listener. */
  readonly port: number | null;
  readonly host: string;
  /** Both set: the listener speaks HTTPS; both null: plain HTTP, for a TLS-terminating proxy in front. */
  readonly tlsCertificatePath: string | null;
  readonly tlsPrivateKeyPath: string | null;
  /** Extra CA certificates (PEM) the outbound client will trust besides the system's. */
  readonly caFile: string | null;
  /** Whether outbound requests may reach private, loopback and link-local addresses (tests, closed networks). */
  readonly allowPrivateAddresses: boolean;
  /** When set, `/.well-known/matrix/server` on the client listener answers `{"m.server": this}`. */
  readonly wellKnownServer: string | null;
  /** Notaries the key ring asks when a server cannot give its keys itself, in this order. */
  readonly trustedKeyServers: readonly TrustedKeyServer[];
}

/** A notary Hearth trusts (`federation.trusted_key_servers`). */
export interface TrustedKeyServer {
  readonly serverName: string;
  /** Key ID to unpadded Base64 Ed25519 key its answers must be signed with; null: its own keys, fetched from it over TLS. */
  readonly verifyKeys: Readonly<Record<string, string>> | null;
}
