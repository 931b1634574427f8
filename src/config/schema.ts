/** The typed, validated configuration. Produced only by config/load.ts; frozen after loading. */
export interface RateLimitRule {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  readonly burst: number;
}

export type RateLimitName = 'login' | 'registration' | 'message' | 'membership' | 'default';

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
  readonly rateLimits: { readonly enabled: boolean } & Readonly<Record<RateLimitName, RateLimitRule>>;
  readonly metrics: { readonly enabled: boolean; readonly path: string; readonly port: number | null; readonly host: string };
  readonly forgetRoomsOnLeave: boolean;
  /** Milliseconds after which a room every local user forgot is purged; null disables the purge. */
  readonly forgottenRoomRetentionMs: number | null;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly maxRequestBytes: number;
  /** Addresses or CIDR ranges of proxies whose X-Forwarded-For names the client (rate limits per IP, logs). */
  readonly trustedProxies: readonly string[];
  readonly passwordHashing: { readonly cost: number; readonly blockSize: number; readonly parallelization: number };
  /** The shortest password (in characters) a new account or a password change may set. */
  readonly passwordMinLength: number;
  readonly federation: FederationConfig;
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
}
